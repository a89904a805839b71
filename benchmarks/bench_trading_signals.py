"""Signals + plan for the default strategies on warm, in-memory bars (target <= 10 ms).

What one warm router invocation spends in pure Python between reading bars and
publishing: all strategies on a year of bars, consolidation, and the rebalance plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from _harness import per_call_seconds, report

from alchemiser.events.models import AccountSnapshot
from alchemiser.logging import configure_logging
from alchemiser.trading import Bar, generate_signals, load_strategy_config, plan_rebalance
from alchemiser.trading.bars import select_window
from alchemiser.trading.signals import symbol_requirements
from alchemiser_local.synthetic_bars import synthetic_bars

TARGET_MS = 10.0
AS_OF = date(2025, 3, 12)


class WarmBars:
    """Bars already parsed (a warm container's cache), windowed like the real stores."""

    def __init__(self, bars: dict[str, tuple[Bar, ...]]) -> None:
        self.bars = bars

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        return {s: select_window(s, self.bars[s], lookback, as_of=as_of) for s in symbols}


def main() -> None:
    configure_logging(level="WARNING")  # one JSON line out: the result
    config = load_strategy_config()
    symbols = sorted(symbol_requirements(config))
    market = WarmBars(synthetic_bars(symbols, date(2023, 9, 1), date(2025, 3, 11), seed=42))
    account = AccountSnapshot(
        equity=Decimal(100_000),
        cash=Decimal(20_000),
        buying_power=Decimal(20_000),
        positions={"SPY": Decimal(100), "BIL": Decimal(300)},
    )

    def run() -> None:
        signals = generate_signals(config, market, as_of=AS_OF)
        plan_rebalance(
            account, prices=signals.prices, target_weights=signals.consolidated, config=config
        )

    seconds = per_call_seconds(run, number=20)
    report(
        "trading_signals",
        strategies=len(config.strategies),
        symbols=len(symbols),
        signals_and_plan_ms=round(seconds * 1e3, 2),
        target_ms=TARGET_MS,
        meets_target=seconds * 1e3 <= TARGET_MS,
    )


if __name__ == "__main__":
    main()
