"""The strategies: each a pure function from daily bars to target weights.

A strategy sees only the bars it asked for (``requirements``), oldest first, the last
one being the previous trading day's. Weights are Decimal, non-negative and sum to
exactly 1 (``normalize_weights`` puts the rounding residue on the largest weight).
Ties are broken by the order symbols are listed in the configuration, so a decision
never depends on dict or hash order.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise
from typing import TYPE_CHECKING, assert_never

from alchemiser.trading.strategy_config import (
    DualMomentumParams,
    InverseVolatilityParams,
    TrendFilterParams,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from alchemiser.trading.bars import Bar
    from alchemiser.trading.strategy_config import StrategyParams

__all__ = [
    "WEIGHT_QUANTUM",
    "StrategyDecision",
    "dual_momentum",
    "inverse_volatility",
    "normalize_weights",
    "requirements",
    "run_strategy",
    "trend_filter",
]

#: Weights carry 8 decimal places: a cent on a $1M account.
WEIGHT_QUANTUM = Decimal("0.00000001")
_PCT = Decimal(100)


@dataclass(frozen=True)
class StrategyDecision:
    """Target weights (summing to 1) and a one-line reason an operator can read."""

    weights: dict[str, Decimal]
    rationale: str


def normalize_weights(raw: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Scale positive weights to sum to exactly 1 at ``WEIGHT_QUANTUM``, sorted by symbol.

    The residue of rounding goes to the largest weight (the first listed on a tie).

    Raises:
        ValueError: a weight is negative, or none is positive.
    """
    if any(weight < 0 for weight in raw.values()):
        raise ValueError(f"negative weight in {dict(raw)}")
    positive = {symbol: weight for symbol, weight in raw.items() if weight > 0}
    total = sum(positive.values(), Decimal(0))
    if not positive:
        raise ValueError("no positive weight")
    rounded = {
        symbol: (weight / total).quantize(WEIGHT_QUANTUM, rounding=ROUND_HALF_EVEN)
        for symbol, weight in positive.items()
    }
    largest = max(rounded, key=lambda symbol: rounded[symbol])
    rounded[largest] += Decimal(1) - sum(rounded.values(), Decimal(0))
    return {symbol: rounded[symbol] for symbol in sorted(rounded) if rounded[symbol] > 0}


def _pct(value: Decimal) -> str:
    return f"{(value * _PCT).quantize(Decimal('0.01'))}%"


def _total_return(window: Sequence[Bar], days: int) -> Decimal:
    return window[-1].close / window[-1 - days].close - 1


def dual_momentum(
    bars: Mapping[str, Sequence[Bar]], params: DualMomentumParams
) -> StrategyDecision:
    """Relative momentum among risk assets, then absolute momentum against the cash proxy.

    Risk assets are ranked by total return over ``lookback_days``; each of the best
    ``top_n`` gets ``1/top_n`` of the strategy if its return beat the cash proxy's,
    and that share goes to the cash proxy otherwise (a falling market holds cash).
    """
    days = params.lookback_days
    returns = {symbol: _total_return(bars[symbol], days) for symbol in params.risk_assets}
    hurdle = _total_return(bars[params.cash_proxy], days)
    ranked = sorted(params.risk_assets, key=lambda symbol: returns[symbol], reverse=True)
    share = Decimal(1) / params.top_n
    raw: dict[str, Decimal] = {}
    notes = []
    for symbol in ranked[: params.top_n]:
        held = symbol if returns[symbol] > hurdle else params.cash_proxy
        raw[held] = raw.get(held, Decimal(0)) + share
        verdict = "beats" if held == symbol else "does not beat"
        notes.append(f"{symbol} {_pct(returns[symbol])} {verdict}")
    rationale = (
        f"{days}-day returns: {'; '.join(notes)} {params.cash_proxy} {_pct(hurdle)}"
        f" -> {', '.join(sorted(raw))}"
    )
    return StrategyDecision(normalize_weights(raw), rationale)


def trend_filter(bars: Mapping[str, Sequence[Bar]], params: TrendFilterParams) -> StrategyDecision:
    """Hold the leveraged ETF while the index closes above its moving average, else T-bills.

    The moving average is the simple mean of the last ``sma_days`` closes of
    ``signal_symbol``, the latest included; a close exactly on the average is not above.
    """
    window = bars[params.signal_symbol][-params.sma_days :]
    sma = sum((bar.close for bar in window), Decimal(0)) / len(window)
    close = window[-1].close
    held = params.risk_on if close > sma else params.risk_off
    side = "above" if close > sma else "not above"
    rationale = (
        f"{params.signal_symbol} close {close} {side} its {params.sma_days}-day SMA"
        f" {sma.quantize(Decimal('0.01'))} -> {held}"
    )
    return StrategyDecision({held: Decimal(1)}, rationale)


def _volatility(window: Sequence[Bar]) -> Decimal:
    """Sample standard deviation of daily simple returns."""
    returns = [today.close / yesterday.close - 1 for yesterday, today in pairwise(window)]
    mean = sum(returns, Decimal(0)) / len(returns)
    variance = sum(((r - mean) ** 2 for r in returns), Decimal(0)) / (len(returns) - 1)
    return variance.sqrt()


def inverse_volatility(
    bars: Mapping[str, Sequence[Bar]], params: InverseVolatilityParams
) -> StrategyDecision:
    """Weight each symbol by 1 / (volatility of its daily returns over ``lookback_days``).

    Equal volatilities give equal weights. Symbols whose prices did not move at all
    (zero volatility) would take an infinite weight; they share the strategy equally.
    """
    days = params.lookback_days
    vols = {symbol: _volatility(bars[symbol][-days - 1 :]) for symbol in params.symbols}
    still = [symbol for symbol in params.symbols if vols[symbol] == 0]
    if still:
        raw = dict.fromkeys(still, Decimal(1))
    else:
        raw = {symbol: 1 / vols[symbol] for symbol in params.symbols}
    listed = ", ".join(f"{symbol} {_pct(vols[symbol])}" for symbol in params.symbols)
    return StrategyDecision(normalize_weights(raw), f"{days}-day daily volatility: {listed}")


def requirements(params: StrategyParams) -> dict[str, int]:
    """Bars each symbol needs for ``params`` (1 for a symbol that is only held)."""
    match params:
        case DualMomentumParams():
            needed = params.lookback_days + 1
            return dict.fromkeys((*params.risk_assets, params.cash_proxy), needed)
        case TrendFilterParams():
            need = {params.risk_on: 1, params.risk_off: 1}
            need[params.signal_symbol] = params.sma_days
            return need
        case InverseVolatilityParams():
            return dict.fromkeys(params.symbols, params.lookback_days + 1)
        case _:
            assert_never(params)


def run_strategy(bars: Mapping[str, Sequence[Bar]], params: StrategyParams) -> StrategyDecision:
    """Run the strategy ``params`` configures."""
    match params:
        case DualMomentumParams():
            return dual_momentum(bars, params)
        case TrendFilterParams():
            return trend_filter(bars, params)
        case InverseVolatilityParams():
            return inverse_volatility(bars, params)
        case _:
            assert_never(params)
