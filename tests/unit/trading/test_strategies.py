"""Each strategy's weights on generated series whose answer is known in advance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alchemiser.trading.strategies import (
    dual_momentum,
    inverse_volatility,
    normalize_weights,
    requirements,
    trend_filter,
)
from alchemiser.trading.strategy_config import (
    DualMomentumParams,
    InverseVolatilityParams,
    TrendFilterParams,
)
from tests.unit.trading.support import alternating, bars_from_closes, linear

DUAL = DualMomentumParams(
    kind="dual_momentum", risk_assets=("SPY", "EFA"), cash_proxy="BIL", lookback_days=20
)
TREND = TrendFilterParams(
    kind="trend_filter", signal_symbol="QQQ", risk_on="TQQQ", risk_off="BIL", sma_days=10
)


def test_dual_momentum_holds_the_stronger_of_two_rising_assets():
    # Given SPY rising 1/day, EFA rising 2/day and a flat cash proxy
    bars = {
        "SPY": bars_from_closes(linear(21, step="1")),
        "EFA": bars_from_closes(linear(21, step="2")),
        "BIL": bars_from_closes(linear(21, step="0")),
    }
    # When the strategy runs
    decision = dual_momentum(bars, DUAL)
    # Then EFA (20 -> +40%) takes the whole strategy
    assert decision.weights == {"EFA": Decimal(1)}
    assert "EFA 40.00% beats" in decision.rationale


def test_dual_momentum_falls_back_to_the_cash_proxy_when_everything_falls():
    # Given both risk assets falling and the cash proxy flat
    bars = {
        "SPY": bars_from_closes(linear(21, step="-1")),
        "EFA": bars_from_closes(linear(21, step="-2")),
        "BIL": bars_from_closes(linear(21, step="0")),
    }
    # When the strategy runs / Then absolute momentum sends it all to cash
    assert dual_momentum(bars, DUAL).weights == {"BIL": Decimal(1)}


def test_dual_momentum_requires_beating_the_cash_proxy_not_just_zero():
    # Given SPY up 10% but the cash proxy up 20% over the window
    bars = {
        "SPY": bars_from_closes(linear(21, step="0.5")),
        "EFA": bars_from_closes(linear(21, step="-1")),
        "BIL": bars_from_closes(linear(21, step="1")),
    }
    # Then the best risk asset does not beat cash, and cash is held
    assert dual_momentum(bars, DUAL).weights == {"BIL": Decimal(1)}


def test_dual_momentum_top_n_splits_between_winners_and_cash():
    # Given three risk assets, two rising and one falling, top 2 held
    params = DualMomentumParams(
        kind="dual_momentum",
        risk_assets=("SPY", "EFA", "EEM"),
        cash_proxy="BIL",
        lookback_days=20,
        top_n=2,
    )
    bars = {
        "SPY": bars_from_closes(linear(21, step="1")),
        "EFA": bars_from_closes(linear(21, step="-1")),
        "EEM": bars_from_closes(linear(21, step="-2")),
        "BIL": bars_from_closes(linear(21, step="0")),
    }
    # Then SPY gets its half; EFA (second, but below cash) hands its half to cash
    assert dual_momentum(bars, params).weights == {"BIL": Decimal("0.5"), "SPY": Decimal("0.5")}


def test_trend_filter_holds_the_leveraged_etf_above_the_moving_average():
    # Given QQQ rising steadily (its close is above its own 10-day average)
    bars = {"QQQ": bars_from_closes(linear(30, step="1"))}
    # When the strategy runs / Then TQQQ is held
    decision = trend_filter(bars, TREND)
    assert decision.weights == {"TQQQ": Decimal(1)}
    # and the reason shows the numbers: last close 129, SMA of 120..129 = 124.5
    assert "close 129 above its 10-day SMA 124.50" in decision.rationale


def test_trend_filter_holds_t_bills_below_the_moving_average():
    bars = {"QQQ": bars_from_closes(linear(30, step="-1"))}
    assert trend_filter(bars, TREND).weights == {"BIL": Decimal(1)}


def test_trend_filter_a_close_exactly_on_the_average_is_not_above():
    bars = {"QQQ": bars_from_closes(linear(30, step="0"))}
    assert trend_filter(bars, TREND).weights == {"BIL": Decimal(1)}


def test_inverse_volatility_gives_equal_weights_to_equal_volatilities():
    # Given three symbols whose daily returns alternate +1%/-1% (equal volatility)
    params = InverseVolatilityParams(
        kind="inverse_volatility", symbols=("SPY", "TLT", "GLD"), lookback_days=20
    )
    bars = {
        "SPY": bars_from_closes(alternating(21, start="400", move="0.01")),
        "TLT": bars_from_closes(alternating(21, start="90", move="0.01")),
        "GLD": bars_from_closes(alternating(21, start="180", move="0.01")),
    }
    # When the strategy runs
    weights = inverse_volatility(bars, params).weights
    # Then each holds a third (to the weight quantum) and they sum to exactly 1
    assert set(weights) == {"SPY", "TLT", "GLD"}
    assert all(abs(w - Decimal(1) / 3) <= Decimal("0.00000002") for w in weights.values())
    assert sum(weights.values()) == 1


def test_inverse_volatility_weights_are_inversely_proportional_to_volatility():
    # Given SPY moving 2% a day and TLT 1% a day (half the volatility)
    params = InverseVolatilityParams(
        kind="inverse_volatility", symbols=("SPY", "TLT"), lookback_days=20
    )
    bars = {
        "SPY": bars_from_closes(alternating(21, move="0.02")),
        "TLT": bars_from_closes(alternating(21, move="0.01")),
    }
    # Then TLT holds two thirds and SPY one third
    weights = inverse_volatility(bars, params).weights
    assert weights == {"SPY": Decimal("0.33333333"), "TLT": Decimal("0.66666667")}


def test_inverse_volatility_uses_only_the_lookback_window():
    # Given SPY calm for its last 5 returns after a wild start outside the window
    params = InverseVolatilityParams(
        kind="inverse_volatility", symbols=("SPY", "TLT"), lookback_days=5
    )
    wild_then_calm = alternating(10, move="0.5") + alternating(6, start="100", move="0.01")
    bars = {
        "SPY": bars_from_closes(wild_then_calm),
        "TLT": bars_from_closes(alternating(16, move="0.01")),
    }
    # Then only the calm window counts: equal weights
    weights = inverse_volatility(bars, params).weights
    assert abs(weights["SPY"] - Decimal("0.5")) <= Decimal("0.00000001")


def test_inverse_volatility_shares_equally_among_symbols_that_never_moved():
    params = InverseVolatilityParams(
        kind="inverse_volatility", symbols=("SPY", "BIL"), lookback_days=5
    )
    bars = {
        "SPY": bars_from_closes(alternating(6, move="0.01")),
        "BIL": bars_from_closes(linear(6, step="0")),
    }
    assert inverse_volatility(bars, params).weights == {"BIL": Decimal(1)}


def test_normalize_weights_puts_the_rounding_residue_on_the_largest_weight():
    weights = normalize_weights({"A": Decimal(1), "B": Decimal(1), "C": Decimal(1)})
    assert weights == {
        "A": Decimal("0.33333334"),
        "B": Decimal("0.33333333"),
        "C": Decimal("0.33333333"),
    }
    assert sum(weights.values()) == 1


def test_normalize_weights_refuses_negative_weights():
    with pytest.raises(ValueError, match="negative"):
        normalize_weights({"A": Decimal(-1), "B": Decimal(2)})


def test_requirements_ask_one_bar_for_symbols_only_held():
    assert requirements(TREND) == {"TQQQ": 1, "BIL": 1, "QQQ": 10}
    assert requirements(DUAL) == {"SPY": 21, "EFA": 21, "BIL": 21}
