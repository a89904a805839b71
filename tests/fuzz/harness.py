"""What a fuzz case is run against, and what is recorded about it.

The world is the local stack: the emulator (a moto server in its own process) with
template.yaml created in it, both functions' environment from the template, bars in
the bar store and the paper account opened (``seed_world``), and the staging task
queues dev may target; so a valid mutation goes as deep into the steps as a real
event. Each case calls a real handler with a Lambda context; its outcome class is the
handler's ``status`` (``handled``, ``duplicate``, ``rejected``, ``skipped``,
``started``, ...), ``raised:<family>`` for the failures Lambda retries by design
(``TransientError``, ``ConfigError``), or ``unhandled`` for anything else: an
exception outside those families, or a result that is not strict JSON.

Every log line of the package is read as CloudWatch would: it must be strict JSON (no
NaN tokens), fit one CloudWatch Logs event, and never contain the planted secret.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alchemiser.errors import ConfigError, TransientError
from alchemiser.logging import MAX_LINE_BYTES
from alchemiser_local.lambda_context import LocalLambdaContext
from tests.fuzz.classes import strict_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser_local.stack import FunctionSpec

__all__ = ["RETRIED_FAMILIES", "Figures", "LogProbe", "run_case", "stdlib_tap"]

#: Raised on purpose so Lambda retries and the failure destination keeps the input.
RETRIED_FAMILIES: tuple[type[Exception], ...] = (TransientError, ConfigError)
#: Examples kept for the report: the first of each error type is enough to fix it.
_EXAMPLES_KEPT = 20


@dataclass
class LogProbe:
    """A text stream that checks each log line as it is written, keeping no history."""

    secret: str
    lines: int = 0
    longest: int = 0
    not_strict_json: int = 0
    oversized: int = 0
    secrets_seen: int = 0
    case_problems: list[str] = field(default_factory=list)
    #: The start of the first line of each kind of problem.
    examples: dict[str, str] = field(default_factory=dict)

    def write(self, text: str) -> int:
        for line in text.splitlines():
            self._check(line, structured=True)
        return len(text)

    def flush(self) -> None:
        return None

    def _check(self, line: str, *, structured: bool) -> None:
        size = len(line.encode("utf-8", "surrogatepass"))
        self.lines += 1
        self.longest = max(self.longest, size)
        if size > MAX_LINE_BYTES:
            self.oversized += 1
            self._problem("over_limit", f"a log line of {size} bytes", line)
        if self.secret in line:
            self.secrets_seen += 1
            self._problem("secret", "the secret in a log line", line)
        if structured:
            try:
                strict_json(line)
            except ValueError as exc:
                self.not_strict_json += 1
                self._problem(
                    "not_strict_json", f"a log line that is not strict JSON ({exc})", line
                )

    def _problem(self, kind: str, problem: str, line: str) -> None:
        self.case_problems.append(problem)
        self.examples.setdefault(kind, line[:300])

    def record_stdlib(self, line: str) -> None:
        """A line of the standard library's logging (botocore, Powertools): plain text."""
        self._check(line, structured=False)


class _StdlibTap(logging.Handler):
    """Feeds the standard library's log records (as Lambda would print them) to a probe."""

    def __init__(self, probe: LogProbe) -> None:
        super().__init__(level=logging.WARNING)
        self.probe = probe

    def emit(self, record: logging.LogRecord) -> None:
        self.probe.record_stdlib(self.format(record))


@dataclass
class Figures:
    """One handler's fuzz figures (what ``make fuzz`` prints)."""

    handler: str
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Inside the handler, and in all (drawing the cases and checking the logs too).
    handler_seconds: float = 0.0
    seconds: float = 0.0
    #: Raised errors by type (retried by design, or unhandled), and one message of each.
    errors: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    #: Outcomes by class of bad input (a case with two classes counts under both).
    by_input_class: dict[str, Counter[str]] = field(default_factory=dict)

    def record(self, outcome: str, error: str | None, classes: tuple[str, ...]) -> None:
        self.cases += 1
        self.outcomes[outcome] += 1
        for kind in classes:
            self.by_input_class.setdefault(kind, Counter())[outcome] += 1
        if error is None:
            return
        kind = f"{outcome}: {error.split(':', 1)[0]}"
        self.errors[kind] += 1
        if kind not in self.examples and len(self.examples) < _EXAMPLES_KEPT:
            self.examples[kind] = error

    def as_json(self, probe: LogProbe) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "outcomes": dict(sorted(self.outcomes.items())),
            "unhandled": self.outcomes.get("unhandled", 0),
            "secrets_seen": probe.secrets_seen,
            "log_lines": probe.lines,
            "log_lines_not_strict_json": probe.not_strict_json,
            "log_lines_over_limit": probe.oversized,
            "longest_log_line": probe.longest,
            "log_line_limit": MAX_LINE_BYTES,
            "seconds": round(self.seconds, 1),
            "handler_seconds": round(self.handler_seconds, 1),
            "errors": dict(sorted(self.errors.items())),
            "input_classes": {
                kind: {"cases": sum(outcomes.values()), "outcomes": dict(outcomes.most_common())}
                for kind, outcomes in sorted(
                    self.by_input_class.items(), key=lambda item: -sum(item[1].values())
                )
            },
            "examples": self.examples,
            "log_examples": probe.examples,
        }


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc)[:300]}"


def _classify(call: Callable[[], object]) -> tuple[str, str | None]:
    """The outcome class of one invocation, and the error it raised (if it raised)."""
    try:
        result = call()
    except RETRIED_FAMILIES as exc:
        family = next(f for f in RETRIED_FAMILIES if isinstance(exc, f))
        return f"raised:{family.__name__}", _error(exc)
    except Exception as exc:  # the finding: nothing outside the families may escape
        return "unhandled", _error(exc)
    if not isinstance(result, dict) or not isinstance(result.get("status"), str):
        return "unhandled", f"a result without a status: {str(result)[:300]}"
    try:
        json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return "unhandled", f"a result that is not strict JSON ({exc}): {str(result)[:300]}"
    return result["status"], None


def run_case(
    handler: Callable[[Any, Any], dict[str, Any]],
    spec: FunctionSpec,
    payload: object,
    *,
    classes: tuple[str, ...],
    figures: Figures,
    probe: LogProbe,
) -> list[str]:
    """Invoke ``handler`` as Lambda would; returns what is wrong with the case (if any)."""
    probe.case_problems = []
    context = LocalLambdaContext(spec.name, timeout_seconds=spec.timeout_seconds)
    started = time.perf_counter()
    outcome, error = _classify(lambda: handler(payload, context))
    figures.handler_seconds += time.perf_counter() - started
    figures.record(outcome, error, classes)
    unhandled = [error or "unhandled"] if outcome == "unhandled" else []
    return unhandled + probe.case_problems


def stdlib_tap(probe: LogProbe) -> logging.Handler:
    """A handler for the root logger that checks library log lines too."""
    tap = _StdlibTap(probe)
    tap.setFormatter(logging.Formatter("[%(levelname)s] %(name)s %(message)s"))
    return tap
