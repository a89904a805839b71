"""The ``trade`` command: exactly one ``WorkflowStarted`` per scheduled run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.bus import publish_events
from alchemiser.commands.runs import CommandRun, trading_day
from alchemiser.events import WorkflowConfiguration, WorkflowStarted, derived_id

if TYPE_CHECKING:
    from alchemiser.commands.runs import Run

__all__ = ["START_WORKFLOW"]


def _publish_start(run: Run) -> dict[str, Any]:
    command, ids = run.command, run.ids
    started = WorkflowStarted(
        event_id=derived_id(ids.correlation_id, "WorkflowStarted"),
        correlation_id=ids.correlation_id,
        causation_id=ids.causation_id,
        requested_by="scheduler" if command.scheduled_time else "operator",
        configuration=WorkflowConfiguration(
            trading_mode=command.trading_mode,
            dry_run=command.dry_run,
            environment=run.environment,
        ),
        trading_date=trading_day(command),
        scheduled_time=command.scheduled_time,
    )
    publish_events([started], bus_name=run.settings.event_bus_name)
    return {
        "correlation_id": ids.correlation_id,
        "event_id": started.event_id,
        "trading_date": started.trading_date.isoformat(),
    }


#: Publish the run's ``WorkflowStarted`` once; duplicates get the first run's answer.
START_WORKFLOW = CommandRun(scope="trading.start_workflow", status="started", work=_publish_start)
