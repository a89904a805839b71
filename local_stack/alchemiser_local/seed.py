"""What the local stack's world holds: Alpaca's bars, and views of the trading account.

Bars come from the seeded generator (identical on every machine for one seed), over
enough trading days before the first simulated day for every strategy's lookback; the
local stack's Alpaca serves them (``alpaca_local``). ``seed_world`` fills a stack's bar
store and opens its paper account directly, for tests that start from a seeded stack;
``alchemiser run`` and ``up`` start bare and let the stack fill itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.events import AccountSnapshot
    from alchemiser.trading import Bar, MarketData, PaperBroker, StrategyConfig
    from alchemiser_local.alpaca_emulator import AlpacaEmulator
    from alchemiser_local.stack import LocalStack

__all__ = [
    "AccountView",
    "AlpacaAccount",
    "PaperAccount",
    "SyntheticWorld",
    "account_view",
    "seed_world",
    "synthetic_world",
]


class AccountView(Protocol):
    """The trading account as the run's report reads it after each day."""

    def equity(self, day: date) -> Decimal:
        """Cash plus positions at ``day``'s close."""
        ...

    def positions(self, day: date) -> tuple[dict[str, dict[str, str]], Decimal]:
        """Each position's quantity, last close and value at ``day``'s close; and cash."""
        ...


def _positions(
    account: AccountSnapshot, closes: dict[str, Decimal]
) -> tuple[dict[str, dict[str, str]], Decimal]:
    positions = {
        symbol: {
            "quantity": str(quantity),
            "price": str(closes[symbol]),
            "value": str((quantity * closes[symbol]).quantize(_CENT)),
        }
        for symbol, quantity in sorted(account.positions.items())
    }
    return positions, account.cash


#: Extra history beyond the longest lookback (calendar days), so no symbol is short.
_HISTORY_MARGIN_DAYS = 45
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class WorldBars:
    """``MarketData`` over the world's bars: the market's closes, whatever the store holds.

    The report values the account at each day's close, which the stack's bar store only
    learns the next morning (the refresh fetches completed sessions).
    """

    bars: dict[str, tuple[Bar, ...]]

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        """Per symbol, the last ``lookback`` bars before ``as_of`` (see ``MarketData``)."""
        from alchemiser.trading.bars import select_window  # noqa: PLC0415

        return {s: select_window(s, self.bars.get(s, ()), lookback, as_of=as_of) for s in symbols}


@dataclass(frozen=True)
class PaperAccount:
    """The paper account, valued at the market's closes."""

    table_name: str
    store: MarketData
    config: StrategyConfig
    symbols: tuple[str, ...]
    #: The local stack's own client (IAM enforced: not a function's container client).
    client: DynamoDBClient | None = None

    def _broker(self, day: date) -> PaperBroker:
        from alchemiser.trading import PaperBroker  # noqa: PLC0415

        # As of the next day, so the valuation uses ``day``'s close.
        return PaperBroker(
            self.table_name,
            market_data=self.store,
            as_of=day + timedelta(days=1),
            slippage_bps=self.config.paper_broker.slippage_bps,
            client=self.client,
        )

    def _account(self, day: date) -> AccountSnapshot:
        from alchemiser.errors import PaperAccountNotFoundError  # noqa: PLC0415
        from alchemiser.events import AccountSnapshot  # noqa: PLC0415

        try:
            return self._broker(day).get_account()
        except PaperAccountNotFoundError:  # not traded yet: it opens on the first trade
            cash = self.config.paper_broker.starting_cash
            return AccountSnapshot(equity=cash, cash=cash, buying_power=cash)

    def equity(self, day: date) -> Decimal:
        """Cash plus positions at ``day``'s close."""
        return self._account(day).equity

    def positions(self, day: date) -> tuple[dict[str, dict[str, str]], Decimal]:
        """Each position's quantity, last close and value at ``day``'s close; and cash."""
        account = self._account(day)
        held = sorted(account.positions)
        bars = self.store.daily_bars(held, 1, as_of=day + timedelta(days=1)) if held else {}
        return _positions(account, {symbol: bars[symbol][-1].close for symbol in held})

    def describe(self) -> str:
        """One line for the progress view."""
        return (
            f"paper account ({self.config.paper_broker.starting_cash} USD) and "
            f"{len(self.symbols)} symbols of bars"
        )


@dataclass(frozen=True)
class AlpacaAccount:
    """The Alpaca account (the emulator's), read through the Alpaca broker adapter."""

    emulator: AlpacaEmulator

    def _account(self, day: date) -> AccountSnapshot:
        from alchemiser.trading import AlpacaBroker  # noqa: PLC0415
        from alchemiser.trading.alpaca_config import AlpacaSecret  # noqa: PLC0415

        self.emulator.set_today(day + timedelta(days=1))  # valued at ``day``'s close
        secret = AlpacaSecret.model_validate(self.emulator.secret())
        return AlpacaBroker(secret.credentials, base_url=secret.trading_base_url).get_account()

    def equity(self, day: date) -> Decimal:
        """Cash plus positions at ``day``'s close."""
        return self._account(day).equity

    def positions(self, day: date) -> tuple[dict[str, dict[str, str]], Decimal]:
        """Each position's quantity, last close and value at ``day``'s close; and cash."""
        account = self._account(day)
        market = self.emulator.market
        closes = {s: market.close_before(s, day + timedelta(days=1)) for s in account.positions}
        return _positions(account, {s: c for s, c in closes.items() if c is not None})


def account_view(stack: LocalStack, world: SyntheticWorld, alpaca: AlpacaEmulator) -> AccountView:
    """The account the stack's trading broker keeps: the paper account, or Alpaca's.

    IAM enforced, it is read with the local stack's own client (made now, while the
    process's credentials are the local stack's), whichever function's role the process
    has later; otherwise with the container's client, as before.
    """
    import boto3  # noqa: PLC0415

    backend = stack.functions["EventRoutingFunction"].environment.get("BROKER_BACKEND", "paper")
    if backend == "alpaca":
        return AlpacaAccount(alpaca)
    return PaperAccount(
        table_name=stack.outputs["PaperBrokerTableName"],
        store=WorldBars(world.bars),
        config=world.config,
        symbols=tuple(world.bars),
        client=boto3.client("dynamodb") if stack.principals is not None else None,
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
