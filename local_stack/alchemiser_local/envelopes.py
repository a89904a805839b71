"""A day's deliveries, saved: what ``alchemiser run`` writes and ``run --replay`` feeds back.

Every payload a function was invoked with (the schedules' commands and every event
EventBridge delivered) is one line of ``envelopes.jsonl``, in delivery order, with the day
and the Alpaca clock it was delivered at. The first line says how the run's world was
made (stage, seed of the synthetic bars, days, template parameters), so a fresh local
stack fed the same envelopes over the same market reproduces the same orders: that is
what ``run --replay`` checks a change against. The functions are idempotent, so the
events a replayed command makes again and their recorded copies are handled once.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Literal, TextIO

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, ValidationError

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path
    from types import TracebackType

__all__ = [
    "MAX_LINE_BYTES",
    "Delivered",
    "EnvelopeRecorder",
    "RecordedRun",
    "RecordingError",
    "read_recording",
]

#: An envelope is at most an EventBridge entry (1 MB); a line adds its day and clock.
MAX_LINE_BYTES = 1024 * 1024 + 4096


class RecordingError(Exception):
    """Raised when an envelopes file cannot be replayed; names the line and the field."""


class RecordedRun(BaseModel):
    """The first line: how the recorded run's world was made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["alchemiser-run"] = "alchemiser-run"
    version: Literal[1] = 1
    stage: Literal["dev", "staging", "prod"]
    seed: int = Field(ge=0, le=2**32)
    dates: tuple[date, ...] = Field(min_length=1, max_length=2000)
    parameters: dict[str, str] = Field(default_factory=dict, max_length=50)


class Delivered(BaseModel):
    """One delivery: on which day, at what Alpaca time, to which function, with what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    day: date
    clock: AwareDatetime
    function: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]{0,254}$")
    payload: JsonValue


class EnvelopeRecorder:
    """Writes a run's deliveries as they happen (a context manager)."""

    def __init__(self, path: Path, run: RecordedRun) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: TextIO = path.open("w")
        self._file.write(run.model_dump_json() + "\n")
        self.day: date | None = None
        self.clock: datetime | None = None

    def record(self, function: str, payload: object) -> None:
        """The hook ``Deliveries`` calls before each invocation."""
        if self.day is None or self.clock is None:
            raise RecordingError("a delivery before the run set its day and clock")
        line = {
            "day": self.day.isoformat(),
            "clock": self.clock.isoformat(),
            "function": function,
            "payload": payload,
        }
        self._file.write(json.dumps(line, default=str) + "\n")

    def __enter__(self) -> EnvelopeRecorder:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()


def _line(number: int, text: str, path: Path) -> object:
    if len(text.encode()) > MAX_LINE_BYTES:
        raise RecordingError(f"{path}:{number}: longer than {MAX_LINE_BYTES} bytes")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise RecordingError(f"{path}:{number}: not JSON: {exc}") from None


def _named(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "line"
    return f"{where}: {first['msg']}"


def read_recording(path: Path) -> tuple[RecordedRun, list[Delivered]]:
    """The recorded run and its deliveries, in order.

    Raises:
        RecordingError: the file is missing, or a line is not what ``run`` writes.
    """
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror}") from None
    if not lines:
        raise RecordingError(f"{path} is empty: not an envelopes file of `alchemiser run`")
    try:
        run = RecordedRun.model_validate(_line(1, lines[0], path))
    except ValidationError as exc:
        raise RecordingError(f"{path}:1: not a recorded run: {_named(exc)}") from None
    delivered = []
    for number, text in enumerate(lines[1:], start=2):
        try:
            entry = Delivered.model_validate(_line(number, text, path))
        except ValidationError as exc:
            raise RecordingError(f"{path}:{number}: {_named(exc)}") from None
        if entry.day not in run.dates:
            raise RecordingError(f"{path}:{number}: day {entry.day} is not one of the run's days")
        delivered.append(entry)
    return run, delivered
