"""The bar refresh and import against the moto server and a fake Alpaca on loopback.

moto 5.2 honours ``If-Match`` and ``If-None-Match: *`` on PutObject but checks them and
writes on two server threads without a lock; real S3 decides a conditional write
atomically. ``_atomic_conditional_puts`` closes that gap (one PutObject at a time), so
the race tests check our conditions, not the emulator's isolation. moto also stores a
PutObject's SHA-256 without checking it against the body: that S3 refuses a corrupted
upload cannot be shown here; what is shown is that the checksum sent is the body's and
that a read refuses a body that does not match its stored checksum.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto.s3.responses import S3Response

from alchemiser.errors import (
    BarRefreshIncompleteError,
    BarsFileRejectedError,
    BarStoreConflictError,
    MarketDataUnavailableError,
)
from alchemiser.trading import AlpacaMarketData, S3BarStore, trading_days
from alchemiser.trading.alpaca_http import RetryPolicy
from alchemiser.trading.bar_refresh import (
    BACKFILL_MARGIN,
    import_bars_csv,
    refresh_bars,
    window_start,
)
from alchemiser.trading.bar_store import StoredSeries
from tests.integration.conftest import REGION
from tests.support.market_data import MarketDataApi
from tests.unit.trading.fake_bars import bar, bars_on

AS_OF = date(2025, 3, 12)
THROUGH = date(2025, 3, 11)
DAYS = trading_days(date(2024, 6, 3), THROUGH)
NEEDED = {"SPY": 20, "BIL": 1}


@pytest.fixture(autouse=True)
def _atomic_conditional_puts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decide each PutObject's condition and write as one step, as S3 does (see above)."""
    lock = threading.Lock()
    original = S3Response.put_object

    @functools.wraps(original)
    def atomic(self: S3Response, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(S3Response, "put_object", atomic)


@pytest.fixture
def store(s3, bucket) -> S3BarStore:
    return S3BarStore(bucket, client=s3)


@pytest.fixture
def market(alpaca_url, alpaca_state, credentials) -> AlpacaMarketData:
    alpaca_state.set_bars({"SPY": bars_on(DAYS, "571.25"), "BIL": bars_on(DAYS, "91.5")})
    return AlpacaMarketData(credentials, base_url=alpaca_url, retry=RetryPolicy(backoff_seconds=0))


def bar_queries(emulator) -> list[dict[str, str]]:
    return MarketDataApi(emulator).queries


def calls(client, operation: str) -> list[dict[str, Any]]:
    """Every ``operation`` request ``client`` makes from now on (its parameters)."""
    seen: list[dict[str, Any]] = []
    client.meta.events.register(
        f"before-parameter-build.s3.{operation}", lambda params, **_: seen.append(dict(params))
    )
    return seen


def etag(s3, bucket: str, symbol: str) -> str:
    return str(s3.head_object(Bucket=bucket, Key=f"bars/{symbol}.jsonl")["ETag"])


# --- the store's conditional, checksummed writes -------------------------------------------


def test_a_new_object_is_written_only_if_none_appeared_meanwhile(store):
    nothing = store.read_series("SPY")
    assert nothing == StoredSeries((), None)

    store.write_series("SPY", bars_on(DAYS[-2:]), expected=nothing)

    with pytest.raises(BarStoreConflictError, match="changed since it was read"):
        store.write_series("SPY", bars_on(DAYS[-3:]), expected=nothing)
    assert len(store.read_series("SPY").bars) == 2


def test_an_object_is_replaced_only_from_the_version_read(store):
    store.put_bars("SPY", bars_on(DAYS[-2:]))
    read = store.read_series("SPY")
    store.write_series("SPY", bars_on(DAYS[-3:]), expected=read)

    with pytest.raises(BarStoreConflictError, match="PreconditionFailed"):
        store.write_series("SPY", bars_on(DAYS[-9:]), expected=read)
    assert len(store.read_series("SPY").bars) == 3


def test_a_written_object_carries_the_sha256_of_its_body(s3, bucket, store):
    store.put_bars("SPY", bars_on(DAYS[-5:]))

    got = s3.get_object(Bucket=bucket, Key="bars/SPY.jsonl", ChecksumMode="ENABLED")

    digest = hashlib.sha256(got["Body"].read()).digest()
    assert got["ChecksumSHA256"] == base64.b64encode(digest).decode()


def test_a_body_that_does_not_match_its_stored_checksum_is_refused(s3, bucket, store):
    # Given an object whose stored SHA-256 is another body's (moto does not check it)
    body = b'{"date":"2025-03-11","open":"1","high":"1","low":"1","close":"1","volume":"1"}\n'
    wrong = base64.b64encode(hashlib.sha256(b"another body").digest()).decode()
    s3.put_object(
        Bucket=bucket,
        Key="bars/SPY.jsonl",
        Body=body,
        ChecksumAlgorithm="SHA256",
        ChecksumSHA256=wrong,
    )

    with pytest.raises(MarketDataUnavailableError, match="does not match its stored checksum"):
        store.read_series("SPY")
    with pytest.raises(MarketDataUnavailableError, match="does not match its stored checksum"):
        S3BarStore(bucket, client=s3).daily_bars(["SPY"], 1, as_of=AS_OF)


def test_what_the_store_wrote_is_what_its_cache_serves(s3, store):
    store.put_bars("SPY", bars_on(DAYS[-5:]))
    store.bars("SPY")
    gets = calls(s3, "GetObject")

    store.write_series("SPY", bars_on(DAYS[-6:]), expected=store.read_series("SPY"))

    assert len(store.bars("SPY")) == 6
    assert store.daily_bars(["SPY"], 6, as_of=AS_OF)["SPY"][0].date == DAYS[-6]
    assert len(gets) == 1  # the read_series before the write; none after it


# --- refreshing from Alpaca ----------------------------------------------------------------


def test_refresh_backfills_a_new_symbol_from_alpaca(market, alpaca_state, store):
    result = refresh_bars(store, market, NEEDED, as_of=AS_OF)

    assert result.written == ["BIL", "SPY"]
    stored = store.read_series("SPY").bars
    assert [b.date for b in stored] == list(DAYS[-(20 + BACKFILL_MARGIN) :])
    assert {b.close for b in stored} == {bar(THROUGH, "571.25").close}
    queries = bar_queries(alpaca_state)
    # RFC 3339 bounds; the end is exclusive: the start of the day after THROUGH
    assert {(q["start"][:10], q["end"][:10]) for q in queries} == {
        (window_start(AS_OF, 20 + BACKFILL_MARGIN).isoformat(), "2025-03-12"),
        (window_start(AS_OF, 1 + BACKFILL_MARGIN).isoformat(), "2025-03-12"),
    }
    assert {q["feed"] for q in queries} == {"iex"}


def test_refresh_of_the_next_day_fetches_one_bar_and_writes_only_its_symbols(
    market, alpaca_state, s3, bucket, store
):
    refresh_bars(store, market, NEEDED, as_of=AS_OF)
    api = MarketDataApi(alpaca_state)
    api.add({"SPY": [bar(AS_OF, "572")], "BIL": [bar(AS_OF, "91.5")]})
    alpaca_state.set_today(date(2025, 3, 13))  # the 12th's session has closed
    api.forget()
    puts = calls(s3, "PutObject")

    result = refresh_bars(store, market, NEEDED, as_of=date(2025, 3, 13))

    assert [(q["symbols"], q["start"][:10]) for q in bar_queries(alpaca_state)] == [
        ("SPY,BIL", "2025-03-11")
    ]
    assert {(e.symbol, e.bars_added) for e in result.symbols} == {("SPY", 1), ("BIL", 1)}
    assert [p["Key"] for p in puts] == ["bars/SPY.jsonl", "bars/BIL.jsonl"]
    assert all(p["IfMatch"] for p in puts)


def test_refresh_run_again_puts_nothing_and_keeps_every_object_version(
    market, alpaca_state, s3, bucket, store
):
    refresh_bars(store, market, NEEDED, as_of=AS_OF)
    versions = {symbol: etag(s3, bucket, symbol) for symbol in NEEDED}
    alpaca_state.requests.clear()
    puts = calls(s3, "PutObject")

    # a fresh container: nothing cached
    again = refresh_bars(S3BarStore(bucket, client=s3), market, NEEDED, as_of=AS_OF)

    assert (puts, bar_queries(alpaca_state), again.written) == ([], [], [])
    assert {symbol: etag(s3, bucket, symbol) for symbol in NEEDED} == versions


def test_concurrent_writers_never_lose_each_others_bars(market, bucket, tmp_path):
    # Given SPY stored a day behind, a refresh adding the missing day and, at the same
    # time, an import adding older bars, in two containers (two clients)
    seed = S3BarStore(bucket, client=boto3.client("s3", region_name=REGION))
    seed.put_bars("SPY", [bar(day, "571.25") for day in DAYS[-30:-1]])
    csv = tmp_path / "spy.csv"
    csv.write_text(
        "date,open,high,low,close,volume\n"
        + "".join(f"{day.isoformat()},500,500,500,500,100\n" for day in DAYS[-35:-30])
    )
    both_read = threading.Barrier(2, timeout=10)
    puts = []

    def writer(work):
        client = boto3.client("s3", region_name=REGION)
        waited: list[bool] = []

        def hold_first_put(params, **_):
            puts.append(params["Key"])
            if not waited:  # both read the same version before either writes
                waited.append(True)
                both_read.wait()

        client.meta.events.register("before-parameter-build.s3.PutObject", hold_first_put)
        return work(S3BarStore(bucket, client=client))

    with ThreadPoolExecutor(max_workers=2) as pool:
        refreshed = pool.submit(
            writer, lambda store: refresh_bars(store, market, {"SPY": 20}, as_of=AS_OF)
        )
        imported = pool.submit(
            writer, lambda store: import_bars_csv(store, "SPY", csv, today=AS_OF)
        )
        refreshed.result(), imported.result()

    # Then one of them lost the race, read again and wrote both sets of bars
    assert len(puts) == 3
    dates = [b.date for b in S3BarStore(bucket, client=seed.client).read_series("SPY").bars]
    assert dates == list(DAYS[-35:])


def test_refresh_leaves_an_object_that_is_not_bars_untouched(market, s3, bucket, store):
    s3.put_object(Bucket=bucket, Key="bars/BIL.jsonl", Body=b"date,close\n2025-03-11,91.5\n")
    before = etag(s3, bucket, "BIL")

    with pytest.raises(BarRefreshIncompleteError, match=r"BIL: line 1 of bars/BIL\.jsonl") as e:
        refresh_bars(store, market, NEEDED, as_of=AS_OF)

    assert list(e.value.problems) == ["BIL"]
    assert etag(s3, bucket, "BIL") == before
    assert store.read_series("SPY").bars[-1].date == THROUGH


# --- importing a user's CSV ----------------------------------------------------------------


def test_import_merges_a_good_file_into_the_stored_series(s3, bucket, store, tmp_path):
    store.put_bars("TQQQ", bars_on(DAYS[-3:], "80"))
    path = tmp_path / "tqqq.csv"
    path.write_text(
        f"Date,Open,High,Low,Close,Volume\n{DAYS[-4]},79,81,78,80.5,1200\n{DAYS[-1]},80,82,79,81,900\n"
    )

    entry = import_bars_csv(store, "TQQQ", path, today=AS_OF)

    assert (entry.bars_added, entry.bars_revised, entry.written) == (1, 1, True)
    stored = S3BarStore(bucket, client=s3).read_series("TQQQ").bars
    assert [(b.date, b.close) for b in stored][::3] == [
        (DAYS[-4], Decimal("80.5")),
        (DAYS[-1], Decimal(81)),
    ]


def test_import_of_a_file_with_a_bad_row_writes_nothing(s3, bucket, store, tmp_path):
    store.put_bars("TQQQ", bars_on(DAYS[-3:], "80"))
    before = etag(s3, bucket, "TQQQ")
    path = tmp_path / "tqqq.csv"
    path.write_text(
        f"date,open,high,low,close,volume\n{DAYS[-5]},79,81,78,80.5,1200\n{DAYS[-4]},79,81,78,-1,9\n"
    )
    puts = calls(s3, "PutObject")

    with pytest.raises(BarsFileRejectedError) as raised:
        import_bars_csv(store, "TQQQ", path, today=AS_OF)

    ((line, column, file),) = [(d["line"], d["column"], d["file"]) for d in raised.value.details]
    assert (line, column, file) == (3, "close", str(path))
    assert puts == []
    assert etag(s3, bucket, "TQQQ") == before
