"""Fixtures for the trading adapters' integration tests.

moto 5.2 does not isolate DynamoDB transactions: two requests run on two server threads
at once, and a cancelled transaction "rolls back" by restoring a copy of the whole
table taken when it started, erasing whatever a concurrent transaction wrote in between.
Real DynamoDB transactions are serializable. ``serializable_dynamodb`` closes that gap
the way the real service behaves (one write at a time), so a race test checks the
broker's conditions, not the emulator's missing isolation.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto.dynamodb.models import DynamoDBBackend

from alchemiser.trading.alpaca_config import AlpacaCredentials
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY, AlpacaState, fake_alpaca

_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


@pytest.fixture
def serializable_dynamodb(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the in-process moto server's DynamoDB writes one at a time."""
    lock = threading.RLock()

    def serialized(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def locked(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)

        return locked

    for name in _WRITES:
        monkeypatch.setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))


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
