"""Fixtures for the trading adapters' integration tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alchemiser.trading.alpaca_config import AlpacaCredentials
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
