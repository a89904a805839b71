"""Bar series with known answers, and an in-memory market data source that records calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache

from alchemiser.trading import Bar, previous_trading_day, trading_days
from alchemiser.trading.bars import select_window

#: A Wednesday after ordinary trading days (no holiday in the week before).
AS_OF = date(2025, 3, 12)


def bars_from_closes(closes: Sequence[Decimal], *, as_of: date = AS_OF) -> tuple[Bar, ...]:
    """One bar per close, on the trading days ending the day before ``as_of``."""
    days = _days_before(as_of)[-len(closes) :]
    assert len(days) == len(closes)
    return tuple(
        Bar(date=day, open=close, high=close, low=close, close=close, volume=Decimal(1000))
        for day, close in zip(days, closes, strict=True)
    )


@cache
def _days_before(as_of: date) -> tuple[date, ...]:
    end = previous_trading_day(as_of)
    return trading_days(date(end.year - 5, 1, 1), end)


def linear(n: int, *, start: str = "100", step: str = "1") -> list[Decimal]:
    """``n`` closes moving by ``step`` each day (rising for a positive step)."""
    return [Decimal(start) + Decimal(step) * i for i in range(n)]


def alternating(n: int, *, start: str = "100", move: str = "0.01") -> list[Decimal]:
    """``n`` closes whose daily returns alternate exactly +move, -move."""
    closes = [Decimal(start)]
    for i in range(1, n):
        sign = 1 if i % 2 else -1
        closes.append(closes[-1] * (1 + sign * Decimal(move)))
    return closes


@dataclass
class InMemoryMarketData:
    """``MarketData`` over fixed series, with the same window rules as the real adapters."""

    series: dict[str, tuple[Bar, ...]]
    calls: list[tuple[tuple[str, ...], int, date]] = field(default_factory=list)

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        self.calls.append((tuple(symbols), lookback, as_of))
        return {
            symbol: select_window(symbol, self.series.get(symbol, ()), lookback, as_of=as_of)
            for symbol in symbols
        }
