"""Structured logging: one JSON object per line, the way CloudWatch Logs Insights reads it.

Configured once per container. Invocation fields (``request_id``, ``cold_start``,
``function``, ``stage``) and workflow ids (``correlation_id``, ``causation_id``,
``event_id``, ``event_type``) live in context variables that are cleared when an
invocation ends, so nothing leaks into the next invocation of a warm container.

Every line is strict JSON and fits one CloudWatch Logs event, whatever was logged: a
value JSON cannot carry (NaN, an infinity, an integer too long for ``str``, a structure
nested too deep) is rendered as a string and its key listed in ``sanitized``; a line
over ``MAX_LINE_BYTES`` has its largest values cut (each marked ``…[truncated N
bytes]``, their keys listed in ``truncated``) instead of being lost whole. The common
line pays for neither: one ``json.dumps`` and a length check.
"""

from __future__ import annotations

import json
import logging
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TextIO

import structlog

from alchemiser.container import on_new_container

if TYPE_CHECKING:
    from structlog.typing import EventDict, WrappedLogger

__all__ = [
    "bind_ids",
    "configure_logging",
    "expect_cold_start",
    "get_logger",
    "invocation_context",
    "redact",
]

#: CloudWatch Logs refuses an event over 256 KB, and a refused line is lost whole; lines
#: stay under it with room for Lambda's own framing.
MAX_LINE_BYTES = 256 * 1024 - 1024
#: Levels of nesting a logged value keeps; anything deeper is replaced by ``TOO_DEEP``.
MAX_DEPTH = 32
TOO_DEEP = "…[nested too deep]"
#: Keys listing what a line had to change to stay strict JSON within MAX_LINE_BYTES.
SANITIZED_KEY = "sanitized"
TRUNCATED_KEY = "truncated"
#: What a line keeps whole, however large the rest.
_KEPT_KEYS = ("event", "level", "timestamp")
#: Room for the truncation mark and the listed keys.
_MARK_BYTES = 64
_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}
#: ``str(int)`` refuses more digits than this (a decimal digit is ~3.32 bits).
_INT_BITS = (sys.get_int_max_str_digits() or 1_000_000) * 3
_SEPARATORS = (",", ":")

#: Keys whose values never reach a log line, at any depth (matched case-insensitively).
SECRET_KEY_PARTS = (
    "api_key",
    "apikey",
    "secret",
    "password",
    "passwd",
    "token",
    "credential",
    "authorization",
    "private_key",
)
REDACTED = "***"

_state: dict[str, Any] = {"configured": False, "cold_start": True, "stream": None}


class _CurrentStreamLogger:
    """structlog's PrintLogger, writing to whatever stream is configured now.

    Loggers are cached on first use (a log call costs a third less), so a logger must
    not capture its stream: tests and the local CLI redirect logs after modules have
    logged. One line per call, flushed, as CloudWatch reads a Lambda's stdout.
    """

    def msg(self, message: str) -> None:
        stream = _state["stream"] or sys.stdout
        stream.write(message + "\n")
        stream.flush()

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _logger_factory(*_: object) -> _CurrentStreamLogger:
    return _CurrentStreamLogger()


@lru_cache(maxsize=4096)
def _is_secret(key: str) -> bool:
    """Cached: log lines reuse a small set of keys, and this runs for every key."""
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS)


_SCALARS = (str, int, float, bool, type(None), Decimal)


def redact(value: Any, *, depth: int = 0) -> Any:  # noqa: ANN401 - any JSON-like value
    """Return ``value`` with every secret-looking key's value replaced, at any depth.

    Below ``MAX_DEPTH`` levels a value is replaced by ``TOO_DEEP``: a structure nested
    5,000 levels would otherwise exhaust the recursion here or in the renderer.
    """
    if isinstance(value, _SCALARS):
        return value
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict | Mapping):
        return {
            key: REDACTED
            if isinstance(key, str) and _is_secret(key)
            else redact(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item, depth=depth + 1) for item in value]
    return value


#: Top-level keys this package writes itself, free of secrets by construction (EMF).
_TRUSTED_KEYS = frozenset({"_aws"})


def _redact_processor(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return {
        key: value if key in _TRUSTED_KEYS else (REDACTED if _is_secret(key) else redact(value))
        for key, value in event_dict.items()
    }


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    model_dump = getattr(value, "model_dump", None)
    if callable(model_dump):
        return redact(model_dump(mode="json"))
    return str(value)


def _encode(value: object) -> str:
    """Strict JSON (no NaN tokens), ASCII: its length is its size in bytes."""
    return json.dumps(value, default=_json_default, separators=_SEPARATORS, allow_nan=False)


def _dumps(event_dict: dict[str, Any], **_: Any) -> str:  # noqa: ANN401 - structlog hook
    """The line for ``event_dict``: strict JSON, at most ``MAX_LINE_BYTES``, never an error."""
    try:
        line = _encode(event_dict)
    except (ValueError, TypeError, RecursionError):
        event_dict = _sanitized(event_dict)
        line = _encode(event_dict)
    return line if len(line) <= MAX_LINE_BYTES else _fitted(event_dict)


def _sanitized(event_dict: dict[str, Any]) -> dict[str, Any]:
    """``event_dict`` with every value JSON cannot carry rendered as text; keys listed."""
    fields: dict[str, Any] = {}
    changed = []
    for key, value in event_dict.items():
        try:
            _encode(value)
            fields[key] = value
        except (ValueError, TypeError, RecursionError):
            fields[key] = _jsonable(value, depth=0)
            changed.append(key)
    fields[SANITIZED_KEY] = changed
    return fields


def _jsonable(value: object, *, depth: int) -> object:
    """``value`` as strict JSON values: non-finite floats, huge ints, deep nesting as text."""
    if isinstance(value, str | int | float | None):  # bool is an int
        return _json_scalar(value)
    if depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item, depth=depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, depth=depth + 1) for item in value]
    return _jsonable(_json_default(value), depth=depth + 1)


def _json_scalar(value: str | float | None) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE[repr(value)]
    if isinstance(value, int) and value.bit_length() > _INT_BITS:
        return f"<int of {value.bit_length()} bits>"
    return value


def _fitted(event_dict: dict[str, Any]) -> str:
    """The line with its largest values cut until it fits ``MAX_LINE_BYTES``, each marked."""
    fields = dict(event_dict)
    sizes = {key: len(_encode(value)) for key, value in fields.items()}
    cut: list[str] = []
    fields[TRUNCATED_KEY] = cut
    for key in sorted(sizes, key=sizes.__getitem__, reverse=True):
        excess = len(_encode(fields)) - MAX_LINE_BYTES
        if excess <= 0:
            break
        if key not in _KEPT_KEYS:
            cut.append(key)
            fields[key] = _truncated(fields[key], sizes[key] - excess - _MARK_BYTES)
    line = _encode(fields)
    if len(line) > MAX_LINE_BYTES:  # only the kept keys are large: keep what fits of them
        kept = {
            key: _truncated(fields[key], MAX_LINE_BYTES // 4) for key in _KEPT_KEYS if key in fields
        }
        line = _encode({**kept, TRUNCATED_KEY: sorted(fields)})
    return line


def _truncated(value: object, budget: int) -> str:
    """``value`` (its JSON text if not a string) cut to ``budget`` encoded bytes, marked."""
    text = value if isinstance(value, str) else _encode(value)
    keep = max(0, len(text) * max(budget, 0) // max(len(_encode(text)), 1))
    while True:
        removed = len(text[keep:].encode("utf-8", "surrogatepass"))
        result = f"{text[:keep]}…[truncated {removed} bytes]"
        if keep == 0 or len(_encode(result)) <= budget:
            return result
        keep = keep * 9 // 10


def configure_logging(
    *,
    level: str = "INFO",
    fmt: Literal["json", "console"] = "json",
    stream: TextIO | None = None,
    force: bool = False,
) -> None:
    """Configure structlog once per process (again only with ``force``).

    A logger already used keeps its level and format (it is cached); every logger
    follows a change of ``stream``.
    """
    if _state["configured"] and not force:
        return
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(serializer=_dumps)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _redact_processor,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_logger_factory,
        cache_logger_on_first_use=True,
    )
    _state["stream"] = stream
    _state["configured"] = True


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger named after its module; configuration is applied on first use."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]


@on_new_container
def expect_cold_start() -> None:
    """The next invocation is a new container's first (``cold_start`` true)."""
    _state["cold_start"] = True


def bind_ids(**ids: str | None) -> None:
    """Bind workflow ids (correlation_id, causation_id, event_id, event_type) for this call."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})


@contextmanager
def invocation_context(*, request_id: str | None, function: str, stage: str) -> Iterator[bool]:
    """Bind the invocation's fields for its duration and clear them afterwards.

    Yields whether this is the container's first invocation (``cold_start``).
    """
    cold_start = _state["cold_start"]
    _state["cold_start"] = False
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(
        request_id=request_id,
        cold_start=cold_start,
        function=function,
        stage=stage,
    )
    try:
        yield cold_start
    finally:
        structlog.contextvars.clear_contextvars()
