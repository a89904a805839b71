"""Signal generation: every strategy on the same bars, consolidated by allocation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alchemiser.errors import MissingMarketDataError
from alchemiser.trading import generate_signals
from alchemiser.trading.strategy_config import StrategyConfig
from tests.unit.trading.support import (
    AS_OF,
    InMemoryMarketData,
    alternating,
    bars_from_closes,
    linear,
)

CONFIG = StrategyConfig.model_validate(
    {
        "strategies": [
            {
                "name": "momentum",
                "allocation": "0.5",
                "params": {
                    "kind": "dual_momentum",
                    "risk_assets": ["SPY", "EFA"],
                    "cash_proxy": "BIL",
                    "lookback_days": 20,
                },
            },
            {
                "name": "trend",
                "allocation": "0.3",
                "params": {
                    "kind": "trend_filter",
                    "signal_symbol": "QQQ",
                    "risk_on": "TQQQ",
                    "risk_off": "BIL",
                    "sma_days": 10,
                },
            },
            {
                "name": "invvol",
                "allocation": "0.2",
                "params": {
                    "kind": "inverse_volatility",
                    "symbols": ["SPY", "TLT"],
                    "lookback_days": 5,
                },
            },
        ]
    }
)


def _market() -> InMemoryMarketData:
    return InMemoryMarketData(
        {
            "SPY": bars_from_closes([*alternating(21, move="0.01")[:-1], Decimal(150)]),
            "EFA": bars_from_closes(linear(21, step="-1")),
            "BIL": bars_from_closes(linear(21, start="91", step="0.01")),
            "QQQ": bars_from_closes(linear(21, step="1")),
            "TQQQ": bars_from_closes(linear(3, start="60")),
            "TLT": bars_from_closes(alternating(21, start="90", move="0.01")),
            "AAPL": bars_from_closes(linear(1, start="200")),
        }
    )


def test_generate_signals_consolidates_by_allocation():
    # Given SPY jumping to 150 (best momentum), QQQ rising (trend on) and SPY/TLT
    market = _market()
    # When signals are generated
    signals = generate_signals(CONFIG, market, as_of=AS_OF)
    # Then each strategy's weights are reported under its name and allocation
    by_name = {signal.name: signal for signal in signals.strategies}
    assert by_name["momentum"].weights == {"SPY": Decimal(1)}
    assert by_name["trend"].weights == {"TQQQ": Decimal(1)}
    assert by_name["trend"].allocation == Decimal("0.3")
    invvol = by_name["invvol"].weights
    # And the consolidated portfolio is the allocation-weighted sum (to the weight quantum)
    expected = {
        "SPY": Decimal("0.5") + Decimal("0.2") * invvol["SPY"],
        "TLT": Decimal("0.2") * invvol["TLT"],
        "TQQQ": Decimal("0.3"),
    }
    assert set(signals.consolidated) == set(expected)
    for symbol, weight in expected.items():
        assert abs(signals.consolidated[symbol] - weight) <= Decimal("0.00000001"), symbol
    assert sum(signals.consolidated.values()) == 1


def test_generate_signals_prices_every_symbol_used_at_its_latest_close():
    signals = generate_signals(CONFIG, _market(), as_of=AS_OF, extra_price_symbols=["AAPL"])
    assert signals.prices["SPY"] == Decimal(150)
    assert signals.prices["TQQQ"] == Decimal(62)
    assert signals.prices["AAPL"] == Decimal(200)
    assert set(signals.prices) == {"SPY", "EFA", "BIL", "QQQ", "TQQQ", "TLT", "AAPL"}


def test_generate_signals_fetches_each_symbol_once_with_the_most_bars_it_needs():
    market = _market()
    generate_signals(CONFIG, market, as_of=AS_OF)
    requested = {symbol: lookback for symbols, lookback, _ in market.calls for symbol in symbols}
    assert requested == {"SPY": 21, "EFA": 21, "BIL": 21, "QQQ": 10, "TQQQ": 1, "TLT": 6}
    assert sum(len(symbols) for symbols, _, _ in market.calls) == len(requested)


def test_generate_signals_missing_symbol_propagates_the_market_data_error():
    market = _market()
    del market.series["TQQQ"]
    with pytest.raises(MissingMarketDataError, match="TQQQ"):
        generate_signals(CONFIG, market, as_of=AS_OF)
