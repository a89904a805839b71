"""S3BarStore against the moto server: the JSON-lines format, errors and the cache."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from alchemiser.errors import MissingMarketDataError, StaleMarketDataError
from alchemiser.trading import Bar, S3BarStore, trading_days

DAYS = trading_days(date(2025, 2, 3), date(2025, 3, 11))


def _bars(days: tuple[date, ...], start: str = "100.01") -> list[Bar]:
    price = Decimal(start)
    return [
        Bar(
            date=day,
            open=price + i,
            high=price + i + 1,
            low=price + i - 1,
            close=price + i + Decimal("0.5"),
            volume=Decimal(10_000 + i),
        )
        for i, day in enumerate(days)
    ]


def _get_counter(client) -> list[str]:
    keys: list[str] = []
    client.meta.events.register(
        "before-call.s3.GetObject", lambda params, **_: keys.append(params["url_path"])
    )
    return keys


def test_bar_store_writes_one_json_line_per_bar_with_decimal_strings(s3, bucket):
    # Given bars written for SPY
    S3BarStore(bucket, client=s3).put_bars("SPY", reversed(_bars(DAYS[:2])))
    # When the object is read raw
    body = s3.get_object(Bucket=bucket, Key="bars/SPY.jsonl")["Body"].read().decode()
    # Then it is sorted JSON lines with every number as a string
    first, second = body.splitlines()
    assert first == (
        '{"date":"2025-02-03","open":"100.01","high":"101.01","low":"99.01",'
        '"close":"100.51","volume":"10000"}'
    )
    assert second.startswith('{"date":"2025-02-04"')


def test_bar_store_round_trips_exactly_and_selects_the_window(s3, bucket):
    written = _bars(DAYS)
    S3BarStore(bucket, client=s3).put_bars("SPY", written)
    # A fresh store (a new container) reads it back
    bars = S3BarStore(bucket, client=s3).daily_bars(["SPY"], 3, as_of=date(2025, 3, 12))
    assert bars["SPY"] == tuple(written[-3:])


def test_bar_store_reads_each_symbol_once_per_container(s3, bucket):
    writer = S3BarStore(bucket, client=s3)
    writer.put_bars("SPY", _bars(DAYS))
    writer.put_bars("TLT", _bars(DAYS, start="90"))
    store = S3BarStore(bucket, client=s3)
    gets = _get_counter(s3)
    store.daily_bars(["SPY", "TLT"], 5, as_of=date(2025, 3, 12))
    store.daily_bars(["SPY"], 20, as_of=date(2025, 3, 12))
    store.daily_bars(["TLT"], 1, as_of=date(2025, 3, 11))
    assert sorted(gets) == ["/bars/SPY.jsonl", "/bars/TLT.jsonl"]


def test_bar_store_rereads_a_cached_series_that_a_later_date_needs(s3, bucket):
    # Given a warm store that cached bars through 2025-03-11
    S3BarStore(bucket, client=s3).put_bars("SPY", _bars(DAYS))
    store = S3BarStore(bucket, client=s3)
    store.daily_bars(["SPY"], 1, as_of=date(2025, 3, 12))
    # When the next day's bar is loaded by the bar loader and the next date is traded
    S3BarStore(bucket, client=s3).put_bars("SPY", _bars((*DAYS, date(2025, 3, 12))))
    bars = store.daily_bars(["SPY"], 1, as_of=date(2025, 3, 13))
    # Then the store read the object again instead of calling its cache stale
    assert bars["SPY"][-1].date == date(2025, 3, 12)


def test_bar_store_stale_object_is_refused(s3, bucket):
    S3BarStore(bucket, client=s3).put_bars("SPY", _bars(DAYS))
    with pytest.raises(StaleMarketDataError, match="SPY: latest daily bar is 2025-03-11"):
        S3BarStore(bucket, client=s3).daily_bars(["SPY"], 1, as_of=date(2025, 3, 14))


def test_bar_store_missing_symbol_is_named(s3, bucket):
    S3BarStore(bucket, client=s3).put_bars("SPY", _bars(DAYS))
    with pytest.raises(MissingMarketDataError, match=r"^QQQ: no daily bars in s3://.*QQQ\.jsonl"):
        S3BarStore(bucket, client=s3).daily_bars(["SPY", "QQQ"], 1, as_of=date(2025, 3, 12))


def test_bar_store_malformed_line_names_symbol_and_line(s3, bucket):
    s3.put_object(Bucket=bucket, Key="bars/SPY.jsonl", Body=b'{"date":"2025-03-11"}\n')
    with pytest.raises(
        MissingMarketDataError, match=r"SPY: line 1 of bars/SPY\.jsonl is not a bar"
    ):
        S3BarStore(bucket, client=s3).daily_bars(["SPY"], 1, as_of=date(2025, 3, 12))


def test_bar_store_refuses_two_bars_for_one_date(s3, bucket):
    with pytest.raises(ValueError, match="two bars for one date"):
        S3BarStore(bucket, client=s3).put_bars("SPY", _bars(DAYS[:1]) * 2)
