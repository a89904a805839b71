"""What happens to each event type: the one routing table.

One row per detail-type EventRoutingFunction handles: the event's model, the step that
handles it, the step's name in logs, and whether the step carries the workflow forward
(only such a step's failure ends the workflow with WorkflowFailed; a failed summary
must never produce another WorkflowFailed, that would loop). Every other event of the
registry (ErrorNotificationRequested) is unrouted: the circuit breaker sends it to
people, never back into a function. ``EVENT_MAP``, ``UNROUTED_EVENTS`` and
``WORKFLOW_STEP_EVENTS`` are derived from the rows, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alchemiser.events import models
from alchemiser.events.registry import ALL_EVENTS
from alchemiser.routing import steps

if TYPE_CHECKING:
    from alchemiser.events.base import BaseEvent
    from alchemiser.routing.steps import Step

__all__ = ["EVENT_MAP", "ROUTES", "UNROUTED_EVENTS", "WORKFLOW_STEP_EVENTS", "Route"]


@dataclass(frozen=True, slots=True)
class Route[E: BaseEvent]:
    """How one detail-type is handled (``step`` takes exactly ``model``'s events)."""

    model: type[E]
    step: Step[E]
    name: str
    advances: bool


#: Detail-type -> its route, in workflow order.
ROUTES: dict[str, Route[Any]] = {
    route.model.__name__: route
    for route in (
        Route(models.WorkflowStarted, steps.generate_signals, "signal_generation", advances=True),
        Route(models.SignalGenerated, steps.plan_portfolio, "portfolio_planning", advances=True),
        Route(models.RebalancePlanned, steps.execute_orders, "execution", advances=True),
        Route(models.TradeExecuted, steps.monitor_workflow, "workflow_monitor", advances=True),
        Route(models.WorkflowCompleted, steps.summarize, "workflow_summary", advances=False),
        Route(models.WorkflowFailed, steps.summarize, "workflow_summary", advances=False),
    )
}

#: Detail-type -> model of every routed event (WorkflowStarted included).
EVENT_MAP: dict[str, type[BaseEvent]] = {name: route.model for name, route in ROUTES.items()}

#: Events that must never reach a function: the rules send them to SNS.
UNROUTED_EVENTS: dict[str, type[BaseEvent]] = {
    name: model for name, model in ALL_EVENTS.items() if name not in ROUTES
}

#: Events whose step carries the workflow forward; only their failure ends a workflow.
WORKFLOW_STEP_EVENTS: tuple[type[BaseEvent], ...] = tuple(
    route.model for route in ROUTES.values() if route.advances
)
