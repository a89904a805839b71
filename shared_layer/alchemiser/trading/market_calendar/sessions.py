"""Where NYSE sessions come from: the ``SessionSource`` port, its range, the library source.

A source answers for a span of days at once, so a calendar over a remote source (Alpaca's
``/v2/calendar``) asks once per window, never once per query.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

from alchemiser.errors import CalendarRangeError

__all__ = [
    "FIRST_SUPPORTED_DAY",
    "LAST_SUPPORTED_DAY",
    "SUPPORTED_RANGE",
    "LibrarySessions",
    "SessionSource",
    "check_supported",
]

#: The days every calendar here answers for. From 1971, when the Monday holidays took
#: their present dates (``holidays`` and ``exchange_calendars`` agree on every day of the
#: range; before 1971 they do not), to 2100: far from ``date.min``/``date.max``, so no
#: step of a day ever overflows.
FIRST_SUPPORTED_DAY = date(1971, 1, 1)
LAST_SUPPORTED_DAY = date(2100, 12, 31)
SUPPORTED_RANGE = f"the supported range {FIRST_SUPPORTED_DAY}..{LAST_SUPPORTED_DAY}"
_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


class SessionSource(Protocol):
    """Tells which days the NYSE trades (implemented by the library table and Alpaca)."""

    def sessions(self, start: date, end: date) -> frozenset[date]:
        """Every NYSE trading day from start to end, both included."""
        ...


def check_supported(day: date) -> None:
    """Refuse a day outside the supported range before any arithmetic on it.

    Raises:
        CalendarRangeError: naming the day (year 1 and 9999 included: never OverflowError).
    """
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        raise CalendarRangeError(day, f"outside {SUPPORTED_RANGE}")


#: Every closed weekday of the supported range, generated from the holidays library (data,
#: not code: see ``tests/support/nyse_closures.py``).
CLOSURES_FILE = Path(__file__).with_name("nyse_closures.json")


@cache
def _closed_weekdays() -> frozenset[date]:
    # Read on first use: importing the calendar costs nothing, not 1,200 dates.
    table = json.loads(CLOSURES_FILE.read_text(encoding="utf-8"))
    return frozenset(map(date.fromisoformat, table["closed_weekdays"]))


class LibrarySessions:
    """The NYSE sessions the ``holidays`` library computes, from the table generated from it.

    Every weekday that is not a listed closure; one-off closures (national days of
    mourning, 2001-09-11..14, Hurricane Sandy) are in the table like rule holidays.
    """

    def sessions(self, start: date, end: date) -> frozenset[date]:
        """Every NYSE trading day from start to end, both included.

        Raises:
            CalendarRangeError: when start or end is outside the supported range.
        """
        check_supported(start)
        check_supported(end)
        closed = _closed_weekdays()
        days = set()
        day = start
        while day <= end:
            if day.weekday() < _SATURDAY and day not in closed:
                days.add(day)
            day += _ONE_DAY
        return frozenset(days)

    def __repr__(self) -> str:
        return "LibrarySessions()"
