"""The domain events of one trading workflow and their typed payloads.

Money, prices, weights and quantities are Decimal end to end; JSON carries them as
strings so a round trip through EventBridge is exact.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from alchemiser.events.base import (
    MAX_SYMBOLS,
    BaseEvent,
    Count,
    EventId,
    Instant,
    Money,
    Payload,
    PositiveQuantity,
    Price,
    Quantity,
    Symbol,
    TradingDate,
    Weight,
    WorkflowConfiguration,
)

__all__ = [
    "EVENT_MODELS",
    "MAX_RISK_REFUSALS",
    "AccountSnapshot",
    "ErrorNotificationRequested",
    "OrderOutcome",
    "PlanItem",
    "RebalancePlan",
    "RebalancePlanned",
    "RiskLimit",
    "RiskRefusal",
    "SignalGenerated",
    "StrategySignal",
    "TradeExecuted",
    "WorkflowCompleted",
    "WorkflowFailed",
    "WorkflowStarted",
    "WorkflowSummary",
]

Side = Literal["buy", "sell"]
#: The longest text an event carries (a reason, a rationale, a message).
SHORT_TEXT_CHARS = 2000
ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_CHARS)]
#: Symbol-keyed maps and symbol lists hold at most ``MAX_SYMBOLS`` entries.
type BySymbol[V] = Annotated[dict[Symbol, V], Field(max_length=MAX_SYMBOLS)]
Symbols = Annotated[tuple[Symbol, ...], Field(max_length=MAX_SYMBOLS)]


# --- payloads ----------------------------------------------------------------------------


class StrategySignal(Payload):
    """One strategy's target weights and why it chose them."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    allocation: Weight
    weights: BySymbol[Weight]
    rationale: ShortText = ""


class AccountSnapshot(Payload):
    """What the trading broker reported at one moment."""

    equity: Money
    cash: Money
    buying_power: Money
    positions: BySymbol[Quantity] = Field(default_factory=dict)


class PlanItem(Payload):
    """One order of a rebalance plan, with the numbers that justify it."""

    symbol: Symbol
    side: Side
    quantity: PositiveQuantity
    estimated_price: Price
    estimated_value: Money
    current_value: Money
    target_value: Money
    target_weight: Weight
    reason: ShortText


class RebalancePlan(Payload):
    """Orders that move the account to the consolidated portfolio: sells before buys."""

    account: AccountSnapshot
    items: Annotated[tuple[PlanItem, ...], Field(max_length=MAX_SYMBOLS)]
    cash_buffer: Money
    min_trade_value: Money


#: ``accepted``: the broker took the order and it has not filled yet (never final in an
#: event: execution waits, then reports ``failed`` or ``partially_filled`` with a reason).
OrderStatus = Literal["filled", "partially_filled", "accepted", "rejected", "failed", "not_placed"]


class OrderOutcome(Payload):
    """What happened to one planned order."""

    symbol: Symbol
    side: Side
    quantity: Quantity
    client_order_id: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    status: OrderStatus
    broker_order_id: Annotated[str, StringConstraints(max_length=128)] | None = None
    filled_quantity: Quantity = Decimal(0)
    average_price: Price | None = None
    error: ShortText | None = None


# --- risk refusals (trading.risk): additive fields of RebalancePlanned / TradeExecuted --

#: The limit a refusal names (``StrategyConfig.risk``).
RiskLimit = Literal[
    "max_order_notional", "max_symbol_weight", "max_daily_turnover", "drawdown_kill_switch"
]
#: Refusals one plan may carry: four limits for each of far fewer orders than this.
MAX_RISK_REFUSALS = 400


class RiskRefusal(Payload):
    """An order, or the part of one, that a risk limit kept from execution, and why.

    ``capped``: the order goes ahead with ``planned_quantity - refused_quantity``;
    ``refused``: none of it does. ``value`` is what the order would have made the
    limited figure (order value, the symbol's value after the buy, the day's turnover,
    the account's equity) and ``threshold`` that limit, both in money.
    """

    symbol: Symbol
    side: Side
    limit: RiskLimit
    action: Literal["capped", "refused"]
    planned_quantity: Quantity
    refused_quantity: Quantity
    value: Money
    threshold: Money
    reason: ShortText


class WorkflowSummary(Payload):
    """The figures an operator reads first when a workflow ends."""

    orders_placed: Count = 0
    orders_succeeded: Count = 0
    equity: Money | None = None
    message: ShortText = ""


# --- events ----------------------------------------------------------------------------


class WorkflowStarted(BaseEvent):
    """A trading workflow was started (by the scheduler or an operator)."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("trading",)

    workflow_type: Literal["trading"] = "trading"
    requested_by: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    configuration: WorkflowConfiguration
    trading_date: TradingDate
    scheduled_time: Instant | None = None


class SignalGenerated(BaseEvent):
    """Strategies produced target weights for the trading date."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("strategy",)

    configuration: WorkflowConfiguration
    trading_date: TradingDate
    strategies: Annotated[tuple[StrategySignal, ...], Field(max_length=MAX_SYMBOLS)]
    consolidated_portfolio: BySymbol[Weight]
    prices: BySymbol[Price]


class RebalancePlanned(BaseEvent):
    """The orders needed to reach the consolidated portfolio were planned."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("portfolio",)

    configuration: WorkflowConfiguration
    trading_date: TradingDate
    plan: RebalancePlan
    trades_required: bool
    #: What the risk limits kept out of ``plan`` (already left out of its items).
    risk_refusals: Annotated[tuple[RiskRefusal, ...], Field(max_length=MAX_RISK_REFUSALS)] = ()


class TradeExecuted(BaseEvent):
    """The plan's orders were sent (or skipped for a dry run); partial failures included."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("execution",)

    configuration: WorkflowConfiguration
    trading_date: TradingDate
    orders: Annotated[tuple[OrderOutcome, ...], Field(max_length=2 * MAX_SYMBOLS)]
    orders_placed: Count
    orders_succeeded: Count
    failed_symbols: Symbols = ()
    failure_reason: ShortText | None = None
    account_after: AccountSnapshot | None = None
    #: The plan's risk refusals, carried from RebalancePlanned (never placed, not failures).
    risk_refusals: Annotated[tuple[RiskRefusal, ...], Field(max_length=MAX_RISK_REFUSALS)] = ()


class WorkflowCompleted(BaseEvent):
    """A workflow ended as intended (including "market closed" and "nothing to trade")."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("orchestration",)

    workflow_type: Literal["trading"] = "trading"
    configuration: WorkflowConfiguration
    trading_date: TradingDate
    #: ``already_executed``: the trading day was executed by another execution (another
    #: workflow, or this one before its events were delivered again): no order placed.
    outcome: Literal["traded", "no_trades", "market_closed", "dry_run", "already_executed"]
    summary: WorkflowSummary


class WorkflowFailed(BaseEvent):
    """A workflow ended without reaching its target portfolio."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("orchestration",)

    workflow_type: Literal["trading"] = "trading"
    configuration: WorkflowConfiguration
    trading_date: TradingDate
    failure_step: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    failure_reason: ShortText
    failed_symbols: Symbols = ()
    summary: WorkflowSummary


class ErrorNotificationRequested(BaseEvent):
    """An operator must be told about a failure; goes to SNS, never into a function."""

    PUBLISHERS: ClassVar[tuple[str, ...]] = ("orchestration", "trading", "routing")

    severity: Literal["warning", "error", "critical"]
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    message: ShortText
    error_type: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    failed_event_id: EventId | None = None
    failed_event_type: Annotated[str, StringConstraints(max_length=64)] | None = None


#: Every event this package publishes, in workflow order (the registry's source).
EVENT_MODELS: tuple[type[BaseEvent], ...] = (
    WorkflowStarted,
    SignalGenerated,
    RebalancePlanned,
    TradeExecuted,
    WorkflowCompleted,
    WorkflowFailed,
    ErrorNotificationRequested,
)
