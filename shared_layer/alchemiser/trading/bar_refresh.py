"""Keep the bar store current from a bar source (Alpaca market data), idempotently.

For every symbol the strategies need, a refresh reads the stored series, asks the source
only for what is missing, merges, and writes the object back whole only if it changed,
so a second run writes nothing. What is asked for (``plan_fetch``):

- a new symbol, one with fewer bars before ``as_of`` than its lookback, or any symbol
  when ``backfill`` is asked: the last ``lookback + BACKFILL_MARGIN`` NYSE trading days;
- otherwise, from its last stored bar (asked again, as an overlap) on.

Always up to the last complete session, the trading day before ``as_of``: the bar of
``as_of`` itself is partial until its session closes and is never stored.

Merging (``merge_bars``): a date keeps one bar, and the incoming bar wins over a stored
one of the same date (the source corrected it, or an operator imported it on purpose);
every replaced date is logged (``bars_revised``). Alpaca's bars are split- and
dividend-adjusted, so a split or a dividend changes every earlier bar: when the overlap
bar of an incremental fetch differs from the stored one, the whole stored range is asked
for again (``bars_rebased``), so a series is never a mix of two adjustments (older bars
the source no longer serves stay as stored).

Concurrency: each write is conditional on the version read
(``S3BarStore.write_series``); a writer that lost the race reads again, plans again and
retries, so two refreshes, or a refresh and an import, never lose each other's bars.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from alchemiser.errors import (
    BarRefreshIncompleteError,
    BarStoreConflictError,
    InputRejectedError,
    MissingMarketDataError,
    StaleMarketDataError,
)
from alchemiser.events.base import Symbol
from alchemiser.logging import get_logger
from alchemiser.trading.bars import select_window
from alchemiser.trading.market_calendar import (
    FIRST_SUPPORTED_DAY,
    is_trading_day,
    previous_trading_day,
    trading_days,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from pathlib import Path

    from alchemiser.trading.bar_store import StoredSeries
    from alchemiser.trading.bars import Bar

__all__ = [
    "BACKFILL_MARGIN",
    "MAX_WRITE_ATTEMPTS",
    "BarRefreshResult",
    "BarSource",
    "FetchPlan",
    "Merged",
    "SeriesStore",
    "SymbolRefresh",
    "import_bars",
    "import_bars_csv",
    "merge_bars",
    "plan_fetch",
    "refresh_bars",
    "window_start",
]

#: Trading days fetched beyond the lookback on a backfill: days the feed has no bar for
#: (IEX sees a thinly traded ETF only on some days) and a lookback raised a little later.
BACKFILL_MARGIN = 10
#: Conditional writes tried per symbol before a concurrent writer is reported.
MAX_WRITE_ATTEMPTS = 3

#: What keeps one symbol from being ready, without stopping the others' refresh.
_SYMBOL_PROBLEMS = (MissingMarketDataError, StaleMarketDataError, BarStoreConflictError)
#: Symbols read and written at once (the bar store's parallel reads use as many).
_PARALLEL_SYMBOLS = 8

FetchReason = Literal["new", "short", "backfill", "incremental"]

_log = get_logger(__name__)


class BarSource(Protocol):
    """Where a refresh fetches daily bars from (``AlpacaMarketData``)."""

    def bars_between(self, symbols: Sequence[str], start: date, end: date) -> dict[str, list[Bar]]:
        """Every daily bar of ``symbols`` from ``start`` to ``end``, both included."""
        ...


class SeriesStore(Protocol):
    """Where bars are kept, read and written by version (``S3BarStore``)."""

    def read_series(self, symbol: str) -> StoredSeries:
        """The stored bars and their version (no object: empty, version ``None``)."""
        ...

    def write_series(
        self, symbol: str, bars: Iterable[Bar], *, expected: StoredSeries
    ) -> StoredSeries:
        """Replace the bars if the object is still ``expected`` (else a conflict)."""
        ...


class FetchPlan(NamedTuple):
    """What to ask the source for one symbol: from ``start`` to the last session."""

    start: date
    reason: FetchReason


class Merged(NamedTuple):
    """A merged series, with the dates it gained and the stored dates it replaced."""

    bars: tuple[Bar, ...]
    added: tuple[date, ...]
    revised: tuple[date, ...]


class SymbolRefresh(BaseModel):
    """What a refresh (or an import) did to one symbol's stored series."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    symbol: str
    #: Why the source was asked (``None``: the series was current; ``import``: a file).
    fetch: FetchReason | Literal["import"] | None
    fetched_from: date | None
    bars_added: int
    bars_revised: int
    first_date: date | None
    last_date: date | None
    #: The object was written (False: unchanged, a dry run, or a problem).
    written: bool
    #: Why the symbol is not ready for ``as_of`` (short, stale, unreadable object).
    problem: str | None = None


class BarRefreshResult(BaseModel):
    """A refresh: the date it prepared, the last session it fetched up to, each symbol."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    as_of: date
    through: date
    backfill: bool
    dry_run: bool
    symbols: tuple[SymbolRefresh, ...]

    @property
    def written(self) -> list[str]:
        """The symbols whose object was written."""
        return [entry.symbol for entry in self.symbols if entry.written]

    @property
    def problems(self) -> dict[str, str]:
        """Each symbol left not ready, with why."""
        return {s.symbol: s.problem for s in self.symbols if s.problem is not None}


def window_start(as_of: date, sessions: int) -> date:
    """The first of the last ``sessions`` trading days before ``as_of``.

    Bounded by the calendar: the first supported trading day if there are fewer.
    """
    end = previous_trading_day(as_of)
    span = trading_days(max(FIRST_SUPPORTED_DAY, end - timedelta(days=2 * sessions + 14)), end)
    return span[-sessions] if len(span) >= sessions else span[0]


def plan_fetch(
    stored: Sequence[Bar], lookback: int, *, as_of: date, backfill: bool = False
) -> FetchPlan | None:
    """What to fetch for a series that must hold ``lookback`` bars before ``as_of``.

    ``stored`` is oldest first. ``None`` when it already ends on the last session.
    """
    usable = [bar for bar in stored if bar.date < as_of]
    if backfill or len(usable) < lookback:
        reason: FetchReason = "backfill" if backfill else ("short" if usable else "new")
        return FetchPlan(window_start(as_of, lookback + BACKFILL_MARGIN), reason)
    last = usable[-1].date
    if last >= previous_trading_day(as_of):
        return None
    return FetchPlan(last, "incremental")


def merge_bars(stored: Iterable[Bar], incoming: Iterable[Bar]) -> Merged:
    """``stored`` with ``incoming`` merged in: one bar per date, the incoming one winning."""
    before = {bar.date: bar for bar in stored}
    after = dict(before)
    after.update((bar.date, bar) for bar in incoming)
    return Merged(
        bars=tuple(after[day] for day in sorted(after)),
        added=tuple(sorted(day for day in after if day not in before)),
        revised=tuple(sorted(day for day in before if after[day] != before[day])),
    )


def _log_revised(symbol: str, merged: Merged) -> None:
    if merged.revised:
        _log.warning(
            "bars_revised",
            symbol=symbol,
            dates=len(merged.revised),
            first=merged.revised[0].isoformat(),
            last=merged.revised[-1].isoformat(),
        )


def _write_merged(
    store: SeriesStore,
    symbol: str,
    series: StoredSeries,
    incoming: Callable[[StoredSeries], Sequence[Bar]],
    *,
    dry_run: bool,
) -> tuple[Merged, bool]:
    """Merge ``incoming(series)`` and write it if it changed, re-reading on a conflict.

    Returns the merge and whether it was written. ``incoming`` is asked again for the
    series read after a conflict (a refresh plans again; an import gives its file).

    Raises:
        BarStoreConflictError: the object kept changing for ``MAX_WRITE_ATTEMPTS`` tries.
    """
    attempt = 1
    while True:
        merged = merge_bars(series.bars, incoming(series))
        if merged.bars == series.bars or dry_run:
            return merged, False
        try:
            store.write_series(symbol, merged.bars, expected=series)
        except BarStoreConflictError:
            if attempt == MAX_WRITE_ATTEMPTS:
                raise
            _log.warning("bars_write_conflict", symbol=symbol, attempt=attempt)
            attempt += 1
            series = store.read_series(symbol)
            continue
        _log_revised(symbol, merged)
        return merged, True


def _entry(symbol: str, plan: FetchPlan | None, merged: Merged, *, written: bool) -> SymbolRefresh:
    return SymbolRefresh(
        symbol=symbol,
        fetch=plan.reason if plan else None,
        fetched_from=plan.start if plan else None,
        bars_added=len(merged.added),
        bars_revised=len(merged.revised),
        first_date=merged.bars[0].date if merged.bars else None,
        last_date=merged.bars[-1].date if merged.bars else None,
        written=written,
    )


class _Planned(NamedTuple):
    """A stored series and what to fetch for it (``None``: nothing)."""

    series: StoredSeries
    plan: FetchPlan | None


@dataclass(frozen=True)
class _Refresh:
    """One refresh: its store, source and dates; fetches are batched per start date."""

    store: SeriesStore
    source: BarSource
    as_of: date
    through: date
    backfill: bool
    dry_run: bool

    def settle(self, symbol: str, lookback: int, plan: _Planned, bars: list[Bar]) -> SymbolRefresh:
        """Merge and write one symbol's fetched ``bars``, then check it is ready."""

        def incoming(current: StoredSeries) -> list[Bar]:
            return bars if current is plan.series else self._replan(symbol, lookback, current)

        merged, written = _write_merged(
            self.store, symbol, plan.series, incoming, dry_run=self.dry_run
        )
        entry = _entry(symbol, plan.plan, merged, written=written)
        try:
            select_window(symbol, merged.bars, lookback, as_of=self.as_of)
        except (MissingMarketDataError, StaleMarketDataError) as exc:
            return entry.model_copy(update={"problem": str(exc)})
        return entry

    def fetch(self, plans: Mapping[str, _Planned]) -> dict[str, list[Bar]]:
        """The bars each plan asks for.

        An incremental fetch whose overlap bar changed (a new split or dividend
        adjustment) is asked again for the whole stored range.
        """
        asked = {symbol: p.plan for symbol, p in plans.items() if p.plan is not None}
        fetched = self._between({symbol: plan.start for symbol, plan in asked.items()})
        rebase = {
            symbol: plans[symbol].series.bars[0].date
            for symbol, plan in asked.items()
            if plan.reason == "incremental"
            and merge_bars(plans[symbol].series.bars, fetched.get(symbol, [])).revised
        }
        if rebase:
            _log.warning("bars_rebased", symbols=sorted(rebase), through=self.through.isoformat())
            fetched.update(self._between(rebase))
        return fetched

    def plan(self, lookback: int, series: StoredSeries) -> _Planned:
        """What to fetch for ``series`` (see ``plan_fetch``)."""
        plan = plan_fetch(series.bars, lookback, as_of=self.as_of, backfill=self.backfill)
        return _Planned(series, plan)

    def _replan(self, symbol: str, lookback: int, series: StoredSeries) -> list[Bar]:
        return self.fetch({symbol: self.plan(lookback, series)}).get(symbol, [])

    def _between(self, starts: Mapping[str, date]) -> dict[str, list[Bar]]:
        """One source request per distinct start date, complete sessions only."""
        by_start: dict[date, list[str]] = defaultdict(list)
        for symbol, start in starts.items():
            by_start[start].append(symbol)
        fetched: dict[str, list[Bar]] = {}
        for start, symbols in sorted(by_start.items()):
            answer = self.source.bars_between(symbols, start, self.through)
            for symbol in symbols:
                fetched[symbol] = self._sessions(symbol, answer.get(symbol, []), start)
        return fetched

    def _sessions(self, symbol: str, bars: list[Bar], start: date) -> list[Bar]:
        """``bars`` dated on trading days from ``start`` to the last complete session."""
        kept = [b for b in bars if start <= b.date <= self.through and is_trading_day(b.date)]
        if len(kept) != len(bars):
            _log.warning("bars_dropped", symbol=symbol, dropped=len(bars) - len(kept))
        return kept


def refresh_bars(
    store: SeriesStore,
    source: BarSource,
    needed: Mapping[str, int],
    *,
    as_of: date,
    backfill: bool = False,
    dry_run: bool = False,
) -> BarRefreshResult:
    """Bring every symbol of ``needed`` up to the last session before ``as_of``.

    See the module docstring for what is fetched, merged and written.

    Args:
        store: the bar store.
        source: where missing bars are fetched from.
        needed: bars each symbol's strategies need (``symbol_requirements(config)``).
        as_of: the trading date the bars must be ready for.
        backfill: fetch every symbol's whole lookback again (the source wins).
        dry_run: fetch and merge, but write nothing.

    Raises:
        BarRefreshIncompleteError: a symbol is still short or stale, its object is not
            bars, or concurrent writers kept winning; every other symbol was written.
        BrokerApiError: the source failed (nothing of that request is written).
        BarStoreConfigError: the bucket is missing or may not be used.
        MarketDataUnavailableError: S3 failed in a way a retry can fix.
    """
    refresh = _Refresh(store, source, as_of, previous_trading_day(as_of), backfill, dry_run)
    entries: list[SymbolRefresh] = []
    plans: dict[str, _Planned] = {}

    def plan(symbol: str) -> _Planned | SymbolRefresh:
        try:
            return refresh.plan(needed[symbol], store.read_series(symbol))
        except MissingMarketDataError as exc:  # not bars: left for an operator to look at
            return _problem(symbol, exc)

    def settle(symbol: str) -> SymbolRefresh:
        try:
            return refresh.settle(symbol, needed[symbol], plans[symbol], fetched.get(symbol, []))
        except _SYMBOL_PROBLEMS as exc:
            return _problem(symbol, exc)

    # One object per symbol, read and written in parallel: S3's latency, not CPU, is the
    # cost (14 sequential calls for the shipped strategies).
    with ThreadPoolExecutor(max_workers=_PARALLEL_SYMBOLS) as pool:
        for symbol, planned in zip(needed, pool.map(plan, needed), strict=True):
            if isinstance(planned, SymbolRefresh):
                entries.append(planned)
            else:
                plans[symbol] = planned
        fetched = refresh.fetch(plans)
        entries.extend(pool.map(settle, plans))
    result = BarRefreshResult(
        as_of=as_of,
        through=refresh.through,
        backfill=backfill,
        dry_run=dry_run,
        symbols=tuple(sorted(entries, key=lambda entry: entry.symbol)),
    )
    _log.info(
        "bars_refreshed",
        as_of=as_of.isoformat(),
        through=result.through.isoformat(),
        written=result.written,
        not_ready=sorted(result.problems),
    )
    if result.problems:
        raise BarRefreshIncompleteError(result.problems)
    return result


def _problem(symbol: str, exc: Exception) -> SymbolRefresh:
    return SymbolRefresh(
        symbol=symbol,
        fetch=None,
        fetched_from=None,
        bars_added=0,
        bars_revised=0,
        first_date=None,
        last_date=None,
        written=False,
        problem=str(exc),
    )


def import_bars(store: SeriesStore, symbol: str, bars: Sequence[Bar]) -> SymbolRefresh:
    """Merge ``bars`` (already checked) into ``symbol``'s stored series, as a refresh does.

    The same merge (the file's bar wins on a date both have) and the same conditional
    write, re-read and retried on a conflict.

    Raises:
        BarRefreshIncompleteError: concurrent writers kept winning (nothing written).
        MissingMarketDataError: the stored object is not bars (nothing written).
    """
    series = store.read_series(symbol)
    try:
        merged, written = _write_merged(store, symbol, series, lambda _: bars, dry_run=False)
    except BarStoreConflictError as exc:
        raise BarRefreshIncompleteError({symbol: str(exc)}) from exc
    entry = _entry(symbol, None, merged, written=written)
    return entry.model_copy(update={"fetch": "import"})


def import_bars_csv(
    store: SeriesStore, symbol: str, path: Path, *, today: date | None = None
) -> SymbolRefresh:
    """``alchemiser bars import``: a user's OHLCV CSV merged into ``symbol``'s series.

    Every row is checked before anything is written; one bad row and nothing is.

    Args:
        store: the bar store.
        symbol: whose series the file is (the CLI defaults it to the file's stem).
        path: the CSV file (``date,open,high,low,close,volume``; see ``bars_csv``).
        today: the New York date no row may be after (default: today).

    Raises:
        InputRejectedError: ``symbol`` is not a symbol (field ``symbol``).
        BarsFileRejectedError: the file's problems, each with file, line and column.
    """
    from alchemiser.trading.bars_csv import read_bars_csv  # noqa: PLC0415 - CLI only

    try:
        checked = TypeAdapter(Symbol).validate_python(symbol)
    except ValidationError as exc:
        raise InputRejectedError.from_validation(exc, prefix="symbol") from exc
    return import_bars(store, checked, read_bars_csv(path, today=today))
