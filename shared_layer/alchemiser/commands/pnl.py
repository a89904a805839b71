"""The ``pnl_analysis`` command: one PnL report task per scheduled run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.actors import enqueue
from alchemiser.commands.runs import CommandRun, trading_day
from alchemiser.reports import PnlReportRequest

if TYPE_CHECKING:
    from alchemiser.commands.runs import Run

__all__ = ["PNL_ANALYSIS"]


def _enqueue_report(run: Run) -> dict[str, Any]:
    command = run.command
    request = PnlReportRequest(
        correlation_id=run.ids.correlation_id,
        pnl_type=command.pnl_type,
        pnl_periods=command.pnl_periods,
        pnl_period=command.pnl_period,
        trading_mode=command.trading_mode,
        as_of=trading_day(command),
    )
    message_id = enqueue(
        request, environment=run.environment, allowed=run.settings.allowed_target_environments
    )
    return {"correlation_id": run.ids.correlation_id, "message_id": message_id}


#: Queue the PnL report task on the target environment's queue, once per run.
PNL_ANALYSIS = CommandRun(scope="trading.pnl_analysis", status="queued", work=_enqueue_report)
