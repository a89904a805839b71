"""What a deployed TradingSystemFunction gets its bars from, on loopback: the bar store
bucket, the Alpaca secret, and the Alpaca emulator the secret points at."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date

import boto3

from alchemiser.trading import Bar
from alchemiser.trading.market_calendar import LAST_SUPPORTED_DAY
from alchemiser.trading.signals import symbol_requirements
from alchemiser.trading.strategy_config import load_strategy_config
from alchemiser_local.alpaca_emulator import AlpacaEmulator
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY

#: The emulator's clock for refresh tests: after every bar any test serves.
LATE = date(LAST_SUPPORTED_DAY.year, 1, 2)


class MarketDataApi:
    """The emulator as the refresh tests drive it: what it serves, and what it was asked."""

    def __init__(self, emulator: AlpacaEmulator) -> None:
        self.emulator = emulator

    def serve(self, series: Mapping[str, Iterable[Bar]]) -> None:
        """Serve exactly ``series`` from now on."""
        self.emulator.set_bars({symbol: tuple(bars) for symbol, bars in series.items()})

    def add(self, series: Mapping[str, Iterable[Bar]]) -> None:
        """Serve ``series``' bars as well (a new session, published overnight)."""
        current = dict(self.emulator.market.bars)
        for symbol, bars in series.items():
            current[symbol] = (*current.get(symbol, ()), *bars)
        self.emulator.set_bars(current)

    def drop(self, symbol: str) -> None:
        """Serve nothing more for ``symbol`` (a delisted or mistyped ticker)."""
        self.emulator.set_bars(
            {s: bars for s, bars in self.emulator.market.bars.items() if s != symbol}
        )

    @property
    def queries(self) -> list[dict[str, str]]:
        """The query of every bars request since the last ``forget``."""
        return [r.query for r in self.emulator.requests if r.path == "/v2/stocks/bars"]

    def forget(self) -> None:
        """Forget the requests seen so far."""
        self.emulator.requests.clear()


def shipped_symbols() -> list[str]:
    """Every symbol the shipped strategy configuration needs bars for."""
    return sorted(symbol_requirements(load_strategy_config()))


@contextmanager
def deployed_market_data(
    env: Mapping[str, str], series: Mapping[str, Iterable[Bar]], *, secret: str | None = None
) -> Iterator[MarketDataApi]:
    """The function's bucket and secret (``env``), and the Alpaca emulator serving ``series``.

    ``secret`` replaces the secret's JSON (a malformed secret).
    """
    boto3.client("s3").create_bucket(Bucket=env["BAR_STORE_BUCKET"])
    bars = {symbol: tuple(bars) for symbol, bars in series.items()}
    with AlpacaEmulator(bars=bars, today=LATE, key_id=KEY_ID, secret_key=SECRET_KEY) as alpaca:
        keys = {"api_key_id": KEY_ID, "api_secret_key": SECRET_KEY, "data_base_url": alpaca.url}
        boto3.client("secretsmanager").create_secret(
            Name=env["ALPACA_SECRET_ID"], SecretString=secret or json.dumps(keys)
        )
        yield MarketDataApi(alpaca)
