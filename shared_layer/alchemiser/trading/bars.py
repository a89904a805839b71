"""Daily bars and the market data port every strategy and the paper broker read through.

Time semantics: a workflow trades on a New York ``as_of`` date. At the open of that
day the latest complete bar is the previous trading day's, so a source returns only
bars dated strictly before ``as_of``, and that latest bar must be exactly the previous
NYSE trading day's (anything older is stale: a feed that stopped updating must never
drive a trade).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from alchemiser.errors import MissingMarketDataError, StaleMarketDataError
from alchemiser.trading.market_calendar import previous_trading_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["Bar", "MarketData", "latest_closes", "select_window"]

Price = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]
Volume = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]


class Bar(BaseModel):
    """One symbol's trading day: prices and volume as Decimal."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    open: Price
    high: Price
    low: Price
    close: Price
    volume: Volume


class MarketData(Protocol):
    """Where daily bars come from (the S3 bar store or Alpaca market data)."""

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        """Per symbol, the last ``lookback`` bars dated before ``as_of``, oldest first.

        Raises:
            MissingMarketDataError: a symbol has no bars, or fewer than ``lookback``.
            StaleMarketDataError: a symbol's latest bar is older than the previous
                trading day before ``as_of``.
        """
        ...


def select_window(
    symbol: str, bars: Iterable[Bar], lookback: int, *, as_of: date
) -> tuple[Bar, ...]:
    """The last ``lookback`` bars of ``bars`` dated before ``as_of``, checked for freshness.

    ``bars`` may be in any order and may include bars on or after ``as_of`` (a store
    filled ahead of a backtest date); those are never used.

    Raises:
        MissingMarketDataError: no bars before ``as_of``, or fewer than ``lookback``.
        StaleMarketDataError: the latest usable bar is older than the previous trading day.
    """
    if lookback < 1:
        raise ValueError(f"lookback must be at least 1, got {lookback}")
    usable = sorted((bar for bar in bars if bar.date < as_of), key=lambda bar: bar.date)
    if not usable:
        raise MissingMarketDataError(f"{symbol}: no daily bars before {as_of.isoformat()}")
    expected = previous_trading_day(as_of)
    latest = usable[-1].date
    if latest < expected:
        raise StaleMarketDataError(
            f"{symbol}: latest daily bar is {latest.isoformat()}, expected"
            f" {expected.isoformat()} (the trading day before {as_of.isoformat()})"
        )
    if len(usable) < lookback:
        raise MissingMarketDataError(
            f"{symbol}: {len(usable)} daily bars before {as_of.isoformat()},"
            f" {lookback} needed (first is {usable[0].date.isoformat()})"
        )
    return tuple(usable[-lookback:])


def latest_closes(bars: dict[str, tuple[Bar, ...]]) -> dict[str, Decimal]:
    """Each symbol's latest close (the price a plan at the next open estimates with)."""
    return {symbol: window[-1].close for symbol, window in bars.items() if window}
