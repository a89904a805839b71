"""The bar refresh's decisions: what to fetch, how to merge, when to write (in memory)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from alchemiser.errors import BarRefreshIncompleteError, InputRejectedError
from alchemiser.trading import trading_days
from alchemiser.trading.bar_refresh import (
    BACKFILL_MARGIN,
    MAX_WRITE_ATTEMPTS,
    FetchPlan,
    import_bars,
    import_bars_csv,
    merge_bars,
    plan_fetch,
    refresh_bars,
    window_start,
)
from tests.unit.trading.fake_bars import InMemorySeriesStore, RecordingBarSource, bar, bars_on

AS_OF = date(2025, 3, 12)  # a Wednesday
THROUGH = date(2025, 3, 11)  # the last complete session before it
DAYS = trading_days(date(2024, 1, 2), THROUGH)
LOOKBACK = 20


@pytest.fixture
def store() -> InMemorySeriesStore:
    return InMemorySeriesStore()


@pytest.fixture
def source() -> RecordingBarSource:
    return RecordingBarSource(
        {"SPY": bars_on(DAYS, "500"), "BIL": bars_on(DAYS, "91.5"), "QQQ": bars_on(DAYS, "450")}
    )


# --- what to fetch ---------------------------------------------------------------------


def test_window_start_counts_nyse_trading_days_not_weekdays():
    # 2025-01-09, a Thursday, was a national day of mourning: the NYSE was closed
    assert window_start(date(2025, 1, 10), 3) == date(2025, 1, 6)


def test_plan_for_a_new_symbol_is_its_lookback_plus_a_margin_of_trading_days():
    plan = plan_fetch((), LOOKBACK, as_of=AS_OF)

    assert plan == FetchPlan(DAYS[-(LOOKBACK + BACKFILL_MARGIN)], "new")
    assert len(trading_days(plan.start, THROUGH)) == LOOKBACK + BACKFILL_MARGIN


def test_plan_for_a_series_shorter_than_its_lookback_is_the_whole_window():
    plan = plan_fetch(bars_on(DAYS[-5:]), LOOKBACK, as_of=AS_OF)
    assert plan == FetchPlan(DAYS[-(LOOKBACK + BACKFILL_MARGIN)], "short")


def test_plan_for_a_series_ending_on_the_last_session_is_nothing():
    assert plan_fetch(bars_on(DAYS[-LOOKBACK:]), LOOKBACK, as_of=AS_OF) is None


def test_plan_for_a_series_behind_starts_at_its_last_bar_as_an_overlap():
    stored = bars_on(DAYS[-LOOKBACK - 3 : -3])
    assert plan_fetch(stored, LOOKBACK, as_of=AS_OF) == FetchPlan(DAYS[-4], "incremental")


def test_plan_with_backfill_asks_for_the_whole_window_even_when_current():
    plan = plan_fetch(bars_on(DAYS), LOOKBACK, as_of=AS_OF, backfill=True)
    assert plan == FetchPlan(DAYS[-(LOOKBACK + BACKFILL_MARGIN)], "backfill")


def test_plan_judges_only_the_bars_before_as_of():
    # Given a store filled ahead (bars on and after the date being prepared)
    stored = bars_on([*DAYS[-LOOKBACK - 2 : -2], AS_OF, AS_OF + timedelta(days=1)])
    # Then the series is behind by the two sessions before as_of
    assert plan_fetch(stored, LOOKBACK, as_of=AS_OF) == FetchPlan(DAYS[-3], "incremental")


# --- merging ---------------------------------------------------------------------------


def test_merge_adds_new_dates_and_keeps_one_bar_per_date():
    merged = merge_bars(bars_on(DAYS[:3]), bars_on(DAYS[2:5]))
    assert [b.date for b in merged.bars] == list(DAYS[:5])
    assert merged.added == DAYS[3:5]
    assert merged.revised == ()


def test_merge_lets_the_incoming_bar_win_and_names_the_replaced_date():
    merged = merge_bars([bar(DAYS[0], "10"), bar(DAYS[1], "11")], [bar(DAYS[1], "12")])
    assert merged.bars[1].close == Decimal(12)
    assert merged.revised == (DAYS[1],)


def test_merge_of_equal_values_written_differently_is_no_change():
    stored = [bar(DAYS[0], "100.50")]
    merged = merge_bars(stored, [bar(DAYS[0], "100.5")])
    assert merged.bars == tuple(stored)
    assert merged.revised == ()


# --- refreshing ------------------------------------------------------------------------


def test_refresh_backfills_new_symbols_in_one_request_per_window(store, source):
    result = refresh_bars(store, source, {"SPY": LOOKBACK, "BIL": LOOKBACK}, as_of=AS_OF)

    start = DAYS[-(LOOKBACK + BACKFILL_MARGIN)]
    assert source.requests == [(("SPY", "BIL"), start, THROUGH)]
    assert result.written == ["BIL", "SPY"]
    spy = next(entry for entry in result.symbols if entry.symbol == "SPY")
    assert (spy.fetch, spy.fetched_from, spy.bars_added) == ("new", start, 30)
    assert (spy.first_date, spy.last_date) == (start, THROUGH)
    assert [b.date for b in store.stored("SPY")] == list(DAYS[-30:])


def test_refresh_fetches_only_what_is_missing_after_the_last_stored_bar(store, source):
    store.seed("SPY", bars_on(DAYS[-40:-1], "500"))

    result = refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF)

    assert source.requests == [(("SPY",), DAYS[-2], THROUGH)]
    (entry,) = result.symbols
    assert (entry.fetch, entry.bars_added, entry.written) == ("incremental", 1, True)
    assert store.stored("SPY")[-1].date == THROUGH


def test_refresh_run_again_writes_nothing_and_asks_the_source_nothing(store, source):
    needed = {"SPY": LOOKBACK, "BIL": 1}
    refresh_bars(store, source, needed, as_of=AS_OF)
    source.requests.clear()
    store.writes.clear()

    again = refresh_bars(store, source, needed, as_of=AS_OF)

    assert source.requests == []
    assert store.writes == []
    assert again.written == []
    assert {entry.fetch for entry in again.symbols} == {None}


def test_refresh_never_stores_the_partial_bar_of_the_day_it_prepares(store):
    # Given a source that answers past the end asked for, and on a Saturday
    leaky = RecordingBarSource(
        {"SPY": bars_on([*DAYS, date(2025, 3, 8), AS_OF])}, ignore_range=True
    )

    refresh_bars(store, leaky, {"SPY": LOOKBACK}, as_of=AS_OF)

    dates = [b.date for b in store.stored("SPY")]
    assert dates[-1] == THROUGH
    assert date(2025, 3, 8) not in dates


def test_refresh_fetches_the_whole_range_again_when_the_source_re_adjusted_it(store):
    # Given a stored series at 100, and a source that since adjusted it for a 2:1 split
    store.seed("SPY", bars_on(DAYS[-40:-1], "100"))
    source = RecordingBarSource({"SPY": bars_on(DAYS, "50")})

    result = refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF)

    # Then the overlap bar told it, and every stored date was fetched again
    assert source.requests == [
        (("SPY",), DAYS[-2], THROUGH),
        (("SPY",), DAYS[-40], THROUGH),
    ]
    assert {b.close for b in store.stored("SPY")} == {Decimal(50)}
    (entry,) = result.symbols
    assert (entry.bars_added, entry.bars_revised) == (1, 39)


def test_refresh_names_a_symbol_the_source_lacks_and_still_writes_the_others(store, source):
    with pytest.raises(BarRefreshIncompleteError, match="XYZ: no daily bars") as raised:
        refresh_bars(store, source, {"SPY": LOOKBACK, "XYZ": LOOKBACK}, as_of=AS_OF)

    assert list(raised.value.problems) == ["XYZ"]
    assert store.stored("SPY")[-1].date == THROUGH
    assert "XYZ" not in store.objects


def test_refresh_names_a_symbol_whose_source_stopped_updating(store):
    source = RecordingBarSource({"SPY": bars_on(DAYS[:-3])})

    with pytest.raises(BarRefreshIncompleteError, match="SPY: latest daily bar is 2025-03-06"):
        refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF)

    assert store.stored("SPY")[-1].date == DAYS[-4]  # what it had is kept


def test_refresh_leaves_an_object_that_is_not_bars_alone_and_names_it(store, source):
    store.corrupt.add("QQQ")

    with pytest.raises(BarRefreshIncompleteError, match=r"QQQ: line 1 of bars/QQQ\.jsonl"):
        refresh_bars(store, source, {"SPY": LOOKBACK, "QQQ": LOOKBACK}, as_of=AS_OF)

    assert store.writes == ["SPY"]


def test_refresh_that_loses_a_write_race_reads_again_and_keeps_both_writers_bars(store, source):
    # Given a stored series a day behind, and another writer that adds an older bar (an
    # import) between this refresh's read and its write
    store.seed("SPY", bars_on(DAYS[-40:-1], "500"))
    imported = bar(DAYS[-41], "500")

    def concurrent_import(symbol: str) -> None:
        store.before_write = None
        store.seed(symbol, (imported, *store.stored(symbol)))

    store.before_write = concurrent_import

    refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF)

    dates = [b.date for b in store.stored("SPY")]
    assert dates[0] == imported.date  # the other writer's bar
    assert dates[-1] == THROUGH  # and this refresh's
    assert store.writes == ["SPY"]


def test_refresh_gives_up_on_a_symbol_that_keeps_changing_under_it(store, source):
    store.seed("SPY", bars_on(DAYS[-40:-1], "500"))
    store.before_write = lambda symbol: store.seed(symbol, store.stored(symbol))

    with pytest.raises(BarRefreshIncompleteError, match="SPY: changed since it was read"):
        refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF)

    assert len(source.requests) == MAX_WRITE_ATTEMPTS  # planned again after each conflict


def test_refresh_dry_run_fetches_and_reports_but_writes_nothing(store, source):
    result = refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF, dry_run=True)

    assert store.objects == {}
    (entry,) = result.symbols
    assert (entry.bars_added, entry.written, entry.problem) == (30, False, None)


def test_refresh_with_backfill_lets_the_source_win_over_the_window(store, source):
    store.seed("SPY", bars_on(DAYS[-100:], "1"))

    result = refresh_bars(store, source, {"SPY": LOOKBACK}, as_of=AS_OF, backfill=True)

    (entry,) = result.symbols
    assert (entry.fetch, entry.bars_revised, entry.bars_added) == ("backfill", 30, 0)
    assert [b.close for b in store.stored("SPY")[-30:]] == [Decimal(500)] * 30
    assert store.stored("SPY")[0].close == Decimal(1)  # older than the window: kept


# --- importing ---------------------------------------------------------------------------


def test_import_merges_like_a_refresh_and_the_file_wins(store):
    store.seed("SPY", bars_on(DAYS[-3:], "500"))

    entry = import_bars(store, "SPY", [bar(DAYS[-4], "499"), bar(DAYS[-1], "501")])

    assert (entry.fetch, entry.bars_added, entry.bars_revised, entry.written) == (
        "import",
        1,
        1,
        True,
    )
    assert [b.close for b in store.stored("SPY")] == [499, 500, 500, 501]


def test_import_of_bars_already_stored_writes_nothing(store):
    store.seed("SPY", bars_on(DAYS[-3:], "500"))
    entry = import_bars(store, "SPY", bars_on(DAYS[-2:], "500"))
    assert (entry.written, store.writes) == (False, [])


def test_import_names_a_symbol_that_is_not_one(store, tmp_path):
    path = tmp_path / "spy.csv"
    path.write_text("date,open,high,low,close,volume\n2025-03-11,1,1,1,1,1\n")

    with pytest.raises(InputRejectedError) as raised:
        import_bars_csv(store, "spy etf", path, today=AS_OF)

    assert raised.value.field == "symbol"
    assert store.objects == {}
