"""NYSE trading days, computed by rule so the layer needs no calendar data or network.

Full-day holidays only (early closes still trade). One-off closures the exchange
announces (national days of mourning, e.g. 2025-01-09) are not rules and are not
known here; on such a day the broker rejects orders and the workflow reports it.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

__all__ = ["is_trading_day", "nyse_holidays", "previous_trading_day", "trading_days"]

_ONE_DAY = timedelta(days=1)
_SATURDAY, _SUNDAY = 5, 6
_MONDAY, _THURSDAY = 0, 3
#: Juneteenth became an NYSE holiday in 2022.
_JUNETEENTH_FIRST_YEAR = 2022


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - _ONE_DAY
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _observed(day: date) -> date:
    """NYSE observance: a Saturday holiday moves to Friday, a Sunday one to Monday."""
    if day.weekday() == _SATURDAY:
        return day - _ONE_DAY
    if day.weekday() == _SUNDAY:
        return day + _ONE_DAY
    return day


@cache
def nyse_holidays(year: int) -> frozenset[date]:
    """The NYSE full-day holidays observed in ``year``.

    New Year's Day on a Saturday is not observed on the Friday before: that Friday is
    December 31 of the previous year, the last trading day of a fiscal year.
    """
    days = {
        _nth_weekday(year, 1, _MONDAY, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, _MONDAY, 3),  # Washington's Birthday
        _easter(year) - 2 * _ONE_DAY,  # Good Friday
        _last_weekday(year, 5, _MONDAY),  # Memorial Day
        _observed(date(year, 7, 4)),  # Independence Day
        _nth_weekday(year, 9, _MONDAY, 1),  # Labor Day
        _nth_weekday(year, 11, _THURSDAY, 4),  # Thanksgiving
        _observed(date(year, 12, 25)),  # Christmas
    }
    new_year = date(year, 1, 1)
    if new_year.weekday() != _SATURDAY:
        days.add(_observed(new_year))
    if year >= _JUNETEENTH_FIRST_YEAR:
        days.add(_observed(date(year, 6, 19)))
    return frozenset(days)


def is_trading_day(day: date) -> bool:
    """True when the NYSE is open on ``day`` (a weekday that is not a full-day holiday)."""
    return day.weekday() < _SATURDAY and day not in nyse_holidays(day.year)


def previous_trading_day(day: date) -> date:
    """The last trading day strictly before ``day``."""
    candidate = day - _ONE_DAY
    while not is_trading_day(candidate):
        candidate -= _ONE_DAY
    return candidate


def trading_days(start: date, end: date) -> tuple[date, ...]:
    """Every trading day from ``start`` to ``end``, both included, oldest first."""
    days = []
    day = start
    while day <= end:
        if is_trading_day(day):
            days.append(day)
        day += _ONE_DAY
    return tuple(days)
