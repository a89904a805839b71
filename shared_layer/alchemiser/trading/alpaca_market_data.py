"""Daily bars from Alpaca's market data API v2 (``GET /v2/stocks/bars``).

One request (and its pages) per call covers every symbol. A daily bar's ``t`` is
midnight New York expressed in UTC (04:00Z or 05:00Z), so its UTC date is the trading
date: no time zone database is needed. Prices are split- and dividend-adjusted by
default, which is what momentum and volatility should be measured on.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from alchemiser.errors import BrokerApiError
from alchemiser.trading.alpaca_config import DATA_URL
from alchemiser.trading.alpaca_http import AlpacaAdapter
from alchemiser.trading.alpaca_models import AlpacaBar, AlpacaBarsPage, parse
from alchemiser.trading.bars import Bar, select_window
from alchemiser.trading.market_calendar import previous_trading_day

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import date

    from alchemiser.trading.alpaca_config import AlpacaCredentials
    from alchemiser.trading.alpaca_http import RetryPolicy

__all__ = ["AlpacaMarketData"]

#: Extra trading days asked for beyond the lookback (a late or missing bar upstream).
_MARGIN_DAYS = 5
#: Pages followed at most; 10,000 bars a page covers years of a whole universe.
_MAX_PAGES = 50
_PAGE_LIMIT = "10000"


def _utc_midnight(day: date) -> str:
    """The start of ``day`` in UTC, in RFC 3339.

    A date alone is ambiguous (Alpaca does not say in which zone it reads one); midnight
    UTC falls four or five hours before that day's bar, which is stamped midnight New
    York, so as a start it takes that day's bar in and as an end it leaves it out.
    """
    return f"{day.isoformat()}T00:00:00Z"


def _bar(raw: AlpacaBar) -> Bar:
    return Bar(date=raw.t.date(), open=raw.o, high=raw.h, low=raw.l, close=raw.c, volume=raw.v)


class AlpacaMarketData(AlpacaAdapter):
    """``MarketData`` from Alpaca (``feed="iex"`` works on free accounts; ``sip`` is paid)."""

    DEFAULT_URL = DATA_URL

    def __init__(
        self,
        credentials: AlpacaCredentials,
        *,
        feed: Literal["iex", "sip"] = "iex",
        adjustment: Literal["raw", "split", "dividend", "all"] = "all",
        base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(credentials, base_url=base_url, timeout=timeout, retry=retry, sleep=sleep)
        self.feed = feed
        self.adjustment = adjustment

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        """Per symbol, the last ``lookback`` bars before ``as_of`` (see ``MarketData``)."""
        wanted = list(dict.fromkeys(symbols))
        if not wanted:
            return {}
        start = as_of
        for _ in range(lookback + _MARGIN_DAYS):
            start = previous_trading_day(start)
        fetched = self._fetch(wanted, start=start, end=as_of)
        return {s: select_window(s, fetched.get(s, []), lookback, as_of=as_of) for s in wanted}

    def bars_between(self, symbols: Sequence[str], start: date, end: date) -> dict[str, list[Bar]]:
        """Every daily bar of ``symbols`` from ``start`` to ``end``, both included.

        Oldest first; a symbol without bars is absent (the bar refresh's ``BarSource``).

        Raises:
            BrokerApiError: Alpaca failed after the retries, or sent too many pages.
        """
        wanted = list(dict.fromkeys(symbols))
        # _fetch's end is exclusive (the start of that day), so ask up to the next day.
        return self._fetch(wanted, start=start, end=end + timedelta(days=1)) if wanted else {}

    def _fetch(self, symbols: list[str], *, start: date, end: date) -> dict[str, list[Bar]]:
        """Bars stamped from ``start`` up to, not including, ``end``'s bar."""
        query = {
            "symbols": ",".join(symbols),
            "timeframe": "1Day",
            "start": _utc_midnight(start),
            "end": _utc_midnight(end),
            "limit": _PAGE_LIMIT,
            "adjustment": self.adjustment,
            "feed": self.feed,
            "sort": "asc",
        }
        bars: dict[str, list[Bar]] = {}
        for _ in range(_MAX_PAGES):
            body = self._http.get("/v2/stocks/bars", query)
            page = parse(AlpacaBarsPage, body, what="GET /v2/stocks/bars")
            for symbol, raw_bars in (page.bars or {}).items():
                bars.setdefault(symbol, []).extend(_bar(raw) for raw in raw_bars)
            if not page.next_page_token:
                return bars
            query["page_token"] = page.next_page_token
        raise BrokerApiError(
            f"Alpaca bars: more than {_MAX_PAGES} pages for {len(symbols)} symbols"
        )
