"""Structured logging: one JSON object per line, the way CloudWatch Logs Insights reads it.

Configured once per container. Invocation fields (``request_id``, ``cold_start``,
``function``, ``stage``) and workflow ids (``correlation_id``, ``causation_id``,
``event_id``, ``event_type``) live in context variables that are cleared when an
invocation ends, so nothing leaks into the next invocation of a warm container.
"""

from __future__ import annotations

import json
import logging
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


def redact(value: Any) -> Any:  # noqa: ANN401 - any JSON-like value
    """Return ``value`` with every secret-looking key's value replaced, at any depth."""
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, dict | Mapping):
        return {
            key: REDACTED if isinstance(key, str) and _is_secret(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
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


def _dumps(event_dict: Any, **_: Any) -> str:  # noqa: ANN401 - structlog serializer hook
    return json.dumps(event_dict, default=_json_default, separators=(",", ":"))


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
