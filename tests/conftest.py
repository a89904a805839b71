"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alchemiser.broker import close_brokers
from alchemiser.config import get_settings


@pytest.fixture(autouse=True)
def _fresh_container() -> Iterator[None]:
    """Settings and task brokers live per container; each test is a new container."""
    get_settings.cache_clear()
    close_brokers()
    yield
    close_brokers()
    get_settings.cache_clear()
