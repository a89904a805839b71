"""The trade ledger in DynamoDB (moto): every order and the day's equity, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from alchemiser.errors import ConfigError
from alchemiser.reports import record_trade_ledger_entry
from tests.integration.test_broker_env_reset import trade_executed


def _items(dynamodb, table, prefix):
    return [i for i in dynamodb.scan(TableName=table)["Items"] if i["pk"]["S"].startswith(prefix)]


def test_ledger_records_each_order_and_the_equity_snapshot(dynamodb, ledger_table) -> None:
    # Given a TradeExecuted with a filled and a rejected order
    equity = Decimal("100250.75")
    event = trade_executed("dev", equity=equity)

    # When it is recorded
    result = record_trade_ledger_entry(event, table_name=ledger_table, client=dynamodb)

    # Then each outcome is an item with its exact figures, and the account is the day's equity
    assert (result.orders_recorded, result.equity_snapshot) == (2, "written")
    orders = {i["symbol"]["S"]: i for i in _items(dynamodb, ledger_table, "ORDERS#")}
    assert orders["SPY"]["average_price"]["N"] == "450.12"
    assert orders["TLT"]["status"]["S"] == "rejected"
    assert orders["TLT"]["error"]["S"] == "insufficient quantity"
    [snapshot] = _items(dynamodb, ledger_table, "EQUITY#")
    assert snapshot["sk"]["S"] == event.trading_date.isoformat()
    assert Decimal(snapshot["equity"]["N"]) == equity


def test_a_redelivered_event_changes_nothing(dynamodb, ledger_table) -> None:
    # Given an event already recorded
    event = trade_executed("dev")
    record_trade_ledger_entry(event, table_name=ledger_table, client=dynamodb)
    before = dynamodb.scan(TableName=ledger_table)["Items"]

    # When the same event is delivered again
    again = record_trade_ledger_entry(event, table_name=ledger_table, client=dynamodb)

    # Then nothing was written and the table is unchanged
    assert (again.orders_recorded, again.orders_already_recorded) == (0, 2)
    assert again.equity_snapshot == "kept_existing"
    assert dynamodb.scan(TableName=ledger_table)["Items"] == before


def test_the_newest_run_of_a_day_owns_its_equity_snapshot(dynamodb, ledger_table) -> None:
    # Given two runs on the same trading date, the later one with a different equity
    early = trade_executed(
        "dev", equity=Decimal("100000"), timestamp=datetime(2026, 11, 20, 14, tzinfo=UTC)
    )
    late_equity = Decimal("100750.25")
    late = trade_executed(
        "dev", equity=late_equity, timestamp=datetime(2026, 11, 20, 15, tzinfo=UTC)
    )

    # When the later run is recorded first and the earlier one arrives afterwards
    record_trade_ledger_entry(late, table_name=ledger_table, client=dynamodb)
    stale = record_trade_ledger_entry(early, table_name=ledger_table, client=dynamodb)

    # Then the later run's equity stays, while both runs' orders are kept
    assert stale.equity_snapshot == "kept_existing"
    [snapshot] = _items(dynamodb, ledger_table, "EQUITY#")
    assert Decimal(snapshot["equity"]["N"]) == late_equity
    assert len(_items(dynamodb, ledger_table, "ORDERS#")) == 4


def test_a_missing_ledger_table_is_a_config_error(dynamodb, uid) -> None:
    with pytest.raises(ConfigError, match=f"ledger-missing-{uid}"):
        record_trade_ledger_entry(
            trade_executed("dev"), table_name=f"ledger-missing-{uid}", client=dynamodb
        )
