"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alchemiser.config import get_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings are cached per container; each test is a new container."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
