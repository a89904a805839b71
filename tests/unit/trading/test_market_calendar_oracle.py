"""The shipped calendar against two maintained ones: exchange_calendars and holidays.

exchange_calendars' XNYS (pandas, numpy: far too big for the layer) is the oracle for
every day; holidays is what the shipped table is generated from, and the table must be
exactly what the locked holidays version computes.
"""

from __future__ import annotations

from datetime import date, timedelta

import exchange_calendars
import pytest

from alchemiser.trading import is_trading_day, trading_days
from alchemiser.trading.market_calendar import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY
from tests.support import nyse_closures

# Raised inside exchange_calendars by pandas 3.1 (it reads Series.values); not our code.
pytestmark = pytest.mark.filterwarnings("ignore:Series.values returning an ndarray")


def _xnys_sessions(start: date, end: date) -> set[date]:
    xnys = exchange_calendars.get_calendar("XNYS", start=start.isoformat(), end=end.isoformat())
    return {session.date() for session in xnys.sessions}


def _every_day(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2000, 1, 1), date(2030, 12, 31)),
        (FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY),
    ],
    ids=["2000-2030", "supported-range"],
)
def test_calendar_matches_xnys_on_every_day(start, end):
    # Given exchange_calendars' XNYS sessions for the span
    sessions = _xnys_sessions(start, end)

    # When every day of it is asked
    mismatches = [day for day in _every_day(start, end) if is_trading_day(day) != (day in sessions)]

    # Then there is no mismatch, and trading_days lists exactly XNYS's sessions
    assert mismatches == []
    assert trading_days(start, end) == tuple(sorted(sessions))


def test_calendar_table_is_what_the_locked_holidays_computes():
    # Given the table module shipped in the layer
    shipped = nyse_closures.TABLE.read_text()

    # Then it is what the generator writes from holidays today
    assert shipped == nyse_closures.render(), (
        "the NYSE closure table is stale: run `.venv/bin/python -m tests.support.nyse_closures "
        "--write` and commit it"
    )
