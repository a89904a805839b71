"""The one routing table: detail-type -> the step that handles it.

Its keys are exactly ``EVENT_MAP``'s (a test fails if they disagree).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alchemiser.routing.steps import (
    execute_orders,
    generate_signals_step,
    monitor_workflow,
    plan_portfolio,
    summarize_workflow,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser.routing.steps import Services, StepResult

__all__ = ["ROUTES", "Route"]


@dataclass(frozen=True, slots=True)
class Route:
    """How one detail-type is handled."""

    step: Callable[[Any, Services], StepResult]
    name: str


ROUTES: dict[str, Route] = {
    "WorkflowStarted": Route(generate_signals_step, "signal_generation"),
    "SignalGenerated": Route(plan_portfolio, "portfolio_planning"),
    "RebalancePlanned": Route(execute_orders, "execution"),
    "TradeExecuted": Route(monitor_workflow, "workflow_monitor"),
    "WorkflowCompleted": Route(summarize_workflow, "workflow_summary"),
    "WorkflowFailed": Route(summarize_workflow, "workflow_summary"),
}
