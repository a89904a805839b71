"""Domain events: the models, their registry and the EventBridge wire format.

``EVENT_MAP`` (the routed detail-types, WorkflowStarted included) and ``UNROUTED_EVENTS``
are derived from the one routing table, ``alchemiser.routing.table``; they are offered
here too, loaded on first access, because this is where readers of the event contract
look for them.
"""

from typing import TYPE_CHECKING, Any

from alchemiser.events.base import (
    BaseEvent,
    EnvironmentName,
    TradingMode,
    WorkflowConfiguration,
    derived_id,
)
from alchemiser.events.envelope import (
    MAX_ENTRY_BYTES,
    SOURCE_PREFIX,
    PutEventsEntry,
    entry_size,
    from_envelope,
    to_entry,
)
from alchemiser.events.models import (
    AccountSnapshot,
    ErrorNotificationRequested,
    OrderOutcome,
    PlanItem,
    RebalancePlan,
    RebalancePlanned,
    RiskRefusal,
    SignalGenerated,
    StrategySignal,
    TradeExecuted,
    WorkflowCompleted,
    WorkflowFailed,
    WorkflowStarted,
    WorkflowSummary,
)
from alchemiser.events.registry import ALL_EVENTS

if TYPE_CHECKING:
    from alchemiser.routing.table import EVENT_MAP, UNROUTED_EVENTS

__all__ = [
    "ALL_EVENTS",
    "EVENT_MAP",
    "MAX_ENTRY_BYTES",
    "SOURCE_PREFIX",
    "UNROUTED_EVENTS",
    "AccountSnapshot",
    "BaseEvent",
    "EnvironmentName",
    "ErrorNotificationRequested",
    "OrderOutcome",
    "PlanItem",
    "PutEventsEntry",
    "RebalancePlan",
    "RebalancePlanned",
    "RiskRefusal",
    "SignalGenerated",
    "StrategySignal",
    "TradeExecuted",
    "TradingMode",
    "WorkflowCompleted",
    "WorkflowConfiguration",
    "WorkflowFailed",
    "WorkflowStarted",
    "WorkflowSummary",
    "derived_id",
    "entry_size",
    "from_envelope",
    "to_entry",
]

_FROM_ROUTING_TABLE = frozenset({"EVENT_MAP", "UNROUTED_EVENTS"})


def __getattr__(name: str) -> Any:  # noqa: ANN401 - a routing-table mapping
    if name not in _FROM_ROUTING_TABLE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from alchemiser.routing import table  # noqa: PLC0415 - the table imports the events

    return getattr(table, name)
