"""Daily bars in S3: one JSON-lines object per symbol, ``bars/<SYMBOL>.jsonl``.

Each line is ``{"date": "YYYY-MM-DD", "open": "…", …, "volume": "…"}`` with Decimal
strings, so prices round-trip exactly. The local stack fills the bucket from the
seeded generator; a deployed stack keeps it current itself (``bar_refresh``).

A symbol's parsed bars are cached per container. A warm container reused on a later
trading date would otherwise see its cached bars as stale, so a cached series that no
longer covers the previous trading day is read again before being judged. A write
through this store replaces the symbol's cached bars with what it wrote.

Never half-written, never a lost update: an object is written whole in one PutObject
carrying the body's SHA-256 (S3 refuses a body that does not match it), and
``write_series`` is conditional on the version read (``If-Match`` its ETag, or
``If-None-Match: *`` for a new object), so of two writers that read the same version
only the first succeeds and the second re-reads (``BarStoreConflictError``). Reads ask
for the stored checksum, so botocore refuses a body that does not match it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, NamedTuple

from pydantic import ValidationError

from alchemiser.aws import aws_errors, error_code, s3_client, translate_aws_errors
from alchemiser.errors import (
    BarStoreConfigError,
    BarStoreConflictError,
    MarketDataUnavailableError,
    MissingMarketDataError,
)
from alchemiser.logging import get_logger
from alchemiser.trading.bars import Bar, select_window
from alchemiser.trading.market_calendar import previous_trading_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import PutObjectRequestTypeDef

__all__ = ["S3BarStore", "StoredSeries", "bar_key"]

#: Objects read in parallel on a cold cache (S3 latency, not CPU, is the cost).
_MAX_PARALLEL_READS = 8
#: Codes S3 answers for an object that is not there (with s3:ListBucket; 403 without).
_ABSENT_CODES = frozenset({"NoSuchKey", "404"})
#: The object changed since it was read (412), a concurrent conditional write won the
#: race (409), or it was deleted since (If-Match on a missing key).
_CONFLICT_CODES = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"})

_log = get_logger(__name__)


def bar_key(symbol: str) -> str:
    """The object key of a symbol's bars."""
    return f"bars/{symbol}.jsonl"


def _to_line(bar: Bar) -> str:
    return json.dumps(bar.model_dump(mode="json"), separators=(",", ":"))


def _parse(symbol: str, key: str, body: bytes) -> list[Bar]:
    bars = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            bars.append(Bar.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors(include_url=False, include_input=False)[0]
            reason = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            raise MissingMarketDataError(
                f"{symbol}: line {number} of {key} is not a bar ({reason})"
            ) from exc
    return bars


class StoredSeries(NamedTuple):
    """A symbol's stored bars (oldest first) and the object version they were read at."""

    bars: tuple[Bar, ...]
    #: The object's ETag; ``None`` when there is no object yet.
    etag: str | None


def _ordered(symbol: str, bars: Iterable[Bar]) -> tuple[Bar, ...]:
    ordered = tuple(sorted(bars, key=lambda bar: bar.date))
    dates = [bar.date for bar in ordered]
    if len(set(dates)) != len(dates):
        raise ValueError(f"{symbol}: two bars for one date")
    return ordered


def _body(bars: tuple[Bar, ...]) -> bytes:
    return "".join(_to_line(bar) + "\n" for bar in bars).encode()


class S3BarStore:
    """The S3 bar store: reads (``daily_bars``, ``read_series``) and writes one bucket."""

    def __init__(self, bucket: str, *, client: S3Client | None = None) -> None:
        self.bucket = bucket
        self._client = client
        self._cache: dict[str, tuple[Bar, ...]] = {}

    @property
    def client(self) -> S3Client:
        """The injected client, or the container's."""
        return self._client or s3_client()

    def daily_bars(
        self, symbols: Sequence[str], lookback: int, *, as_of: date
    ) -> dict[str, tuple[Bar, ...]]:
        """Per symbol, the last ``lookback`` bars before ``as_of`` (see ``MarketData``)."""
        wanted = list(dict.fromkeys(symbols))
        expected = previous_trading_day(as_of)
        to_read = [s for s in wanted if not self._covers(s, expected)]
        if to_read:
            self._read_all(to_read)
        return {s: select_window(s, self._cache[s], lookback, as_of=as_of) for s in wanted}

    def bars(self, symbol: str) -> tuple[Bar, ...]:
        """Every stored bar of ``symbol``, oldest first (read once per container)."""
        if symbol not in self._cache:
            self._read_all([symbol])
        return self._cache[symbol]

    def read_series(self, symbol: str) -> StoredSeries:
        """``symbol``'s stored bars and version, read now (a missing object is empty).

        Raises:
            MissingMarketDataError: a line of the object is not a bar (named).
            BarStoreConfigError: the bucket is missing or this role may not read it.
            MarketDataUnavailableError: S3 failed in a way a retry can fix, or the body
                does not match its stored checksum.
        """
        series = self._get(symbol)
        if series.etag is not None:
            self._cache[symbol] = series.bars
        return series

    def write_series(
        self, symbol: str, bars: Iterable[Bar], *, expected: StoredSeries
    ) -> StoredSeries:
        """Replace ``symbol``'s bars, only if the object is still the version ``expected``.

        Raises:
            BarStoreConflictError: the object changed (or appeared) since ``expected``
                was read: read it again and redo the change.
            ValueError: two bars for one date.
        """
        return self._put(symbol, _ordered(symbol, bars), expected=expected)

    def put_bars(self, symbol: str, bars: Iterable[Bar]) -> None:
        """Replace ``symbol``'s stored bars, whatever is there (seeding a store).

        Raises:
            ValueError: two bars for one date.
        """
        self._put(symbol, _ordered(symbol, bars), expected=None)

    def _put(
        self, symbol: str, ordered: tuple[Bar, ...], *, expected: StoredSeries | None
    ) -> StoredSeries:
        """One PutObject of the whole series, conditional on ``expected`` unless None."""
        body = _body(ordered)
        request: PutObjectRequestTypeDef = {
            "Bucket": self.bucket,
            "Key": bar_key(symbol),
            "Body": body,
            "ContentType": "application/x-ndjson",
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": base64.b64encode(hashlib.sha256(body).digest()).decode(),
        }
        if expected is not None:
            if expected.etag is None:
                request["IfNoneMatch"] = "*"  # refused if the object appeared meanwhile
            else:
                request["IfMatch"] = expected.etag  # refused if it changed since the read
        where = f"s3://{self.bucket}/{request['Key']}"
        with translate_aws_errors(
            f"{symbol}: writing {where}",
            transient=MarketDataUnavailableError,
            config=BarStoreConfigError,
        ):
            try:
                etag = self.client.put_object(**request)["ETag"]
            except aws_errors() as exc:
                if error_code(exc) in _CONFLICT_CODES:
                    raise BarStoreConflictError(
                        f"{symbol}: {where} changed since it was read ({error_code(exc)})"
                    ) from exc
                raise
        self._cache[symbol] = ordered
        return StoredSeries(ordered, etag)

    def _covers(self, symbol: str, expected: date) -> bool:
        cached = self._cache.get(symbol)
        return cached is not None and len(cached) > 0 and cached[-1].date >= expected

    def _read_all(self, symbols: list[str]) -> None:
        if len(symbols) == 1:
            self._cache[symbols[0]] = self._read(symbols[0])
            return
        with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL_READS, len(symbols))) as pool:
            for symbol, bars in zip(symbols, pool.map(self._read, symbols), strict=True):
                self._cache[symbol] = bars

    def _read(self, symbol: str) -> tuple[Bar, ...]:
        series = self._get(symbol)
        if series.etag is None:
            raise MissingMarketDataError(
                f"{symbol}: no daily bars in s3://{self.bucket}/{bar_key(symbol)}"
            )
        _log.debug("bars_loaded", symbol=symbol, bars=len(series.bars), bucket=self.bucket)
        return series.bars

    def _get(self, symbol: str) -> StoredSeries:
        from botocore.exceptions import FlexibleChecksumError  # noqa: PLC0415 - cold start

        key = bar_key(symbol)
        where = f"s3://{self.bucket}/{key}"
        with translate_aws_errors(
            f"{symbol}: reading {where}",
            transient=MarketDataUnavailableError,
            config=BarStoreConfigError,
        ):
            try:
                response = self.client.get_object(
                    Bucket=self.bucket, Key=key, ChecksumMode="ENABLED"
                )
                body = response["Body"].read()
            except FlexibleChecksumError as exc:
                raise MarketDataUnavailableError(
                    f"{symbol}: {where} does not match its stored checksum"
                ) from exc
            except aws_errors() as exc:
                if error_code(exc) in _ABSENT_CODES:
                    return StoredSeries((), None)
                raise
        bars = tuple(sorted(_parse(symbol, key, body), key=lambda bar: bar.date))
        return StoredSeries(bars, response["ETag"])
