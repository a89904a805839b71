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
from typing import TYPE_CHECKING, Any, Literal, TextIO

import structlog

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

_state = {"configured": False, "cold_start": True}


def _is_secret(key: str) -> bool:
    lowered = key.lower()
    return any(part in lowered for part in SECRET_KEY_PARTS)


def redact(value: Any) -> Any:  # noqa: ANN401 - any JSON-like value
    """Return ``value`` with every secret-looking key's value replaced, at any depth."""
    if isinstance(value, Mapping):
        return {
            key: REDACTED if isinstance(key, str) and _is_secret(key) else redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def _redact_processor(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    return redact(event_dict)  # type: ignore[no-any-return]


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
    """Configure structlog once per process (again only with ``force``)."""
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
        logger_factory=structlog.PrintLoggerFactory(file=stream or sys.stdout),
        # Not cached: module loggers must follow a reconfiguration (tests, the local CLI).
        cache_logger_on_first_use=False,
    )
    _state["configured"] = True


def get_logger(name: str) -> structlog.typing.FilteringBoundLogger:
    """A logger named after its module; configuration is applied on first use."""
    return structlog.get_logger(name)  # type: ignore[no-any-return]


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
