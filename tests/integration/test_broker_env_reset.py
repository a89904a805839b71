"""The env-reset broker against SQS (moto server): messages always reach their environment.

Environments are named per test (``dev-<uid>``, ``staging-<uid>``) and their queues are
created from template.yaml's definitions under the real naming scheme, so tests never
share a queue. Also holds the helpers the other broker/actor/report tests import.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator, MutableMapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import dramatiq
import pytest
from structlog.testing import capture_logs

from alchemiser.actors import enqueue, trade_ledger_entry
from alchemiser.errors import EnvironmentNotAllowedError, QueueNotProvisionedError
from alchemiser.events import AccountSnapshot, OrderOutcome, TradeExecuted, WorkflowConfiguration
from alchemiser.logging import configure_logging
from alchemiser.reports import PnlReportRequest
from alchemiser.taskqueue import current_environment, ensure_broker
from tests.support.aws import provision_task_queues
from tests.support.tasks import allowed_environments

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# --- helpers shared with the other task tests -------------------------------------------


def received_messages(sqs: SQSClient, url: str) -> list[dict[str, Any]]:
    """Receive and delete every message of a queue; the decoded Dramatiq messages."""
    messages = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for raw in batch:
            messages.append(json.loads(base64.b64decode(raw["Body"])))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=raw["ReceiptHandle"])
    return messages


def queue_depth(sqs: SQSClient, url: str) -> int:
    """Messages in a queue: visible, in flight and delayed (a dramatiq retry is delayed)."""
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return sum(
        int(attributes[name])
        for name in (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
    )


def trade_executed(
    environment: str,
    *,
    trading_date: date = date(2026, 11, 20),
    equity: Decimal = Decimal("100000.00"),
    timestamp: datetime | None = None,
    trading_mode: str = "paper",
) -> TradeExecuted:
    """A TradeExecuted with one filled and one rejected order and the account after them."""
    stamp = timestamp or datetime(2026, 11, 20, 14, 36, tzinfo=UTC)
    return TradeExecuted.model_validate(
        {
            "correlation_id": f"wf-{trading_date}",
            "causation_id": "evt-plan",
            "timestamp": stamp,
            "configuration": WorkflowConfiguration.model_validate(
                {"environment": environment, "trading_mode": trading_mode}
            ),
            "trading_date": trading_date,
            "orders": (
                OrderOutcome(
                    symbol="SPY",
                    side="buy",
                    quantity=Decimal("3"),
                    client_order_id=f"{trading_date}-SPY",
                    status="filled",
                    broker_order_id="b-1",
                    filled_quantity=Decimal("3"),
                    average_price=Decimal("450.12"),
                ),
                OrderOutcome(
                    symbol="TLT",
                    side="sell",
                    quantity=Decimal("5"),
                    client_order_id=f"{trading_date}-TLT",
                    status="rejected",
                    error="insufficient quantity",
                ),
            ),
            "orders_placed": 2,
            "orders_succeeded": 1,
            "failed_symbols": ("TLT",),
            "account_after": AccountSnapshot(
                equity=equity,
                cash=Decimal("1000.50"),
                buying_power=Decimal("2001.00"),
                positions={"SPY": Decimal("3")},
            ),
        }
    )


def run_worker_until(
    broker: dramatiq.Broker, done: Callable[[], bool], seconds: float = 15
) -> None:
    """Run an in-process Dramatiq worker on ``broker`` until ``done()`` or the deadline."""
    worker = dramatiq.Worker(broker, worker_timeout=100, worker_threads=1)
    worker.start()
    try:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop(timeout=5_000)


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    """Every structured log line written during the test."""
    configure_logging(level="INFO", force=True)
    with capture_logs() as captured:
        yield captured


@pytest.fixture
def envs(sqs: SQSClient, uid: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, str]]:
    """``dev`` and ``staging`` for this test, both allowed and provisioned."""
    names = {"dev": f"dev-{uid}", "staging": f"staging-{uid}"}
    monkeypatch.setenv("ALLOWED_TARGET_ENVIRONMENTS", ",".join(names.values()))
    return {short: {"name": env, **provision_task_queues(sqs, env)} for short, env in names.items()}


def resets(logs: list[MutableMapping[str, Any]]) -> list[tuple[str, str]]:
    return [
        (line["previous_env"], line["target_env"])
        for line in logs
        if line["event"] == "broker.reset"
    ]


# --- the contract --------------------------------------------------------------------


def test_messages_land_in_their_own_environment_across_dev_staging_dev(sqs, envs, logs) -> None:
    # Given one warm container and three invocations targeting dev, staging, dev
    dev, staging = envs["dev"]["name"], envs["staging"]["name"]
    sent: dict[str, list[str]] = {dev: [], staging: []}

    # When each invocation sends a trade-ledger task to its environment
    for env in (dev, staging, dev):
        sent[env].append(
            enqueue(trade_executed(env), environment=env, allowed=allowed_environments())
        )

    # Then each message is in its own environment's queue and nowhere else
    for env in (dev, staging):
        queue = envs["dev" if env == dev else "staging"][f"alchemiser-{env}_trade_ledger"]
        received = received_messages(sqs, queue)
        assert sorted(m["message_id"] for m in received) == sorted(sent[env])
        assert {m["kwargs"]["event"]["configuration"]["environment"] for m in received} == {env}
    # And the reset was logged on exactly the two switches
    assert resets(logs) == [(dev, staging), (staging, dev)]
    reset = next(line for line in logs if line["event"] == "broker.reset")
    assert reset["actors"] == ["pnl_report", "trade_ledger_entry"]


def test_same_environment_invocations_reuse_the_broker_without_logging(sqs, envs, logs) -> None:
    # Given a container bound to dev
    dev = envs["dev"]["name"]
    first = ensure_broker(dev, allowed=allowed_environments())

    # When further invocations target dev again
    again = [ensure_broker(dev, allowed=allowed_environments()) for _ in range(3)]
    enqueue(trade_executed(dev), environment=dev, allowed=allowed_environments())

    # Then the same broker serves them, global and actors included, and nothing is logged
    assert all(broker is first for broker in again)
    assert dramatiq.get_broker() is first
    assert trade_ledger_entry.broker is first
    assert resets(logs) == []


def test_switching_back_reuses_the_cached_broker(envs, logs) -> None:
    # Given a container that served dev, then staging
    dev, staging = envs["dev"]["name"], envs["staging"]["name"]
    dev_broker = ensure_broker(dev, allowed=allowed_environments())
    staging_broker = ensure_broker(staging, allowed=allowed_environments())

    # When an invocation targets dev again
    back = ensure_broker(dev, allowed=allowed_environments())

    # Then dev's broker is reused, not rebuilt, and every actor is bound to it again
    assert back is dev_broker
    assert back is not staging_broker
    assert trade_ledger_entry.broker is back
    assert [line["broker_cached"] for line in logs if line["event"] == "broker.reset"] == [
        False,
        True,
    ]


def test_a_refused_environment_sends_nothing(sqs, envs, uid, logs) -> None:
    # Given a provisioned environment that is not in the allow-list
    prod = f"prod-{uid}"
    prod_queues = provision_task_queues(sqs, prod)
    dev = envs["dev"]["name"]
    dev_broker = ensure_broker(dev, allowed=allowed_environments())

    # When an invocation asks to send to it
    with pytest.raises(EnvironmentNotAllowedError) as refused:
        enqueue(trade_executed(prod), environment=prod, allowed=allowed_environments())

    # Then it is refused by name, nothing is sent, and the container stays on dev
    assert refused.value.field == "environment"
    assert prod in str(refused.value)
    assert received_messages(sqs, prod_queues[f"alchemiser-{prod}_trade_ledger"]) == []
    assert current_environment() == dev
    assert trade_ledger_entry.broker is dev_broker
    assert resets(logs) == []


def test_a_missing_queue_is_reported_and_never_created(sqs, uid, monkeypatch) -> None:
    # Given an allowed environment whose stack was never deployed
    env = f"qa-{uid}"
    monkeypatch.setenv("ALLOWED_TARGET_ENVIRONMENTS", env)

    # When a task is sent to it
    with pytest.raises(QueueNotProvisionedError) as missing:
        enqueue(trade_executed(env), environment=env, allowed=allowed_environments())

    # Then the error names the queue, and no queue was created on the way
    assert missing.value.queue_name == f"alchemiser-{env}_trade_ledger"
    assert sqs.list_queues(QueueNamePrefix=f"alchemiser-{env}").get("QueueUrls", []) == []


def test_pnl_report_task_carries_json_safe_request(sqs, envs) -> None:
    # Given a PnL request for staging
    staging = envs["staging"]["name"]
    request = PnlReportRequest(
        correlation_id="wf-pnl", pnl_type="weekly", pnl_periods=2, as_of=date(2026, 11, 20)
    )

    # When it is enqueued
    message_id = enqueue(request, environment=staging, allowed=allowed_environments())

    # Then staging's PnL queue holds exactly it, and it validates back into the request
    [message] = received_messages(sqs, envs["staging"][f"alchemiser-{staging}_pnl_reports"])
    assert message["message_id"] == message_id
    assert PnlReportRequest.model_validate(message["kwargs"]["request"]) == request
