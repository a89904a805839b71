"""A real AWS emulator for integration tests: one moto server on loopback per session.

boto3 finds it through ``AWS_ENDPOINT_URL``, exactly as in the local stack, so the code
under test has no special path for tests. Resources come from template.yaml's
definitions under names unique to each test.

moto 5.2 does not isolate DynamoDB writes: two requests run on two server threads at
once, a condition is checked and the write made without a lock, and a cancelled
transaction "rolls back" by restoring a copy of the whole table taken when it started,
erasing what a concurrent write did in between. Real DynamoDB applies conditional
writes and transactions atomically. ``_serializable_dynamodb`` closes that gap the way
the real service behaves (one write at a time), so race tests check our conditions,
not the emulator's missing isolation.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import pytest
from moto.dynamodb.models import DynamoDBBackend
from moto.server import ThreadedMotoServer

from alchemiser_local.emulator_server import DYNAMODB_WRITES, one_at_a_time
from tests.support.aws import create_queue, create_table, queue_arn

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sqs import SQSClient

REGION = "us-east-1"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def _serializable_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the in-process moto server's DynamoDB writes one at a time (see above)."""
    lock = threading.RLock()
    for name in DYNAMODB_WRITES:
        monkeypatch.setattr(
            DynamoDBBackend, name, one_at_a_time(getattr(DynamoDBBackend, name), lock)
        )


@pytest.fixture(autouse=True)
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point every boto3 client of the process at the moto server, with fake credentials."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_endpoint


@pytest.fixture
def uid() -> str:
    """A short suffix that makes this test's resource names unique."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def dynamodb(aws_env: str) -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=REGION)


@pytest.fixture
def sqs(aws_env: str) -> SQSClient:
    return boto3.client("sqs", region_name=REGION)


@pytest.fixture
def events(aws_env: str) -> EventBridgeClient:
    return boto3.client("events", region_name=REGION)


@pytest.fixture
def idempotency_table(dynamodb: DynamoDBClient, uid: str) -> str:
    return create_table(dynamodb, "IdempotencyTable", f"alchemiser-idempotency-{uid}")


@pytest.fixture
def paper_broker_table(dynamodb: DynamoDBClient, uid: str) -> str:
    return create_table(dynamodb, "PaperBrokerTable", f"alchemiser-paper-broker-{uid}")


@pytest.fixture
def trading_state_table(dynamodb: DynamoDBClient, uid: str) -> str:
    return create_table(dynamodb, "TradingStateTable", f"alchemiser-trading-state-{uid}")


@pytest.fixture
def ledger_table(dynamodb: DynamoDBClient, uid: str) -> str:
    return create_table(dynamodb, "LedgerTable", f"alchemiser-ledger-{uid}")


@dataclass(frozen=True)
class TappedBus:
    """An event bus whose every alchemiser event is copied to an SQS queue (the tap)."""

    name: str
    tap_url: str


@pytest.fixture
def tapped_bus(events: EventBridgeClient, sqs: SQSClient, uid: str) -> TappedBus:
    """The template's bus plus a rule that sends every ``alchemiser.*`` event to a queue."""
    name = f"alchemiser-events-{uid}"
    events.create_event_bus(Name=name)
    tap_url = create_queue(sqs, "DomainEventsDLQ", f"tap-{uid}")
    events.put_rule(
        Name=f"tap-{uid}",
        EventBusName=name,
        EventPattern=json.dumps({"source": [{"prefix": "alchemiser."}]}),
        State="ENABLED",
    )
    events.put_targets(
        Rule=f"tap-{uid}",
        EventBusName=name,
        Targets=[{"Id": "tap", "Arn": queue_arn(sqs, tap_url)}],
    )
    return TappedBus(name=name, tap_url=tap_url)


@pytest.fixture
def lambda_env(
    monkeypatch: pytest.MonkeyPatch,
    tapped_bus: TappedBus,
    idempotency_table: str,
    paper_broker_table: str,
    trading_state_table: str,
    ledger_table: str,
    uid: str,
) -> dict[str, str]:
    """The environment template.yaml gives the functions and the worker, on this test's
    resources (tests set ``AWS_LAMBDA_FUNCTION_NAME`` themselves)."""
    env = {
        "STAGE": "dev",
        "EVENT_BUS_NAME": tapped_bus.name,
        "IDEMPOTENCY_TABLE_NAME": idempotency_table,
        "ALLOWED_TARGET_ENVIRONMENTS": "dev,staging",
        "LIVE_TRADING_ENABLED": "false",
        "PAPER_BROKER_TABLE_NAME": paper_broker_table,
        "TRADING_STATE_TABLE_NAME": trading_state_table,
        "BAR_STORE_BUCKET": f"alchemiser-bars-{uid}",
        # TradingSystemFunction always has it (the market data refresh); the router only
        # with an Alpaca backend, which these settings do not select.
        "ALPACA_SECRET_ID": f"alchemiser/{uid}/alpaca",
        "LEDGER_TABLE_NAME": ledger_table,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
