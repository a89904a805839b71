"""``alchemiser run`` across closed weekdays: the schedule fires MON-FRI, the calendar decides.

January 2025 has a one-off closure (2025-01-09, the national day of mourning for
President Carter) and a rule holiday (2025-01-20, Martin Luther King Jr. Day).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from alchemiser.errors import CalendarRangeError
from alchemiser.trading import previous_trading_day
from alchemiser_local.runner import new_york_open, schedule_days
from tests.e2e.test_alchemiser_run import alchemiser
from tests.support.samples import WORKFLOW

CLOSED = {"2025-01-09", "2025-01-20"}


@pytest.fixture(scope="module")
def january(tmp_path_factory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("january")
    result = alchemiser("run", "--days", "20", "--start", "2025-01-06", "--out", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads((out / "report.json").read_text()), out


def test_run_fires_the_schedule_on_every_weekday_and_completes_each(january):
    report, _ = january
    dates = [day["trading_date"] for day in report["days"]]
    # 20 weekdays: 2025-01-06 (Monday) to 2025-01-31 (Friday), closed ones included
    assert len(dates) == 20
    assert (dates[0], dates[-1]) == ("2025-01-06", "2025-01-31")
    assert set(dates) >= CLOSED
    assert report["succeeded"] is True
    assert all(day["completed"] for day in report["days"])


def test_run_records_market_closed_with_no_orders_on_closed_days(january):
    report, _ = january
    for day in report["days"]:
        if day["trading_date"] in CLOSED:
            assert day["outcome"] == "market_closed", day
            assert day["orders"] == []
            assert day["events"] == ["WorkflowStarted", "WorkflowCompleted"]
        else:
            assert day["outcome"] == "traded", day
            assert day["events"] == WORKFLOW


def test_run_trades_the_day_after_a_closure_on_bars_that_skip_it(january):
    report, out = january
    days = {day["trading_date"]: day for day in report["days"]}
    friday = days["2025-01-10"]
    assert friday["orders"]
    assert {order["status"] for order in friday["orders"]} == {"filled"}

    # The Friday plan values the account at the closes the closed Thursday was valued at
    # (the latest bar before each is Wednesday's): no bar is dated on the closure.
    lines = [json.loads(line) for line in (out / "lambda-logs.jsonl").read_text().splitlines()]
    (planned,) = [
        line
        for line in lines
        if line["event"] == "rebalance_planned"
        and line.get("correlation_id") == friday["correlation_id"]
    ]
    assert planned["equity"] == days["2025-01-09"]["equity"]


def test_schedule_days_are_weekdays_from_the_start_closed_ones_included():
    days = schedule_days(5, date(2025, 1, 16))
    assert days == [
        date(2025, 1, 16),
        date(2025, 1, 17),
        date(2025, 1, 20),  # Martin Luther King Jr. Day: the cron fires all the same
        date(2025, 1, 21),
        date(2025, 1, 22),
    ]


def test_schedule_days_by_default_end_on_the_last_trading_day():
    days = schedule_days(3, None)
    assert days[-1] == previous_trading_day(datetime.now(UTC).date())
    assert len(days) == 3
    assert all(day.weekday() < 5 for day in days)
    assert days == sorted(days)


def test_schedule_days_outside_the_calendar_are_refused_by_name():
    with pytest.raises(CalendarRangeError, match="9999-12-31"):
        schedule_days(3, date(9999, 12, 31))


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        (date(2025, 1, 9), datetime(2025, 1, 9, 14, 35, tzinfo=UTC)),  # EST
        (date(2025, 7, 9), datetime(2025, 7, 9, 13, 35, tzinfo=UTC)),  # EDT
        (date(2025, 3, 10), datetime(2025, 3, 10, 13, 35, tzinfo=UTC)),  # the Monday after
    ],
)
def test_new_york_open_is_0935_new_york_time(day, utc):
    assert new_york_open(day) == utc
