"""Deterministic synthetic daily bars for the local stack's bar store (operator tooling).

Each symbol follows a geometric random walk over NYSE trading days. Its start price,
drift and volatility come from a stable hash of the symbol (sha256, not ``hash()``,
which is salted per process), and its random stream from ``random.Random`` seeded with
the seed and the symbol, so adding a symbol never changes another one's bars. Normal
draws are the sum of twelve uniforms minus six (Irwin-Hall): integer-exact Mersenne
Twister output and float additions, then Decimal arithmetic (``exp`` is correctly
rounded), so the same inputs give identical bars on every machine and Python 3.12+.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import TYPE_CHECKING

from alchemiser.trading import Bar, trading_days

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from datetime import date

    from alchemiser.trading import S3BarStore

__all__ = ["SymbolProfile", "fill_bar_store", "symbol_profile", "synthetic_bars", "write_bars"]

_CTX = Context(prec=28)
_CENT = Decimal("0.01")
_TRADING_DAYS_PER_YEAR = Decimal(252)
_DAILY_SCALE = _CTX.sqrt(_TRADING_DAYS_PER_YEAR)


@dataclass(frozen=True)
class SymbolProfile:
    """How a symbol's walk behaves: where it starts, and its annual drift and volatility."""

    start_price: Decimal
    annual_drift: Decimal
    annual_volatility: Decimal


def _unit(digest: bytes, index: int) -> Decimal:
    """A number in [0, 1) from four bytes of ``digest``."""
    return Decimal(int.from_bytes(digest[4 * index : 4 * index + 4], "big")) / Decimal(2**32)


def symbol_profile(symbol: str) -> SymbolProfile:
    """The profile of ``symbol``: start 20-500, drift -5% to +20%, volatility 10% to 60%."""
    digest = hashlib.sha256(symbol.encode()).digest()
    return SymbolProfile(
        start_price=(20 + 480 * _unit(digest, 0)).quantize(_CENT),
        annual_drift=(Decimal("-0.05") + Decimal("0.25") * _unit(digest, 1)).quantize(
            Decimal("0.0001")
        ),
        annual_volatility=(Decimal("0.10") + Decimal("0.50") * _unit(digest, 2)).quantize(
            Decimal("0.0001")
        ),
    )


def _normal(rng: random.Random) -> Decimal:
    return Decimal(sum(rng.random() for _ in range(12)) - 6)


def _cents(value: Decimal) -> Decimal:
    return max(_CENT, value.quantize(_CENT, rounding=ROUND_HALF_EVEN))


def _walk(
    symbol: str, days: tuple[date, ...], seed: int, profile: SymbolProfile
) -> tuple[Bar, ...]:
    with localcontext(_CTX):  # the same precision whatever the caller's context is
        return _walk_in_context(symbol, days, seed, profile)


def _walk_in_context(
    symbol: str, days: tuple[date, ...], seed: int, profile: SymbolProfile
) -> tuple[Bar, ...]:
    rng = random.Random(f"{seed}:{symbol}")  # noqa: S311 - simulation, not security
    sigma = profile.annual_volatility / _DAILY_SCALE
    mu = profile.annual_drift / _TRADING_DAYS_PER_YEAR - sigma * sigma / 2
    close = profile.start_price
    bars = []
    for day in days:
        opened = _cents(close * (sigma * _normal(rng) / 4).exp())
        close = _cents(close * (mu + sigma * _normal(rng)).exp())
        high = _cents(max(opened, close) * (1 + abs(_normal(rng)) * sigma / 2))
        low = _cents(min(opened, close) * (1 - min(abs(_normal(rng)) * sigma / 2, Decimal("0.5"))))
        volume = Decimal(500_000 + int(rng.random() * 1_000_000))
        bars.append(Bar(date=day, open=opened, high=high, low=low, close=close, volume=volume))
    return tuple(bars)


def synthetic_bars(
    symbols: Iterable[str],
    start: date,
    end: date,
    *,
    seed: int,
    profiles: Mapping[str, SymbolProfile] | None = None,
) -> dict[str, tuple[Bar, ...]]:
    """Bars for every NYSE trading day from ``start`` to ``end`` (both included).

    Args:
        symbols: the symbols to generate.
        start: first calendar day of the range.
        end: last calendar day of the range.
        seed: the random seed; the same inputs always give the same bars.
        profiles: optional profiles overriding the hash-derived ones (a calm T-bill ETF).
    """
    days = trading_days(start, end)
    chosen = profiles or {}
    return {
        symbol: _walk(symbol, days, seed, chosen.get(symbol) or symbol_profile(symbol))
        for symbol in dict.fromkeys(symbols)
    }


def fill_bar_store(
    store: S3BarStore,
    symbols: Iterable[str],
    *,
    start: date,
    end: date,
    seed: int,
    profiles: Mapping[str, SymbolProfile] | None = None,
) -> dict[str, int]:
    """Write synthetic bars for ``symbols`` into ``store``; returns bars written per symbol."""
    return write_bars(store, synthetic_bars(symbols, start, end, seed=seed, profiles=profiles))


def write_bars(store: S3BarStore, bars: Mapping[str, tuple[Bar, ...]]) -> dict[str, int]:
    """Write each symbol's ``bars`` into ``store`` (replacing its old ones); bars per symbol."""
    for symbol, series in bars.items():
        store.put_bars(symbol, series)
    return {symbol: len(series) for symbol, series in bars.items()}
