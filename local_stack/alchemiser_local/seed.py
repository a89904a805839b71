"""What the local stack starts with: a paper account with cash, and a bar store.

Bars come from the seeded generator (identical on every machine for one seed), over
enough trading days before the first simulated day for every strategy's lookback.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import date

    from alchemiser.trading import Bar, PaperBroker, S3BarStore, StrategyConfig
    from alchemiser_local.stack import LocalStack

__all__ = ["PaperAccount", "SyntheticWorld", "seed_world", "synthetic_world"]

#: Extra history beyond the longest lookback (calendar days), so no symbol is short.
_HISTORY_MARGIN_DAYS = 45
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class PaperAccount:
    """The seeded paper account, valued from the bar store."""

    table_name: str
    store: S3BarStore
    config: StrategyConfig
    symbols: tuple[str, ...]

    def _broker(self, day: date) -> PaperBroker:
        from alchemiser.trading import PaperBroker  # noqa: PLC0415

        # As of the next day, so the valuation uses ``day``'s close.
        return PaperBroker(
            self.table_name,
            market_data=self.store,
            as_of=day + timedelta(days=1),
            slippage_bps=self.config.paper_broker.slippage_bps,
        )

    def equity(self, day: date) -> Decimal:
        """Cash plus positions at ``day``'s close."""
        return self._broker(day).get_account().equity

    def positions(self, day: date) -> tuple[dict[str, dict[str, str]], Decimal]:
        """Each position's quantity, last close and value at ``day``'s close; and cash."""
        account = self._broker(day).get_account()
        held = sorted(account.positions)
        closes = self.store.daily_bars(held, 1, as_of=day + timedelta(days=1)) if held else {}
        positions = {
            symbol: {
                "quantity": str(account.positions[symbol]),
                "price": str(closes[symbol][-1].close),
                "value": str(
                    (account.positions[symbol] * closes[symbol][-1].close).quantize(_CENT)
                ),
            }
            for symbol in held
        }
        return positions, account.cash

    def describe(self) -> str:
        """One line for the progress view."""
        return (
            f"paper account ({self.config.paper_broker.starting_cash} USD) and "
            f"{len(self.symbols)} symbols of bars"
        )


@dataclass(frozen=True)
class SyntheticWorld:
    """The strategy configuration and the bars the local stack starts with (no AWS yet)."""

    config: StrategyConfig
    first_day: date
    bars: dict[str, tuple[Bar, ...]]


def synthetic_world(*, first_day: date, last_day: date, seed: int) -> SyntheticWorld:
    """Bars for every symbol the strategies need, far enough back for every lookback.

    Pure computation (tens of milliseconds): done while the emulator starts.
    """
    from alchemiser.trading import load_strategy_config  # noqa: PLC0415
    from alchemiser.trading.signals import symbol_requirements  # noqa: PLC0415
    from alchemiser_local.synthetic_bars import synthetic_bars  # noqa: PLC0415

    config = load_strategy_config(None)
    needed = symbol_requirements(config)
    # Trading days are about 252 of 365 calendar days.
    history = timedelta(days=max(needed.values()) * 365 // 252 + _HISTORY_MARGIN_DAYS)
    bars = synthetic_bars(needed, first_day - history, last_day, seed=seed)
    return SyntheticWorld(config=config, first_day=first_day, bars=bars)


def seed_world(stack: LocalStack, world: SyntheticWorld) -> PaperAccount:
    """Fill the stack's bar store and open its paper account (both idempotent)."""
    from alchemiser.trading import PaperBroker, S3BarStore  # noqa: PLC0415
    from alchemiser_local.synthetic_bars import write_bars  # noqa: PLC0415

    store = S3BarStore(stack.outputs["BarStoreBucketName"])
    write_bars(store, world.bars)
    table = stack.outputs["PaperBrokerTableName"]
    paper = world.config.paper_broker
    PaperBroker(
        table, market_data=store, as_of=world.first_day, slippage_bps=paper.slippage_bps
    ).open_account(paper.starting_cash)
    return PaperAccount(
        table_name=table, store=store, config=world.config, symbols=tuple(world.bars)
    )
