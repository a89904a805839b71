"""Fixtures for the trading adapters' integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from alchemiser.trading.alpaca_config import AlpacaCredentials
from tests.integration.conftest import REGION
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY, AlpacaState, fake_alpaca


@pytest.fixture
def alpaca_state() -> AlpacaState:
    return AlpacaState()


@pytest.fixture
def alpaca_url(alpaca_state: AlpacaState) -> Iterator[str]:
    """A fake Alpaca on loopback serving ``alpaca_state``."""
    with fake_alpaca(alpaca_state) as url:
        yield url


@pytest.fixture
def credentials() -> AlpacaCredentials:
    return AlpacaCredentials.model_validate({"api_key_id": KEY_ID, "api_secret_key": SECRET_KEY})


@pytest.fixture
def s3(aws_env):
    return boto3.client("s3", region_name=REGION)


@pytest.fixture
def bucket(s3, uid) -> str:
    """An empty bar store bucket of this test."""
    name = f"alchemiser-bars-{uid}"
    s3.create_bucket(Bucket=name)
    return name
