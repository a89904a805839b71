"""Starting a trading workflow: exactly one ``WorkflowStarted`` per scheduled run.

The start is idempotent on ``mode + scheduled time`` (or the caller's ``execution_id``,
or Lambda's request id, which async retries keep), so a Scheduler retry or a duplicate
invocation starts nothing new and answers with the first run's correlation id. Ids are
derived from that key, so even a retry after a half-finished start re-emits the same
event, which the router then sees as a duplicate.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from alchemiser.bus import publish_events
from alchemiser.clock import new_york_date
from alchemiser.errors import IdempotencyError
from alchemiser.events import WorkflowConfiguration, WorkflowStarted, derived_id
from alchemiser.idempotency import run_once
from alchemiser.logging import bind_ids, get_logger
from alchemiser.notifications import notify_once

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser.commands import LambdaEvent
    from alchemiser.config import TradingFunctionSettings
    from alchemiser.runtime import LambdaContext

__all__ = ["idempotency_key", "notify_failed_command", "run_pnl_analysis", "start_workflow"]

_log = get_logger(__name__)


def idempotency_key(command: LambdaEvent, *, request_id: str) -> str:
    """What makes two deliveries the same run: mode + scheduled time, or the caller's key."""
    if command.scheduled_time is not None:
        return f"{command.mode}#scheduled#{command.scheduled_time.astimezone(UTC).isoformat()}"
    if command.execution_id is not None:
        return f"{command.mode}#execution#{command.execution_id}"
    return f"{command.mode}#request#{request_id}"


class RunIds(NamedTuple):
    """The idempotency key of a run and the correlation id it gives the workflow."""

    key: str
    correlation_id: str


def _trading_day_instant(command: LambdaEvent) -> datetime:
    return command.scheduled_time or datetime.now(UTC)


def _run_ids(command: LambdaEvent, settings: TradingFunctionSettings, request_id: str) -> RunIds:
    key = idempotency_key(command, request_id=request_id)
    return RunIds(key=key, correlation_id=command.correlation_id or derived_id(settings.stage, key))


def _once_per_run(
    scope: str,
    command: LambdaEvent,
    *,
    settings: TradingFunctionSettings,
    context: LambdaContext,
    work: Callable[[RunIds], dict[str, Any]],
    status: str,
) -> dict[str, Any]:
    ids = _run_ids(command, settings, context.aws_request_id)
    bind_ids(correlation_id=ids.correlation_id)
    once = run_once(
        scope,
        key=ids.key,
        payload=command.model_dump(mode="json"),
        work=lambda: work(ids),
        context=context,
        settings=settings,
    )
    # A duplicate answers with the first run's ids, whatever this delivery carried.
    bind_ids(correlation_id=once.result["correlation_id"])
    _log.info("command_completed", scope=scope, duplicate=once.duplicate, **once.result)
    return {"status": "duplicate" if once.duplicate else status, **once.result}


def start_workflow(
    command: LambdaEvent,
    *,
    environment: str,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> dict[str, Any]:
    """Publish the run's ``WorkflowStarted`` once; duplicates get the first run's answer."""

    def publish_start(ids: RunIds) -> dict[str, Any]:
        started = WorkflowStarted(
            event_id=derived_id(ids.correlation_id, "WorkflowStarted"),
            correlation_id=ids.correlation_id,
            causation_id=derived_id(settings.stage, "command", ids.key),
            requested_by="scheduler" if command.scheduled_time else "operator",
            configuration=WorkflowConfiguration(
                trading_mode=command.trading_mode,
                dry_run=command.dry_run,
                environment=environment,
            ),
            trading_date=new_york_date(_trading_day_instant(command)),
            scheduled_time=command.scheduled_time,
        )
        publish_events([started], bus_name=settings.event_bus_name)
        return {
            "correlation_id": ids.correlation_id,
            "event_id": started.event_id,
            "trading_date": started.trading_date.isoformat(),
        }

    return _once_per_run(
        "trading.start_workflow",
        command,
        settings=settings,
        context=context,
        work=publish_start,
        status="started",
    )


def run_pnl_analysis(
    command: LambdaEvent,
    *,
    environment: str,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> dict[str, Any]:
    """Queue the PnL report task on the target environment's queue, once per run."""
    from alchemiser.actors import enqueue_pnl_report  # noqa: PLC0415 - dramatiq on first use
    from alchemiser.reports import PnlReportRequest  # noqa: PLC0415

    def enqueue(ids: RunIds) -> dict[str, Any]:
        request = PnlReportRequest(
            correlation_id=ids.correlation_id,
            pnl_type=command.pnl_type,
            pnl_periods=command.pnl_periods,
            pnl_period=command.pnl_period,
            trading_mode=command.trading_mode,
            as_of=new_york_date(_trading_day_instant(command)),
        )
        message_id = enqueue_pnl_report(request, environment=environment)
        return {"correlation_id": ids.correlation_id, "message_id": message_id}

    return _once_per_run(
        "trading.pnl_analysis",
        command,
        settings=settings,
        context=context,
        work=enqueue,
        status="queued",
    )


def notify_failed_command(
    command: LambdaEvent,
    error: Exception,
    *,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> None:
    """One ErrorNotificationRequested per failed run (not one per Lambda retry)."""
    if isinstance(error, IdempotencyError):
        return  # a concurrent duplicate or a store hiccup, not a failed start
    ids = _run_ids(command, settings, context.aws_request_id)
    notify_once(
        key=f"command#{ids.key}",
        correlation_id=ids.correlation_id,
        causation_id=derived_id(settings.stage, "command", ids.key),
        source_module="trading",
        title=f"{settings.stage}: {command.mode} command failed",
        message=f"{type(error).__name__}: {error}. Lambda retries it; a final failure "
        "lands in the trading failures queue.",
        error_type=type(error).__name__,
        bus_name=settings.event_bus_name,
        settings=settings,
        context=context,
    )
