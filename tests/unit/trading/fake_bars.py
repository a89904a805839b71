"""In-memory stand-ins for the bar refresh's ports: a versioned store and a bar source.

``InMemorySeriesStore`` keeps S3's conditional-write rules (a write names the version it
read; a stale version is a conflict), so the refresh's merge and retry logic is tested
without a network; the moto-server tests prove ``S3BarStore`` keeps the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from alchemiser.errors import BarStoreConflictError, MissingMarketDataError
from alchemiser.trading import Bar
from alchemiser.trading.bar_store import StoredSeries


def bar(day: date, close: str = "100", *, volume: int = 1000) -> Bar:
    """A bar whose open, high, low and close are ``close``."""
    price = Decimal(close)
    return Bar(date=day, open=price, high=price, low=price, close=price, volume=Decimal(volume))


def bars_on(days: Iterable[date], close: str = "100") -> list[Bar]:
    """One flat bar per day."""
    return [bar(day, close) for day in days]


@dataclass
class InMemorySeriesStore:
    """A ``SeriesStore`` with versions; ``before_write`` runs inside each write attempt."""

    objects: dict[str, tuple[tuple[Bar, ...], str]] = field(default_factory=dict)
    #: Symbols whose object is not bars (reading them fails as S3BarStore does).
    corrupt: set[str] = field(default_factory=set)
    #: Called with the symbol before a write is checked (a concurrent writer's moment).
    before_write: Callable[[str], None] | None = None
    writes: list[str] = field(default_factory=list)
    _version: int = 0

    def seed(self, symbol: str, bars: Iterable[Bar]) -> None:
        """Store ``bars`` as a new version, outside any refresh."""
        self._version += 1
        ordered = tuple(sorted(bars, key=lambda b: b.date))
        self.objects[symbol] = (ordered, f"v{self._version}")

    def stored(self, symbol: str) -> tuple[Bar, ...]:
        return self.objects[symbol][0] if symbol in self.objects else ()

    def read_series(self, symbol: str) -> StoredSeries:
        if symbol in self.corrupt:
            raise MissingMarketDataError(f"{symbol}: line 1 of bars/{symbol}.jsonl is not a bar")
        if symbol not in self.objects:
            return StoredSeries((), None)
        bars, etag = self.objects[symbol]
        return StoredSeries(bars, etag)

    def write_series(
        self, symbol: str, bars: Iterable[Bar], *, expected: StoredSeries
    ) -> StoredSeries:
        if self.before_write is not None:
            self.before_write(symbol)
        current = self.objects.get(symbol)
        if (current[1] if current else None) != expected.etag:
            raise BarStoreConflictError(f"{symbol}: changed since it was read")
        self.seed(symbol, bars)
        self.writes.append(symbol)
        return self.read_series(symbol)


@dataclass
class RecordingBarSource:
    """A ``BarSource`` over fixed series; records every request."""

    series: dict[str, list[Bar]] = field(default_factory=dict)
    #: Answer with every bar, whatever the range asked (a source that misreads ``end``).
    ignore_range: bool = False
    requests: list[tuple[tuple[str, ...], date, date]] = field(default_factory=list)

    def bars_between(self, symbols: Sequence[str], start: date, end: date) -> dict[str, list[Bar]]:
        self.requests.append((tuple(symbols), start, end))
        found = {
            symbol: [b for b in self.series.get(symbol, []) if self._asked(b, start, end)]
            for symbol in symbols
        }
        return {symbol: bars for symbol, bars in found.items() if bars}

    def _asked(self, bar: Bar, start: date, end: date) -> bool:
        return self.ignore_range or start <= bar.date <= end
