"""What happened, in order: every invocation, and the events that flowed through it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser_local.functions import Attempt

__all__ = ["Timeline", "TimelineEntry", "describe_input"]


def describe_input(payload: object) -> tuple[str, dict[str, Any] | None]:
    """A short name for what a function received, and the event detail if it was one."""
    if isinstance(payload, dict) and "detail-type" in payload:
        detail = payload.get("detail")
        if isinstance(detail, str):
            detail = json.loads(detail)
        return str(payload["detail-type"]), detail if isinstance(detail, dict) else None
    if isinstance(payload, dict) and "mode" in payload:
        return f"command {payload['mode']}", None
    return "unknown input", None


@dataclass(frozen=True)
class TimelineEntry:
    """One invocation, as the timeline prints it."""

    offset_seconds: float
    function: str
    received: str
    step: str
    milliseconds: float
    outcome: str
    detail: dict[str, Any] | None

    @property
    def correlation_id(self) -> str | None:
        """The workflow the received event (or the command's result) belongs to."""
        return (self.detail or {}).get("correlation_id")


@dataclass
class Timeline:
    """Collects invocations as they happen and tells a live observer about each."""

    started: float
    on_entry: Callable[[TimelineEntry], None] = lambda _: None
    entries: list[TimelineEntry] = field(default_factory=list)

    def record(self, attempt: Attempt, payload: object) -> None:
        """The ``FunctionHost`` hook: one entry per handler call."""
        received, detail = describe_input(payload)
        result = attempt.result or {}
        outcome = str(result.get("status", "ok")) if attempt.error is None else "error"
        if attempt.error:
            outcome = f"error (attempt {attempt.attempt}): {attempt.error}"
        if detail is None and result.get("correlation_id"):
            detail = {"correlation_id": result["correlation_id"]}
        entry = TimelineEntry(
            offset_seconds=attempt.started - self.started,
            function=attempt.function,
            received=received,
            step=str(result.get("step", result.get("mode", ""))),
            milliseconds=attempt.seconds * 1000,
            outcome=outcome,
            detail=detail,
        )
        self.entries.append(entry)
        self.on_entry(entry)

    def events(self, correlation_id: str) -> list[TimelineEntry]:
        """Entries of one workflow, in order."""
        return [e for e in self.entries if e.correlation_id == correlation_id]
