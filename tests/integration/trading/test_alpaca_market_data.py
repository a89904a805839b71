"""AlpacaMarketData against the Alpaca emulator's market data API on loopback."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from alchemiser.errors import BrokerApiError, MissingMarketDataError, StaleMarketDataError
from alchemiser.trading import AlpacaMarketData, trading_days
from alchemiser.trading.alpaca_http import RetryPolicy
from alchemiser_local.alpaca_emulator import Fault
from tests.integration.trading.fake_alpaca import AS_OF, bars

DAYS = list(trading_days(date(2025, 1, 2), date(2025, 3, 12)))


@pytest.fixture
def market(alpaca_url, credentials) -> AlpacaMarketData:
    return AlpacaMarketData(credentials, base_url=alpaca_url, retry=RetryPolicy(backoff_seconds=0))


def _bar_queries(alpaca_state) -> list[dict[str, str]]:
    return [r.query for r in alpaca_state.requests if r.path == "/v2/stocks/bars"]


def test_alpaca_bars_follow_pages_and_end_the_day_before(market, alpaca_state):
    # Given bars through the trading date itself, served three per page
    alpaca_state.set_bars(
        {"SPY": bars(DAYS, last_close=Decimal(150)), "TLT": bars(DAYS, last_close=Decimal(90))}
    )
    alpaca_state.market.page_cap = 3
    # When five bars before 2025-03-12 are asked for
    got = market.daily_bars(["SPY", "TLT"], 5, as_of=AS_OF)
    # Then each symbol has its last five bars up to 2025-03-11, oldest first
    assert [b.date for b in got["SPY"]] == DAYS[-6:-1]
    assert got["SPY"][-1].close == Decimal("149.99")
    assert isinstance(got["TLT"][0].volume, Decimal)
    # And every page after the first was asked for with the previous page's token
    queries = _bar_queries(alpaca_state)
    assert len(queries) > 2
    assert "page_token" not in queries[0]
    assert all(q["page_token"] for q in queries[1:])


def test_alpaca_bars_query_names_timeframe_feed_and_adjustment(market, alpaca_state):
    market.daily_bars(["SPY"], 3, as_of=AS_OF)
    (query,) = _bar_queries(alpaca_state)
    assert query["timeframe"] == "1Day"
    assert (query["feed"], query["adjustment"], query["sort"]) == ("iex", "all", "asc")
    # And the window in RFC 3339: from a day's start (UTC) to the start of the trading
    # date, so the previous day's bar (midnight New York, 04:00Z) is in and as_of's is out
    assert query["end"] == "2025-03-12T00:00:00Z"
    assert query["start"].endswith("T00:00:00Z")
    assert query["start"][:10] <= DAYS[-9].isoformat()


def test_alpaca_bars_missing_symbol_is_named(market):
    with pytest.raises(MissingMarketDataError, match=r"^QQQ: no daily bars before 2025-03-12"):
        market.daily_bars(["SPY", "QQQ"], 2, as_of=AS_OF)


def test_alpaca_bars_stale_feed_is_refused(market, alpaca_state):
    alpaca_state.set_bars({"SPY": bars(DAYS[:-3], last_close=Decimal(100))})
    with pytest.raises(StaleMarketDataError, match="SPY: latest daily bar is 2025-03-07"):
        market.daily_bars(["SPY"], 2, as_of=AS_OF)


def test_alpaca_bars_server_errors_end_in_a_retryable_error(market, alpaca_state):
    alpaca_state.fail(Fault(kind="error", status=503, path="/v2/stocks/bars", times=10))
    with pytest.raises(BrokerApiError, match="HTTP 503"):
        market.daily_bars(["SPY"], 2, as_of=AS_OF)
    assert alpaca_state.hits("GET", "/v2/stocks/bars") == 4
