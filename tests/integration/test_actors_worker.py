"""An in-process Dramatiq worker consumes the SQS queues (moto) and the tasks take effect."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from alchemiser.actors import enqueue, trade_ledger_entry
from alchemiser.reports import PnlReport, PnlReportRequest
from alchemiser.taskqueue import ensure_broker
from tests.integration.test_broker_env_reset import (
    envs,  # noqa: F401 - fixture
    queue_depth,
    received_messages,
    run_worker_until,
    trade_executed,
)
from tests.support.tasks import allowed_environments


@pytest.fixture
def ledger(ledger_table: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LEDGER_TABLE_NAME", ledger_table)
    return ledger_table


def _items(dynamodb, table):
    return dynamodb.scan(TableName=table)["Items"]


def test_worker_records_a_trade_ledger_entry(dynamodb, sqs, envs, ledger) -> None:  # noqa: F811
    # Given a TradeExecuted sent to dev's ledger queue
    dev = envs["dev"]["name"]
    equity = Decimal("100250.75")
    enqueue(trade_executed(dev, equity=equity), environment=dev, allowed=allowed_environments())

    # When a worker runs on dev's broker
    run_worker_until(
        ensure_broker(dev, allowed=allowed_environments()),
        lambda: len(_items(dynamodb, ledger)) >= 3,
    )

    # Then both orders and the equity snapshot are in the ledger, and the message is acked
    items = _items(dynamodb, ledger)
    orders = sorted(i["symbol"]["S"] for i in items if i["pk"]["S"].startswith("ORDERS#"))
    snapshots = [i for i in items if i["pk"]["S"] == "EQUITY#paper"]
    assert orders == ["SPY", "TLT"]
    assert [Decimal(i["equity"]["N"]) for i in snapshots] == [equity]
    assert queue_depth(sqs, envs["dev"][f"alchemiser-{dev}_trade_ledger"]) == 0


def test_worker_builds_the_pnl_report(dynamodb, envs, ledger) -> None:  # noqa: F811
    # Given two days of equity history in staging's ledger and a report request
    staging = envs["staging"]["name"]
    for day, equity in ((date(2026, 11, 19), "100000"), (date(2026, 11, 20), "101500")):
        stamp = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        enqueue(
            trade_executed(staging, trading_date=day, equity=Decimal(equity), timestamp=stamp),
            environment=staging,
            allowed=allowed_environments(),
        )
    request = PnlReportRequest(correlation_id="wf-pnl", pnl_period="1W", as_of=date(2026, 11, 20))

    def report_stored() -> bool:
        return any(i["pk"]["S"] == "PNL_REPORT#paper" for i in _items(dynamodb, ledger))

    # When the ledger tasks have run and then the report task runs
    broker = ensure_broker(staging, allowed=allowed_environments())
    run_worker_until(broker, lambda: len(_items(dynamodb, ledger)) >= 6)
    enqueue(request, environment=staging, allowed=allowed_environments())
    run_worker_until(broker, report_stored)

    # Then the stored report holds the week's equity change
    [item] = [i for i in _items(dynamodb, ledger) if i["pk"]["S"] == "PNL_REPORT#paper"]
    report = PnlReport.model_validate_json(item["report"]["S"])
    assert report.total_pnl == Decimal("1500")
    assert report.correlation_id == "wf-pnl"


def test_an_invalid_payload_goes_to_the_dlq_without_retry(dynamodb, sqs, envs, ledger) -> None:  # noqa: F811
    # Given a ledger message whose payload is not a TradeExecuted
    dev = envs["dev"]["name"]
    broker = ensure_broker(dev, allowed=allowed_environments())
    trade_ledger_entry.send(event={"event_type": "TradeExecuted", "orders": "nope"})
    dlq = envs["dev"][f"alchemiser-{dev}_trade_ledger_dlq"]
    dead: list[dict[str, Any]] = []

    def dead_lettered() -> bool:
        dead.extend(received_messages(sqs, dlq))
        return bool(dead)

    # When a worker runs on dev's broker
    run_worker_until(broker, dead_lettered)

    # Then the message is dead-lettered once, never retried, and the ledger is untouched
    assert len(dead) == 1
    assert dead[0]["kwargs"]["event"]["orders"] == "nope"
    assert queue_depth(sqs, envs["dev"][f"alchemiser-{dev}_trade_ledger"]) == 0
    assert _items(dynamodb, ledger) == []
