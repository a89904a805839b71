"""What a deployed TradingSystemFunction gets its bars from, on loopback: the bar store
bucket, the Alpaca secret, and a fake Alpaca market data API the secret points at."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3

from alchemiser.trading.signals import symbol_requirements
from alchemiser.trading.strategy_config import load_strategy_config
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY, AlpacaState, fake_alpaca

if TYPE_CHECKING:
    from alchemiser.trading import Bar


def alpaca_bar(bar: Bar) -> dict[str, Any]:
    """``bar`` as Alpaca's ``/v2/stocks/bars`` sends it (JSON numbers, midnight New York)."""
    return {
        "t": f"{bar.date.isoformat()}T05:00:00Z",
        "o": float(bar.open),
        "h": float(bar.high),
        "l": float(bar.low),
        "c": float(bar.close),
        "v": int(bar.volume),
        "n": 100,
        "vw": float(bar.close),
    }


def shipped_symbols() -> list[str]:
    """Every symbol the shipped strategy configuration needs bars for."""
    return sorted(symbol_requirements(load_strategy_config()))


@contextmanager
def deployed_market_data(
    env: Mapping[str, str], series: Mapping[str, Iterable[Bar]], *, secret: str | None = None
) -> Iterator[AlpacaState]:
    """The function's bucket and secret (``env``), and a fake Alpaca serving ``series``.

    ``secret`` replaces the secret's JSON (a malformed secret); the fake's state is yielded.
    """
    boto3.client("s3").create_bucket(Bucket=env["BAR_STORE_BUCKET"])
    state = AlpacaState(
        bars={symbol: [alpaca_bar(bar) for bar in bars] for symbol, bars in series.items()}
    )
    with fake_alpaca(state) as url:
        keys = {"api_key_id": KEY_ID, "api_secret_key": SECRET_KEY, "data_base_url": url}
        boto3.client("secretsmanager").create_secret(
            Name=env["ALPACA_SECRET_ID"], SecretString=secret or json.dumps(keys)
        )
        yield state
