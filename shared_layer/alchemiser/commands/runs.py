"""One run per command: its idempotency key, its ids, and its failure notice.

A run is idempotent on ``mode + scheduled time`` (or the caller's ``execution_id``, or
Lambda's request id, which async retries keep), so a Scheduler retry or a duplicate
invocation does nothing new and answers with the first run's result. Ids are derived
from that key, so even a retry after a half-finished run re-emits the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from alchemiser.clock import new_york_date
from alchemiser.errors import IdempotencyError
from alchemiser.events import derived_id
from alchemiser.idempotency import run_once
from alchemiser.logging import bind_ids, get_logger
from alchemiser.notifications import Failure, notify_failure

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser.commands.model import LambdaEvent
    from alchemiser.config import TradingFunctionSettings
    from alchemiser.runtime import LambdaContext

__all__ = [
    "CommandRun",
    "Run",
    "RunIds",
    "idempotency_key",
    "notify_failed_command",
    "run_command",
    "trading_day",
]

_log = get_logger(__name__)


def idempotency_key(command: LambdaEvent, *, request_id: str) -> str:
    """What makes two deliveries the same run: mode + scheduled time, or the caller's key."""
    if command.scheduled_time is not None:
        return f"{command.mode}#scheduled#{command.scheduled_time.astimezone(UTC).isoformat()}"
    if command.execution_id is not None:
        return f"{command.mode}#execution#{command.execution_id}"
    return f"{command.mode}#request#{request_id}"


class RunIds(NamedTuple):
    """The idempotency key of a run, the correlation id it gives its work, and its cause."""

    key: str
    correlation_id: str
    causation_id: str

    @classmethod
    def of(cls, command: LambdaEvent, *, stage: str, request_id: str) -> RunIds:
        """The ids of ``command``'s run (the same on every delivery of the run)."""
        key = idempotency_key(command, request_id=request_id)
        return cls(
            key=key,
            correlation_id=command.correlation_id or derived_id(stage, key),
            causation_id=derived_id(stage, "command", key),
        )


def trading_day(command: LambdaEvent) -> date:
    """The New York date the run is for: its scheduled time's, or today's."""
    return new_york_date(command.scheduled_time or datetime.now(UTC))


class Run(NamedTuple):
    """One run of a command: the command, where its tasks go, the settings, its ids."""

    command: LambdaEvent
    environment: str
    settings: TradingFunctionSettings
    ids: RunIds


@dataclass(frozen=True, slots=True)
class CommandRun:
    """What one mode does: its idempotency scope, its status, and its work.

    ``work`` runs once per run and returns the JSON result every delivery of the run is
    answered with.
    """

    scope: str
    status: str
    work: Callable[[Run], dict[str, Any]]


def run_command(
    run: CommandRun,
    command: LambdaEvent,
    *,
    environment: str,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> dict[str, Any]:
    """Do ``run``'s work once per run of ``command``; a duplicate gets the first answer."""
    ids = RunIds.of(command, stage=settings.stage, request_id=context.aws_request_id)
    bind_ids(correlation_id=ids.correlation_id)
    once = run_once(
        run.scope,
        key=ids.key,
        payload=command.model_dump(mode="json"),
        work=lambda: run.work(Run(command, environment, settings, ids)),
        settings=settings,
        context=context,
    )
    # A duplicate answers with the first run's ids, whatever this delivery carried.
    bind_ids(correlation_id=once.result["correlation_id"])
    _log.info("command_completed", scope=run.scope, duplicate=once.duplicate, **once.result)
    return {"status": "duplicate" if once.duplicate else run.status, **once.result}


def notify_failed_command(
    command: LambdaEvent,
    error: Exception,
    *,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> None:
    """One ErrorNotificationRequested per failed run (not one per Lambda retry)."""
    if isinstance(error, IdempotencyError):
        return  # a concurrent duplicate or a store hiccup, not a failed run
    ids = RunIds.of(command, stage=settings.stage, request_id=context.aws_request_id)
    failure = Failure("trading", ids.correlation_id, ids.causation_id, f"{command.mode} failed")
    notify_failure(failure, error, settings=settings, context=context)
