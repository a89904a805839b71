"""What every Lambda invocation of either function does before and after its work.

What a container keeps between invocations is ``alchemiser.container``'s; its
``new_container`` is re-exported here, where operators and tests look for it.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Protocol

from alchemiser.config import CommonSettings, get_settings
from alchemiser.container import new_container
from alchemiser.errors import ConfigError
from alchemiser.logging import configure_logging, get_logger, invocation_context
from alchemiser.metrics import put_metric

if TYPE_CHECKING:
    from collections.abc import Iterator

    from alchemiser.errors import InputRejectedError

__all__ = ["LambdaContext", "lambda_invocation", "new_container", "record_rejection"]

_log = get_logger(__name__)


class LambdaContext(Protocol):
    """The parts of Lambda's context object this package reads."""

    aws_request_id: str
    function_version: str

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until Lambda stops this invocation."""
        ...


@contextmanager
def lambda_invocation[S: CommonSettings](
    context: LambdaContext | None, settings_class: type[S]
) -> Iterator[S]:
    """Settings and logging for one invocation; invocation log fields cleared afterwards.

    Raises:
        ConfigError: logged first, so a misconfigured deploy is visible in CloudWatch.
    """
    try:
        settings = get_settings(settings_class)
    except ConfigError as exc:
        configure_logging()
        _log.error("config_invalid", error=str(exc))
        raise
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    request_id = getattr(context, "aws_request_id", None)
    with invocation_context(
        request_id=request_id, function=settings.function_name, stage=settings.stage
    ) as cold_start:
        if cold_start:
            # What a container has imported is never garbage: freezing it keeps the first
            # invocation's collections from walking it (20-50 ms of a cold path measured).
            gc.freeze()
        yield settings


def record_rejection(
    exc: InputRejectedError,
    received: object,
    **fields: Any,  # noqa: ANN401
) -> dict[str, Any]:
    """Log and count input that can never succeed; returns its structured error.

    A rejection is never retried, so no failure queue keeps the input: the log line does
    (``received``: secrets redacted, a field past CloudWatch's limit truncated and marked).
    """
    error = exc.to_dict()
    _log.error("input_rejected", error=error, received=received, **fields)
    put_metric("InputRejected")
    return error
