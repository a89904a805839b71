"""The Alpaca emulator's market: its simulated clock, the NYSE calendar and daily bars.

Answers are shaped like Alpaca's: ``/v2/clock`` in New York time, ``/v2/calendar`` with
``open``/``close``/``settlement_date`` per session, and ``/v2/stocks/bars`` sorted by
symbol then timestamp, at most ``limit`` bars a page in all, continued with an opaque
``next_page_token`` (base64 of ``SYMBOL|D|timestamp``, as Alpaca's tokens are). A daily
bar's ``t`` is midnight New York in UTC.

Alpaca does not document which zone a date-only ``start``/``end`` means; the emulator
reads it as midnight New York of that date, and the adapters send RFC 3339 so they
never depend on it. Early closes are not modelled (``market_calendar`` knows none).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from alchemiser.clock import to_new_york
from alchemiser.trading import is_trading_day, trading_days
from alchemiser.trading.market_calendar import FIRST_SUPPORTED_DAY

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from decimal import Decimal

    from alchemiser.trading import Bar

__all__ = [
    "CALENDAR_FIRST",
    "CALENDAR_LAST",
    "RUN_TIME",
    "EmulatedMarket",
    "EmulatorRequestError",
    "alpaca_code",
    "new_york",
    "rfc3339",
]

#: The years Alpaca's calendar serves ("the full list of market days from 1970 to 2029"),
#: from where the library calendar this emulator answers with begins (1971).
CALENDAR_FIRST = FIRST_SUPPORTED_DAY
CALENDAR_LAST = date(2029, 12, 31)
_OPEN, _CLOSE = time(9, 30), time(16, 0)
#: When the simulated day starts: just after the open, when the scheduled runs trade.
RUN_TIME = time(9, 35)
_MAX_LIMIT = 10_000
_DEFAULT_LIMIT = 1_000
_FEEDS = frozenset({"sip", "iex", "otc", "boats"})
_ADJUSTMENTS = frozenset({"raw", "split", "dividend", "spin-off", "all"})
_DAILY = frozenset({"1Day", "1D"})
#: T+1 settlement since 2024-05-28 (T+2 before).
_T_PLUS_ONE = date(2024, 5, 28)


def alpaca_code(status: int) -> int:
    """Alpaca's error code for an HTTP status: the status, then 10000 (403 -> 40310000)."""
    return status * 100_000 + 10_000


class EmulatorRequestError(Exception):
    """Raised inside the emulator for a request Alpaca would refuse: becomes its answer."""

    def __init__(self, status: int, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"code": code if code is not None else alpaca_code(status), "message": message}


def rfc3339(instant: datetime) -> str:
    """``instant`` in UTC with a ``Z``, as Alpaca writes timestamps."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def new_york(day: date, at: time) -> datetime:
    """``day`` at wall-clock ``at`` in New York (the offset of noon that day)."""
    offset = to_new_york(datetime.combine(day, time(12), tzinfo=UTC)).tzinfo
    return datetime.combine(day, at, tzinfo=offset)


def _parse_bound(name: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        if len(text) == len("YYYY-MM-DD"):
            return new_york(date.fromisoformat(text), time(0))
        instant = datetime.fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None or instant.tzinfo is None:
        raise EmulatorRequestError(400, f"invalid {name}: {text!r} is not RFC-3339 or a date")
    return instant


def _choice(query: Mapping[str, str], name: str, allowed: frozenset[str], default: str) -> str:
    value = query.get(name, default)
    if not set(value.split(",")) <= allowed:
        raise EmulatorRequestError(400, f"invalid {name}: {value!r}")
    return value


def _limit(query: Mapping[str, str]) -> int:
    text = query.get("limit", str(_DEFAULT_LIMIT))
    if not text.isdigit() or not 1 <= int(text) <= _MAX_LIMIT:
        raise EmulatorRequestError(400, f"invalid limit: {text!r} (1 to {_MAX_LIMIT})")
    return int(text)


def _number(value: Decimal) -> float | int:
    """A price as Alpaca sends it: a JSON number (its shortest repr keeps the cents)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _bar_json(bar: Bar) -> dict[str, Any]:
    vwap = (bar.high + bar.low + bar.close) / 3
    return {
        "t": rfc3339(new_york(bar.date, time(0))),
        "o": _number(bar.open),
        "h": _number(bar.high),
        "l": _number(bar.low),
        "c": _number(bar.close),
        "v": int(bar.volume),
        "n": max(1, int(bar.volume) // 100),
        "vw": round(float(vwap), 6),
    }


def _token(symbol: str, day: date) -> str:
    text = f"{symbol}|D|{rfc3339(new_york(day, time(0)))}"
    return base64.b64encode(text.encode()).decode()


def _resume(keys: list[tuple[str, date]], token: str | None) -> int:
    if token is None:
        return 0
    try:
        symbol, _, stamp = base64.b64decode(token, validate=True).decode().split("|")
        key = (symbol, to_new_york(datetime.fromisoformat(stamp)).date())
        return keys.index(key) + 1
    except (ValueError, binascii.Error) as exc:
        raise EmulatorRequestError(400, "invalid page token") from exc


@dataclass
class EmulatedMarket:
    """Bars by symbol (oldest first) and the simulated "now" every answer is relative to."""

    bars: dict[str, tuple[Bar, ...]]
    now: datetime
    #: Bars a page holds at most whatever ``limit`` asks ("the API may return less").
    page_cap: int = _MAX_LIMIT

    @classmethod
    def build(cls, bars: Mapping[str, Sequence[Bar]], today: date) -> EmulatedMarket:
        """A market on ``today`` at 09:35 New York (just after the open, when runs trade)."""
        return cls(_ordered(bars), new_york(today, RUN_TIME))

    def replace_bars(self, bars: Mapping[str, Sequence[Bar]]) -> None:
        """Serve ``bars`` from now on (the local stack feeds the bars it seeded)."""
        self.bars = _ordered(bars)

    @property
    def today(self) -> date:
        """The simulated New York date."""
        return to_new_york(self.now).date()

    def knows(self, symbol: str) -> bool:
        """True for a symbol with bars (an asset the emulator can trade)."""
        return bool(self.bars.get(symbol))

    def close_before(self, symbol: str, day: date) -> Decimal | None:
        """The latest close dated before ``day``: what a market order fills at."""
        usable = [bar for bar in self.bars.get(symbol, ()) if bar.date < day]
        return usable[-1].close if usable else None

    def clock(self) -> dict[str, Any]:
        """``GET /v2/clock``."""
        ny = to_new_york(self.now)
        open_today = is_trading_day(ny.date()) and _OPEN <= ny.time() < _CLOSE
        next_open = self._next_session(ny, _OPEN)
        next_close = self._next_session(ny, _CLOSE)
        return {
            "timestamp": ny.isoformat(),
            "is_open": open_today,
            "next_open": next_open.isoformat(),
            "next_close": next_close.isoformat(),
        }

    def _next_session(self, ny: datetime, at: time) -> datetime:
        day = ny.date()
        if not (is_trading_day(day) and ny.time() < at):
            day = _next_trading_day(day)
        return new_york(day, at)

    def calendar(self, query: Mapping[str, str]) -> list[dict[str, Any]]:
        """``GET /v2/calendar``: the sessions from ``start`` to ``end`` (dates or RFC 3339)."""
        start = _parse_bound("start", query.get("start"))
        end = _parse_bound("end", query.get("end"))
        first = max(CALENDAR_FIRST, to_new_york(start).date() if start else CALENDAR_FIRST)
        last = min(CALENDAR_LAST, to_new_york(end).date() if end else CALENDAR_LAST)
        if last < first:  # wholly outside what the calendar serves
            return []
        return [_session(day) for day in trading_days(first, last)]

    def stock_bars(self, query: Mapping[str, str]) -> dict[str, Any]:
        """``GET /v2/stocks/bars`` (daily bars only)."""
        wanted = _BarsQuery.parse(query, now=self.now)
        rows = [(symbol, bar) for symbol in wanted.symbols for bar in self._window(symbol, wanted)]
        keys = [(symbol, bar.date) for symbol, bar in rows]
        offset = _resume(keys, query.get("page_token"))
        page = rows[offset : offset + min(wanted.limit, self.page_cap)]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for symbol, bar in page:
            grouped.setdefault(symbol, []).append(_bar_json(bar))
        more = offset + len(page) < len(rows)
        return {
            "bars": grouped,
            "next_page_token": _token(*keys[offset + len(page) - 1]) if more else None,
        }

    def _window(self, symbol: str, wanted: _BarsQuery) -> list[Bar]:
        # A daily bar exists once its session has closed.
        chosen = [
            bar
            for bar in self.bars.get(symbol, ())
            if wanted.start <= new_york(bar.date, time(0)) <= wanted.end
            and new_york(bar.date, _CLOSE) <= self.now
        ]
        return chosen[::-1] if wanted.newest_first else chosen


@dataclass(frozen=True)
class _BarsQuery:
    """What a ``/v2/stocks/bars`` query asks for, checked as Alpaca checks it (400s)."""

    symbols: list[str]
    start: datetime
    end: datetime
    limit: int
    newest_first: bool

    @classmethod
    def parse(cls, query: Mapping[str, str], *, now: datetime) -> _BarsQuery:
        symbols = sorted({s for s in query.get("symbols", "").split(",") if s})
        if not symbols:
            raise EmulatorRequestError(400, "symbols is required")
        if query.get("timeframe") not in _DAILY:
            raise EmulatorRequestError(400, "invalid timeframe: the emulator serves 1Day bars")
        _choice(query, "feed", _FEEDS, "sip")
        _choice(query, "adjustment", _ADJUSTMENTS, "raw")
        return cls(
            symbols=symbols,
            # Alpaca's default start: the beginning of the current day.
            start=_parse_bound("start", query.get("start"))
            or new_york(to_new_york(now).date(), time(0)),
            end=_parse_bound("end", query.get("end")) or now,
            limit=_limit(query),
            newest_first=_choice(query, "sort", frozenset({"asc", "desc"}), "asc") == "desc",
        )


def _ordered(bars: Mapping[str, Sequence[Bar]]) -> dict[str, tuple[Bar, ...]]:
    return {s: tuple(sorted(series, key=lambda bar: bar.date)) for s, series in bars.items()}


def _next_trading_day(day: date) -> date:
    candidate = day + timedelta(days=1)
    while not is_trading_day(candidate):
        candidate += timedelta(days=1)
    return candidate


def _session(day: date) -> dict[str, str]:
    settles = _next_trading_day(day)
    if day < _T_PLUS_ONE:
        settles = _next_trading_day(settles)
    return {
        "date": day.isoformat(),
        "open": _OPEN.strftime("%H:%M"),
        "close": _CLOSE.strftime("%H:%M"),
        "session_open": "0400",
        "session_close": "2000",
        "settlement_date": settles.isoformat(),
    }
