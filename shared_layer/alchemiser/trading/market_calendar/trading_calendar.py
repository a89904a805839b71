"""``MarketCalendar``: trading-day questions over any ``SessionSource``, asked per window.

The source is asked for whole calendar years (the queried year and its neighbours, in
one call), so a day's questions cost one request to a remote source; a calendar given a
``today`` clock forgets what it fetched when that date changes, so a warm container
re-asks once per day and still sees a closure announced since yesterday.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date
from typing import TYPE_CHECKING

from alchemiser.errors import CalendarRangeError
from alchemiser.trading.market_calendar.sessions import (
    FIRST_SUPPORTED_DAY,
    LAST_SUPPORTED_DAY,
    SUPPORTED_RANGE,
    check_supported,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser.trading.market_calendar.sessions import SessionSource

__all__ = ["MarketCalendar"]


class MarketCalendar:
    """NYSE trading days from ``source``, fetched a window of years at a time.

    Args:
        source: where the sessions come from (the library table, Alpaca's calendar).
        today: the date whose change drops every fetched year (for a source whose answer
            can change: a closure announced today); ``None`` keeps them for good.
    """

    def __init__(self, source: SessionSource, *, today: Callable[[], date] | None = None) -> None:
        self._source = source
        self._today = today
        self._fetched_on: date | None = None
        self._years: dict[int, tuple[date, ...]] = {}

    def is_trading_day(self, day: date) -> bool:
        """True when the NYSE is open on ``day``.

        Raises:
            CalendarRangeError: outside the supported range or the years the source knows.
        """
        self._forget_if_new_day()
        days = self._sessions_of(day, window=True)
        index = bisect_left(days, day)
        return index < len(days) and days[index] == day

    def previous_trading_day(self, day: date) -> date:
        """The last trading day strictly before ``day``.

        Raises:
            CalendarRangeError: when ``day`` or the answer is outside the supported range.
        """
        return self._nearest(day, later=False)

    def next_trading_day(self, day: date) -> date:
        """The first trading day strictly after ``day``.

        Raises:
            CalendarRangeError: when ``day`` or the answer is outside the supported range.
        """
        return self._nearest(day, later=True)

    def trading_days(self, start: date, end: date) -> tuple[date, ...]:
        """Every trading day from ``start`` to ``end``, both included, oldest first.

        Raises:
            CalendarRangeError: when either end is outside the supported range.
        """
        check_supported(start)
        check_supported(end)
        if start > end:
            return ()
        self._forget_if_new_day()
        self._fetch(start.year, end.year)
        found: list[date] = []
        for year in range(start.year, end.year + 1):
            days = self._sessions_of(date(year, 1, 1))
            found.extend(days[bisect_left(days, start) : bisect_right(days, end)])
        return tuple(found)

    def _nearest(self, day: date, *, later: bool) -> date:
        """The trading day nearest ``day``, strictly after it or strictly before it."""
        self._forget_if_new_day()
        days = self._sessions_of(day, window=True)
        year = day.year
        while True:
            index = bisect_right(days, day) if later else bisect_left(days, day) - 1
            if 0 <= index < len(days):
                return days[index]
            year += 1 if later else -1
            if not FIRST_SUPPORTED_DAY.year <= year <= LAST_SUPPORTED_DAY.year:
                side = "after" if later else "before"
                raise CalendarRangeError(day, f"no trading day {side} it in {SUPPORTED_RANGE}")
            days = self._sessions_of(date(year, 1, 1))

    def _forget_if_new_day(self) -> None:
        if self._today is not None and (today := self._today()) != self._fetched_on:
            self._years.clear()
            self._fetched_on = today

    def _sessions_of(self, day: date, *, window: bool = False) -> tuple[date, ...]:
        """The sorted sessions of ``day``'s year, fetched with its neighbours if ``window``."""
        check_supported(day)
        if day.year not in self._years:
            around = 1 if window else 0
            self._fetch(day.year - around, day.year + around)
        days = self._years[day.year]
        if not days:
            raise CalendarRangeError(day, f"{self._source!r} has no sessions in {day.year}")
        return days

    def _fetch(self, first_year: int, last_year: int) -> None:
        """Ask the source once for every year from ``first_year`` to ``last_year`` not held."""
        first_year = max(first_year, FIRST_SUPPORTED_DAY.year)
        last_year = min(last_year, LAST_SUPPORTED_DAY.year)
        missing = [year for year in range(first_year, last_year + 1) if year not in self._years]
        if not missing:
            return
        sessions = self._source.sessions(date(missing[0], 1, 1), date(missing[-1], 12, 31))
        by_year: dict[int, list[date]] = {year: [] for year in range(missing[0], missing[-1] + 1)}
        for day in sessions:
            if day.year in by_year:
                by_year[day.year].append(day)
        self._years.update({year: tuple(sorted(days)) for year, days in by_year.items()})
