"""Daily bars in S3: one JSON-lines object per symbol, ``bars/<SYMBOL>.jsonl``.

Each line is ``{"date": "YYYY-MM-DD", "open": "…", …, "volume": "…"}`` with Decimal
strings, so prices round-trip exactly. The local stack fills the bucket from the
seeded generator; a deployed stack from whatever loads real bars.

A symbol's parsed bars are cached per container. A warm container reused on a later
trading date would otherwise see its cached bars as stale, so a cached series that no
longer covers the previous trading day is read again before being judged.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from pydantic import ValidationError

from alchemiser.aws import aws_errors, error_code, s3_client
from alchemiser.errors import MarketDataUnavailableError, MissingMarketDataError
from alchemiser.logging import get_logger
from alchemiser.trading.bars import Bar, select_window
from alchemiser.trading.market_calendar import previous_trading_day

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from mypy_boto3_s3 import S3Client

__all__ = ["S3BarStore", "bar_key"]

#: Objects read in parallel on a cold cache (S3 latency, not CPU, is the cost).
_MAX_PARALLEL_READS = 8
#: Codes S3 answers for an object that is not there (403 without s3:ListBucket).
_MISSING_CODES = frozenset({"NoSuchKey", "404", "AccessDenied", "403"})

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


class S3BarStore:
    """The S3 bar store: reads (``daily_bars``) and writes (``put_bars``) one bucket."""

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

    def put_bars(self, symbol: str, bars: Iterable[Bar]) -> None:
        """Replace ``symbol``'s stored bars (sorted by date; a date given twice is an error)."""
        ordered = tuple(sorted(bars, key=lambda bar: bar.date))
        dates = [bar.date for bar in ordered]
        if len(set(dates)) != len(dates):
            raise ValueError(f"{symbol}: two bars for one date")
        body = "".join(_to_line(bar) + "\n" for bar in ordered).encode()
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=bar_key(symbol),
                Body=body,
                ContentType="application/x-ndjson",
            )
        except aws_errors() as exc:
            raise MarketDataUnavailableError(f"{symbol}: writing bars failed: {exc}") from exc
        self._cache[symbol] = ordered

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
        key = bar_key(symbol)
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except aws_errors() as exc:
            code = error_code(exc)
            if code in _MISSING_CODES:
                raise MissingMarketDataError(
                    f"{symbol}: no daily bars in s3://{self.bucket}/{key} ({code})"
                ) from exc
            raise MarketDataUnavailableError(f"{symbol}: reading bars failed: {exc}") from exc
        bars = tuple(sorted(_parse(symbol, key, body), key=lambda bar: bar.date))
        _log.debug("bars_loaded", symbol=symbol, bars=len(bars), bucket=self.bucket)
        return bars
