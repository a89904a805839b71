"""Signal generation: every configured strategy on one set of bars, then consolidation.

Bars are fetched once per distinct lookback (each symbol with the most any strategy
needs), so a symbol that is only held (a T-bill ETF) needs one bar, not two hundred.
The consolidated portfolio is the allocation-weighted sum of the strategies' weights.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from alchemiser.events.models import StrategySignal
from alchemiser.logging import get_logger
from alchemiser.trading.bars import latest_closes
from alchemiser.trading.strategies import normalize_weights, requirements, run_strategy

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from alchemiser.trading.bars import Bar, MarketData
    from alchemiser.trading.strategy_config import StrategyConfig

__all__ = ["SignalSet", "generate_signals", "symbol_requirements"]

_log = get_logger(__name__)


class SignalSet(BaseModel):
    """Each strategy's signal, the consolidated portfolio and the closes they used."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    strategies: tuple[StrategySignal, ...]
    consolidated: dict[str, Decimal]
    #: Latest close (the previous trading day's) of every symbol fetched.
    prices: dict[str, Decimal]


def symbol_requirements(
    config: StrategyConfig, extra_symbols: Sequence[str] = ()
) -> dict[str, int]:
    """Bars needed per symbol across every strategy (1 for ``extra_symbols``)."""
    needed: dict[str, int] = dict.fromkeys(extra_symbols, 1)
    for spec in config.strategies:
        for symbol, bars in requirements(spec.params).items():
            needed[symbol] = max(needed.get(symbol, 0), bars)
    return needed


def _fetch(
    market_data: MarketData, needed: dict[str, int], *, as_of: date
) -> dict[str, tuple[Bar, ...]]:
    by_lookback: dict[int, list[str]] = defaultdict(list)
    for symbol, lookback in needed.items():
        by_lookback[lookback].append(symbol)
    bars: dict[str, tuple[Bar, ...]] = {}
    for lookback in sorted(by_lookback):
        bars.update(market_data.daily_bars(by_lookback[lookback], lookback, as_of=as_of))
    return bars


def generate_signals(
    config: StrategyConfig,
    market_data: MarketData,
    *,
    as_of: date,
    extra_price_symbols: Sequence[str] = (),
) -> SignalSet:
    """Run every strategy of ``config`` on the bars before ``as_of`` and consolidate.

    Args:
        config: the strategies and their allocations.
        market_data: where bars come from.
        as_of: the trading date (bars dated before it are used).
        extra_price_symbols: symbols to price as well (positions held outside the
            strategies), so the plan can value and sell them.

    Raises:
        MissingMarketDataError: a symbol has no bars or too few.
        StaleMarketDataError: a symbol's latest bar is not the previous trading day's.
    """
    bars = _fetch(market_data, symbol_requirements(config, extra_price_symbols), as_of=as_of)
    signals = []
    consolidated: dict[str, Decimal] = {}
    for spec in config.strategies:
        decision = run_strategy(bars, spec.params)
        signals.append(
            StrategySignal(
                name=spec.name,
                allocation=spec.allocation,
                weights=decision.weights,
                rationale=decision.rationale,
            )
        )
        for symbol, weight in decision.weights.items():
            consolidated[symbol] = consolidated.get(symbol, Decimal(0)) + spec.allocation * weight
    result = SignalSet(
        strategies=tuple(signals),
        consolidated=normalize_weights(consolidated),
        prices=dict(sorted(latest_closes(bars).items())),
    )
    _log.info(
        "signals_generated",
        as_of=as_of.isoformat(),
        strategies=len(signals),
        consolidated=result.consolidated,
    )
    return result
