"""Programmed faults of the Alpaca emulator: what the next requests to a path answer.

Chaos tests and the adapters' retry tests need Alpaca to fail on cue, the way it fails
in production: a 5xx, a 429 with ``Retry-After``, a response that never comes (longer
than the client's timeout), a connection dropped without an answer, or an answer that
is not what Alpaca normally sends (a recorded body). A fault matches requests by method
and a shell-style path pattern (``/v2/orders*``) and is used up after ``times`` of them.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from alchemiser_local.alpaca_emulator_market import alpaca_code

__all__ = ["Fault", "FaultKind", "FaultPlan"]

FaultKind = Literal["error", "rate_limit", "hang", "drop", "respond"]


class Fault(BaseModel):
    """One programmed fault; also the body of ``POST /_emulator/faults``.

    Kinds: ``error`` answers ``status`` (5xx by default) with an Alpaca error body;
    ``rate_limit`` answers 429 with ``Retry-After: retry_after``; ``hang`` waits
    ``seconds`` before answering normally; ``drop`` closes the connection without an
    answer; ``respond`` answers ``status`` with ``body`` as given (a recorded response),
    or with ``text`` verbatim as HTML (what a proxy in the way answers).
    With ``apply``, the request takes effect first (an order is placed) and only its
    answer is replaced: a response lost on the way back.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FaultKind
    path: str = Field(min_length=1, max_length=200, description="shell pattern, /v2/orders*")
    method: Literal["GET", "POST", "*"] = "*"
    times: int = Field(default=1, ge=1, le=10_000)
    status: int = Field(default=503, ge=200, le=599)
    retry_after: int = Field(default=1, ge=0, le=3600)
    seconds: float = Field(default=30.0, ge=0, le=600)
    body: JsonValue = None
    text: str | None = Field(default=None, max_length=100_000)
    apply: bool = False

    def matches(self, method: str, path: str) -> bool:
        """True when this fault is for ``method`` ``path``."""
        return self.method in ("*", method) and fnmatch.fnmatchcase(path, self.path)

    def error_body(self) -> dict[str, Any]:
        """Alpaca's error shape for ``status``: ``{"code": 50310000, "message": ...}``."""
        return {"code": alpaca_code(self.status), "message": f"emulated fault ({self.kind})"}


@dataclass
class _Armed:
    fault: Fault
    left: int


@dataclass
class FaultPlan:
    """The faults still to fire, oldest first; safe to use from the server's threads."""

    _armed: list[_Armed] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fault: Fault) -> None:
        """Arm ``fault`` for its next ``times`` matching requests."""
        with self._lock:
            self._armed.append(_Armed(fault, fault.times))

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._armed.clear()

    def take(self, method: str, path: str) -> Fault | None:
        """The fault this request fires (using one of its ``times``), if any."""
        with self._lock:
            for armed in self._armed:
                if armed.fault.matches(method, path):
                    armed.left -= 1
                    if armed.left == 0:
                        self._armed.remove(armed)
                    return armed.fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The armed faults and how many requests each still fires on (admin API)."""
        with self._lock:
            return [
                {**armed.fault.model_dump(mode="json"), "left": armed.left} for armed in self._armed
            ]
