"""PnL reports from the ledger's equity history (moto DynamoDB)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from alchemiser.errors import PnlHistoryMissingError
from alchemiser.reports import (
    PnlReport,
    PnlReportRequest,
    build_pnl_report,
    record_trade_ledger_entry,
)
from tests.integration.test_broker_env_reset import (
    logs,  # noqa: F401 - fixture
    trade_executed,
)

#: Closing equity after each run (paper account): two ISO weeks of November 2026.
HISTORY = {
    date(2026, 11, 6): Decimal("100000"),  # Friday of week 45
    date(2026, 11, 9): Decimal("101000"),  # week 46
    date(2026, 11, 13): Decimal("102500"),
    date(2026, 11, 16): Decimal("102000"),  # week 47
    date(2026, 11, 18): Decimal("103000"),
}
AS_OF = date(2026, 11, 18)


@pytest.fixture
def history(dynamodb, ledger_table):
    for day, equity in HISTORY.items():
        stamp = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
        event = trade_executed("dev", trading_date=day, equity=equity, timestamp=stamp)
        record_trade_ledger_entry(event, table_name=ledger_table, client=dynamodb)
    return ledger_table


def _report(dynamodb, table: str, **basis) -> PnlReport:
    request = PnlReportRequest(correlation_id="wf-pnl", as_of=AS_OF, **basis)
    return build_pnl_report(request, table_name=table, client=dynamodb)


def test_weekly_report_measures_each_week_from_the_previous_close(dynamodb, history) -> None:
    # When two weekly periods ending on Wednesday of week 47 are asked for
    report = _report(dynamodb, history, pnl_type="weekly", pnl_periods=2)

    # Then week 46 runs from week 45's close to its own, week 47 from there to as_of
    assert [(p.label, p.start_equity, p.end_equity) for p in report.periods] == [
        ("2026-W46", HISTORY[date(2026, 11, 6)], HISTORY[date(2026, 11, 13)]),
        ("2026-W47", HISTORY[date(2026, 11, 13)], HISTORY[date(2026, 11, 18)]),
    ]
    assert [(p.pnl, p.return_pct) for p in report.periods] == [
        (Decimal("2500"), Decimal("2.50")),
        (Decimal("500"), Decimal("0.49")),
    ]
    assert (report.total_pnl, report.total_return_pct) == (Decimal("3000"), Decimal("3.00"))


def test_monthly_report_starts_from_the_first_snapshot_when_history_begins_inside(
    dynamodb, history
) -> None:
    report = _report(dynamodb, history, pnl_type="monthly")

    [november] = report.periods
    assert (november.label, november.start, november.end) == ("2026-11", date(2026, 11, 1), AS_OF)
    assert (november.start_equity, november.pnl, november.snapshots) == (
        Decimal("100000"),
        Decimal("3000"),
        len(HISTORY),
    )


def test_trailing_window_starts_from_the_last_snapshot_on_or_before_it(dynamodb, history) -> None:
    # When the last week (11-11 .. 11-18) is asked for
    report = _report(dynamodb, history, pnl_period="1W")

    # Then it starts from Monday 11-09's equity, the last one before the window
    [window] = report.periods
    assert (window.start_equity, window.end_equity) == (Decimal("101000"), Decimal("103000"))
    assert window.return_pct == Decimal("1.98")


def test_the_report_is_stored_and_logged_with_its_figures(
    dynamodb,
    history,
    logs,  # noqa: F811 - fixture
) -> None:
    report = _report(dynamodb, history, pnl_type="weekly")

    item = dynamodb.get_item(
        TableName=history,
        Key={"pk": {"S": "PNL_REPORT#paper"}, "sk": {"S": f"{AS_OF.isoformat()}#wf-pnl"}},
    )["Item"]
    assert PnlReport.model_validate_json(item["report"]["S"]) == report
    [line] = [line for line in logs if line["event"] == "pnl_report_built"]
    assert line["total_pnl"] == report.total_pnl
    assert line["periods"][0]["label"] == "2026-W47"


@pytest.mark.parametrize(
    "basis",
    [
        {"pnl_type": "weekly", "as_of": date(2026, 11, 1)},  # before the history begins
        {"pnl_period": "1M", "trading_mode": "live"},  # the live account has no history
    ],
)
def test_no_history_in_the_periods_is_a_clear_error(dynamodb, history, basis) -> None:
    request = PnlReportRequest.model_validate({"correlation_id": "wf-pnl", "as_of": AS_OF, **basis})
    with pytest.raises(PnlHistoryMissingError, match="no equity snapshot"):
        build_pnl_report(request, table_name=history, client=dynamodb)
