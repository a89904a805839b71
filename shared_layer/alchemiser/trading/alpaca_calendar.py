"""NYSE trading days from Alpaca's market calendar (``GET /v2/calendar``, trading API).

A ``SessionSource`` for the NYSE calendar: every session Alpaca lists, so one-off
closures (a national day of mourning, as on 2025-01-09) are known, which no rule-based
calendar can know in advance. Same keys and base URL as ``AlpacaBroker``.

Coverage: Alpaca's calendar serves 1970 to 2029 and answers a range reaching past that
with the days it has, which would read as "closed". So the adapter asks for a week more
on each side and wants a session in each of those weeks: since 1970 the NYSE has never
been closed seven days running (the longest closure, 11-16 September 2001, is six days
with its weekend), so a padding week without a session means the calendar does not
reach that far, and the answer is an error rather than a wrong calendar.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from alchemiser.errors import BrokerResponseError
from alchemiser.trading.alpaca_config import PAPER_TRADING_URL
from alchemiser.trading.alpaca_http import AlpacaAdapter
from alchemiser.trading.alpaca_models import AlpacaSessions, parse

if TYPE_CHECKING:
    from datetime import date

__all__ = ["AlpacaCalendar"]

#: Longer than any NYSE closure since 1970 (six days), so it always holds a session.
_PADDING = timedelta(days=7)
_WHAT = "GET /v2/calendar"


class AlpacaCalendar(AlpacaAdapter):
    """NYSE sessions from Alpaca's calendar (``SessionSource``)."""

    DEFAULT_URL = PAPER_TRADING_URL

    def sessions(self, start: date, end: date) -> frozenset[date]:
        """Every NYSE trading day from ``start`` to ``end``, both included.

        Raises:
            BrokerResponseError: Alpaca's calendar does not cover the range (or answered
                with days outside what was asked).
            BrokerApiError: Alpaca kept failing (5xx, 429, timeouts) after the retries.
        """
        if end < start:
            return frozenset()
        first, last = start - _PADDING, end + _PADDING
        query = {"start": first.isoformat(), "end": last.isoformat()}
        listed = parse(AlpacaSessions, self._http.get("/v2/calendar", query), what=_WHAT)
        days = {session.date for session in listed.items}
        _check_covered(days, start, end)
        return frozenset(day for day in days if start <= day <= end)


def _check_covered(days: set[date], start: date, end: date) -> None:
    """Raise unless ``days`` reach a session past both ends, and no further than asked."""
    first, last = start - _PADDING, end + _PADDING
    strays = sorted(day for day in days if not first <= day <= last)
    if strays:
        raise BrokerResponseError(
            f"Alpaca {_WHAT}: sessions outside {first} to {last} (first {strays[0]})"
        )
    if not any(day < start for day in days) or not any(day > end for day in days):
        raise BrokerResponseError(
            f"Alpaca {_WHAT}: no session in the week before {start} or after {end}; the"
            " calendar does not cover the range (it serves 1970 to 2029)"
        )
