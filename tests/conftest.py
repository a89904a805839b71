"""Fixtures shared by every suite."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from alchemiser.logging import configure_logging
from alchemiser.runtime import new_container


@pytest.fixture(autouse=True)
def _fresh_container() -> Iterator[None]:
    """Clients, settings and task brokers live per container; each test is a new one."""
    new_container()
    yield
    new_container()


class CapturedLogs:
    """The JSON lines the package logged while a test ran."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def records(self) -> list[dict[str, Any]]:
        """Every line, parsed."""
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def outcomes(self) -> list[tuple[str, str | None]]:
        """The router's ``event_outcome`` lines: (outcome, event_id)."""
        return [
            (r["outcome"], r.get("event_id"))
            for r in self.records()
            if r["event"] == "event_outcome"
        ]


@pytest.fixture
def logs() -> Iterator[CapturedLogs]:
    captured = CapturedLogs()
    configure_logging(stream=captured.stream, force=True)
    yield captured
    configure_logging(force=True)
