"""The real NYSE calendar, one-off closures included (2025-01-09, 2001-09-11..14, ...).

Two sources behind one ``SessionSource`` port: Alpaca's calendar when Alpaca is
configured (``daily_calendar(source)``: asked once per container and New York day), and
otherwise the sessions the maintained ``holidays`` library computes (``LibrarySessions``,
behind the module-level functions). Every date is bounded: outside 1971..2100 a named
``CalendarRangeError``, never an ``OverflowError``.

Why the layer ships a table generated from ``holidays`` rather than a library. Measured
with Python 3.12 on manylinux2014_x86_64 wheels installed with their dependencies and
bytecode into a scratch dir (boto3's closure left out: the runtime has it); import and
first query (is 2025-01-09 closed?) timed in fresh ``-I -S`` interpreters, medians of 7,
where ``import boto3`` took 97 ms; one-offs: 2001-09-11..14, 2004-06-11, 2007-01-02,
2012-10-29..30, 2018-12-05 and 2025-01-09 all closed:

===========================  ===========  =========  ===========  ========
candidate                    unzipped MB  import ms  first query  one-offs
===========================  ===========  =========  ===========  ========
holidays 0.109 (NYSE)        10.0         83         0.6 ms       yes
exchange_calendars 4.13      140          282        105 ms       yes
pandas_market_calendars 5.5  141          295        91 ms        yes
this table (from holidays)   0.09         2.0        0.5 ms       yes
===========================  ===========  =========  ===========  ========

In a cold router container the table's first answer costs 1.0 ms (bench_market_calendar).
The layer had 16.2 MB of the 20 MB it may use, so no library fits: holidays comes
closest, but it installs every country and locale it knows and its NYSE calendar imports
every exchange plus importlib.metadata. The table is what holidays computes for the
supported range (tests/support/nyse_closures.py writes it; a test fails when it is not
what the locked holidays version computes), and the oracle test compares every day of
1971..2100 with exchange_calendars' XNYS sessions: zero mismatches. A closure announced
later (a national day of mourning) comes from Alpaca's calendar the same day when it is
configured; for the library calendar, bump holidays in uv.lock, regenerate and deploy.
Not candidates: NYSECalendar 0.0.4 (4 KB, but last released 2022: no 2025-01-09),
trading-calendars (unmaintained since 2021, pandas), workalendar (no NYSE calendar).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alchemiser.container import container_cache
from alchemiser.trading.market_calendar.sessions import (
    FIRST_SUPPORTED_DAY,
    LAST_SUPPORTED_DAY,
    LibrarySessions,
    SessionSource,
)
from alchemiser.trading.market_calendar.trading_calendar import MarketCalendar

if TYPE_CHECKING:
    from datetime import date

__all__ = [
    "FIRST_SUPPORTED_DAY",
    "LAST_SUPPORTED_DAY",
    "LibrarySessions",
    "MarketCalendar",
    "SessionSource",
    "clear_caches",
    "daily_calendar",
    "is_trading_day",
    "library_calendar",
    "next_trading_day",
    "previous_trading_day",
    "trading_days",
]


@container_cache
def library_calendar() -> MarketCalendar:
    """The container's calendar over the library sessions (static: never re-asked)."""
    return MarketCalendar(LibrarySessions())


@container_cache
def daily_calendar(source: SessionSource) -> MarketCalendar:
    """The container's calendar over ``source`` (Alpaca's), re-asked each New York day.

    One calendar per source: pass the container's one source object, or sources that
    compare equal when they answer the same (e.g. frozen dataclasses of their settings).
    It fetches three calendar years around the first day asked about in one call, and
    again only on a new New York day (a warm container then sees a closure announced
    since yesterday); a new container forgets it.
    """
    from alchemiser.clock import new_york_today  # noqa: PLC0415 - only for a remote source

    return MarketCalendar(source, today=new_york_today)


def clear_caches() -> None:
    """Forget the container's calendars now (``new_container`` forgets them too)."""
    library_calendar.cache_clear()
    daily_calendar.cache_clear()


def is_trading_day(day: date) -> bool:
    """True when the NYSE is open on ``day`` (library calendar).

    Raises:
        CalendarRangeError: for a day outside the supported range.
    """
    return library_calendar().is_trading_day(day)


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before ``day`` (library calendar).

    Raises:
        CalendarRangeError: when ``day`` or the answer is outside the supported range.
    """
    return library_calendar().previous_trading_day(day)


def next_trading_day(day: date) -> date:
    """The first trading day strictly after ``day`` (library calendar).

    Raises:
        CalendarRangeError: when ``day`` or the answer is outside the supported range.
    """
    return library_calendar().next_trading_day(day)


def trading_days(start: date, end: date) -> tuple[date, ...]:
    """Every trading day from ``start`` to ``end``, both included, oldest first (library).

    Raises:
        CalendarRangeError: when either end is outside the supported range.
    """
    return library_calendar().trading_days(start, end)
