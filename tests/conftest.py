"""Fixtures shared by every suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alchemiser.runtime import new_container


@pytest.fixture(autouse=True)
def _fresh_container() -> Iterator[None]:
    """Clients, settings and task brokers live per container; each test is a new one."""
    new_container()
    yield
    new_container()
