"""AlpacaMarketData against a fake Alpaca data API on loopback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from alchemiser.errors import BrokerApiError, MissingMarketDataError, StaleMarketDataError
from alchemiser.trading import AlpacaMarketData, trading_days
from alchemiser.trading.alpaca_http import RetryPolicy
from tests.integration.trading.fake_alpaca import Failure

AS_OF = date(2025, 3, 12)


def _alpaca_bars(days: list[date], *, start: float = 100.0) -> list[dict[str, object]]:
    # JSON numbers, as Alpaca sends them; midnight New York is 04:00Z in March (EDT).
    return [
        {
            "t": f"{day.isoformat()}T04:00:00Z",
            "o": start + i,
            "h": start + i + 0.5,
            "l": start + i - 0.5,
            "c": start + i + 0.25,
            "v": 1_000_000 + i,
            "n": 1234,
            "vw": start + i,
        }
        for i, day in enumerate(days)
    ]


@pytest.fixture
def market(alpaca_url, credentials) -> AlpacaMarketData:
    return AlpacaMarketData(credentials, base_url=alpaca_url, retry=RetryPolicy(backoff_seconds=0))


DAYS = list(trading_days(date(2025, 1, 2), date(2025, 3, 12)))


def test_alpaca_bars_follow_pages_and_end_the_day_before(market, alpaca_state):
    # Given bars through the trading date itself, served three per page
    alpaca_state.bars = {"SPY": _alpaca_bars(DAYS), "TLT": _alpaca_bars(DAYS, start=90)}
    alpaca_state.bars_page_size = 3
    # When five bars before 2025-03-12 are asked for
    bars = market.daily_bars(["SPY", "TLT"], 5, as_of=AS_OF)
    # Then each symbol has its last five bars up to 2025-03-11, oldest first
    assert [b.date for b in bars["SPY"]] == DAYS[-6:-1]
    assert bars["SPY"][-1].close == Decimal("100") + len(DAYS) - 2 + Decimal("0.25")
    assert isinstance(bars["TLT"][0].volume, Decimal)
    # And the pages were followed with Alpaca's page token
    tokens = [query.get("page_token") for _, query in alpaca_state.queries]
    assert tokens[:3] == [None, "3", "6"]


def test_alpaca_bars_query_names_timeframe_feed_and_adjustment(market, alpaca_state):
    alpaca_state.bars = {"SPY": _alpaca_bars(DAYS)}
    market.daily_bars(["SPY"], 3, as_of=AS_OF)
    ((path, query),) = alpaca_state.queries
    assert path == "/v2/stocks/bars"
    assert query["timeframe"] == "1Day"
    assert (query["feed"], query["adjustment"]) == ("iex", "all")
    assert query["end"] == "2025-03-11"
    assert query["start"] <= DAYS[-9].isoformat()


def test_alpaca_bars_missing_symbol_is_named(market, alpaca_state):
    alpaca_state.bars = {"SPY": _alpaca_bars(DAYS)}
    with pytest.raises(MissingMarketDataError, match=r"^QQQ: no daily bars before 2025-03-12"):
        market.daily_bars(["SPY", "QQQ"], 2, as_of=AS_OF)


def test_alpaca_bars_stale_feed_is_refused(market, alpaca_state):
    alpaca_state.bars = {"SPY": _alpaca_bars(DAYS[:-3])}
    with pytest.raises(StaleMarketDataError, match="SPY: latest daily bar is 2025-03-07"):
        market.daily_bars(["SPY"], 2, as_of=AS_OF)


def test_alpaca_bars_server_errors_end_in_a_retryable_error(market, alpaca_state):
    alpaca_state.fail("GET /v2/stocks/bars", Failure(status=503, times=10))
    with pytest.raises(BrokerApiError, match="HTTP 503"):
        market.daily_bars(["SPY"], 2, as_of=AS_OF)
    assert alpaca_state.hits("GET /v2/stocks/bars") == 4
