"""One workflow's timeline from both functions' log groups: what ``logs trace`` prints.

Every line a function writes while it handles a workflow carries the workflow's
``correlation_id``; Lambda's own START / END / REPORT lines carry only the request id.
So a trace is read in two passes per log group: the lines naming the correlation id
(FilterLogEvents with it as the term) give the invocations and their streams; then those
streams, over the same minutes, give each invocation whole, framed by its platform lines
(its duration, and on a cold start its init duration). An asynchronous retry keeps its
request id, so one request id may frame several attempts: they are told apart by their
START lines, in stream order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import OpsError
from alchemiser_local.ops.log_records import field_text, log_groups, read_records

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

    from alchemiser_local.ops.log_records import LogRecord
    from alchemiser_local.target import Target

__all__ = ["Attempt", "assemble", "find_workflows", "format_trace", "trace"]

#: An invocation's START may precede its first line naming the workflow by up to the
#: longest function timeout (120 s); its REPORT follows its last line by as much.
_FRAME_MS = 120_000
#: Fields every line of an invocation carries: left out of an error's details.
_COMMON = frozenset(
    {
        "causation_id",
        "cold_start",
        "correlation_id",
        "event",
        "event_id",
        "event_type",
        "function",
        "level",
        "request_id",
        "stage",
        "timestamp",
    }
)
_ERROR_LEVELS = frozenset({"error", "critical", "exception"})


@dataclass
class Attempt:
    """One attempt of one invocation, as the timeline shows it."""

    function: str
    request_id: str
    stream: str
    started: int
    received: str = ""
    step: str = ""
    outcome: str = ""
    duration_ms: float | None = None
    init_ms: float | None = None
    cold_start: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)
    lines: list[LogRecord] = field(default_factory=list)

    def add(self, record: LogRecord) -> None:
        """One JSON line of the attempt: what it received, did and ended as."""
        self.lines.append(record)
        fields = record.fields or {}
        self.received = self.received or str(fields.get("event_type") or "")
        self.cold_start = self.cold_start or fields.get("cold_start") is True
        self._outcome(fields)
        if str(fields.get("level")) in _ERROR_LEVELS:
            details = {k: v for k, v in fields.items() if k not in _COMMON}
            self.errors.append({"event": fields.get("event"), **details})

    def _outcome(self, fields: dict[str, Any]) -> None:
        """What a function's last line says it did: the router's or a command's."""
        event = fields.get("event")
        if event == "event_outcome":
            self.outcome = str(fields.get("outcome", ""))
            self.step = str(fields.get("step") or self.step)
        elif event == "command_completed":
            self.received = self.received or "command"
            self.step = str(fields.get("scope", "")).removeprefix("trading.")
            self.outcome = "duplicate" if fields.get("duplicate") else "completed"

    def report(self, platform: dict[str, Any]) -> None:
        """The attempt's REPORT line: its duration; an init duration means a cold start."""
        self.duration_ms = platform.get("@duration")
        self.init_ms = platform.get("@initDuration")
        self.cold_start = self.cold_start or self.init_ms is not None

    def as_json(self) -> dict[str, Any]:
        """What ``--json`` prints for the attempt."""
        return {
            "function": self.function,
            "request_id": self.request_id,
            "log_stream": self.stream,
            "started_ms": self.started,
            "received": self.received,
            "step": self.step,
            "outcome": self.outcome or ("error" if self.errors else "unknown"),
            "duration_ms": self.duration_ms,
            "cold_start": self.cold_start,
            "init_duration_ms": self.init_ms,
            "errors": self.errors,
        }


def _segment(records: Iterable[LogRecord], request_ids: set[str]) -> list[Attempt]:
    """The attempts of ``request_ids`` in one stream's events (in stream order)."""
    attempts: list[Attempt] = []
    under_way: dict[str, Attempt] = {}
    for record in records:
        request_id = record.request_id
        if request_id not in request_ids:
            continue
        assert request_id is not None  # the set holds strings only
        kind = (record.platform or {}).get("@type")
        attempt = under_way.get(request_id)
        if kind == "START" or attempt is None:  # no START: it fell before the window
            attempt = under_way[request_id] = Attempt(
                record.function, request_id, record.stream, record.timestamp
            )
            attempts.append(attempt)
        if kind == "REPORT":
            attempt.report(record.platform or {})
            del under_way[request_id]
        elif record.fields is not None:
            attempt.add(record)
    return attempts


def assemble(records: Iterable[LogRecord], correlation_id: str) -> list[Attempt]:
    """The workflow's attempts, in time order, from every record read for it.

    Its invocations are those whose lines name ``correlation_id``; each is then read
    whole (every line of its request id, its platform lines included).
    """
    by_stream: dict[tuple[str, str], list[LogRecord]] = {}
    request_ids: set[str] = set()
    for record in records:
        by_stream.setdefault((record.function, record.stream), []).append(record)
        if record.field("correlation_id") == correlation_id and record.request_id:
            request_ids.add(record.request_id)
    attempts = [
        attempt
        for stream_records in by_stream.values()
        for attempt in _segment(stream_records, request_ids)
    ]
    return sorted(attempts, key=lambda a: a.started)


def trace(target: Target, correlation_id: str, *, since_ms: int) -> list[Attempt]:
    """Every attempt of the workflow ``correlation_id`` in both functions' logs.

    Raises:
        OpsError: no function logged a line of that workflow since ``since_ms``.
    """
    records: list[LogRecord] = []
    for function, group in log_groups(target).items():
        hits = [
            r
            for r in read_records(target, function, group, start_ms=since_ms, term=correlation_id)
            if r.field("correlation_id") == correlation_id
        ]
        if not hits:
            continue
        first, last = min(r.timestamp for r in hits), max(r.timestamp for r in hits)
        records += read_records(
            target,
            function,
            group,
            start_ms=max(since_ms, first - _FRAME_MS),
            end_ms=last + _FRAME_MS,
            streams=sorted({r.stream for r in hits}),
        )
    attempts = assemble(records, correlation_id)
    if not attempts:
        raise OpsError(
            f"no function of {target.stack_name} logged workflow {correlation_id} in the "
            "time searched; check the id, or look further back with --since"
        )
    return attempts


def find_workflows(target: Target, trading_date: date, *, since_ms: int) -> list[str]:
    """The correlation ids of the workflows started for ``trading_date``, oldest first.

    Raises:
        OpsError: none was started in the time searched.
    """
    groups = log_groups(target, ("TradingSystemFunction",))
    found: list[str] = []
    for record in read_records(
        target,
        "TradingSystemFunction",
        groups["TradingSystemFunction"],
        start_ms=since_ms,
        term="command_completed",
    ):
        fields = record.fields or {}
        correlation_id = fields.get("correlation_id")
        if (
            fields.get("event") == "command_completed"
            and fields.get("scope") == "trading.start_workflow"
            and fields.get("trading_date") == trading_date.isoformat()
            and correlation_id not in found
        ):
            found.append(str(correlation_id))
    if not found:
        raise OpsError(
            f"no workflow of trading date {trading_date} was started in {target.stack_name} "
            "in the time searched; look further back with --since"
        )
    return found


def _milliseconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f} ms"


def _error_line(error: dict[str, Any]) -> str:
    """An error's fields on one line (``--json`` has a traceback whole)."""
    details = " ".join(f"{k}={field_text(v)}" for k, v in error.items() if k != "event")
    return f"{error.get('event')}: {details}"


def _attempt_line(attempt: Attempt, start: int) -> str:
    from alchemiser.routing.table import ROUTES  # noqa: PLC0415 - the step a failure was in

    route = ROUTES.get(attempt.received)
    step = attempt.step or (route.name if route else "-")
    cold = f"cold start, init {_milliseconds(attempt.init_ms)}" if attempt.cold_start else ""
    outcome = attempt.outcome or ("error" if attempt.errors else "?")
    return (
        f"  +{(attempt.started - start) / 1000:7.3f}s  {attempt.function:22} "
        f"{attempt.received or '?':19} {step:19} {outcome:10} "
        f"{_milliseconds(attempt.duration_ms):>11}  {cold}".rstrip()
    )


def format_trace(correlation_id: str, attempts: list[Attempt]) -> list[str]:
    """The timeline for people: one line per attempt, its errors below it."""
    start = attempts[0].started
    total = sum(a.duration_ms or 0.0 for a in attempts)
    lines = [f"workflow {correlation_id}: {len(attempts)} invocations, {total:.1f} ms in functions"]
    for attempt in attempts:
        lines.append(_attempt_line(attempt, start))
        lines += [f"      ERROR {_error_line(error)}" for error in attempt.errors]
    return lines
