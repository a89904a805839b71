"""The workflow's steps: one domain event in, the events it causes out.

Steps are pure with respect to the bus: they return events and the router publishes
them (inside the same idempotent unit of work). Every event they create keeps the
workflow's ``correlation_id``, names its cause in ``causation_id``, and has an id
derived from the cause, so a retried step re-emits the same ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from alchemiser.events import (
    BaseEvent,
    ErrorNotificationRequested,
    RebalancePlanned,
    SignalGenerated,
    TradeExecuted,
    WorkflowCompleted,
    WorkflowFailed,
    WorkflowStarted,
    WorkflowSummary,
    derived_id,
)
from alchemiser.events.models import SHORT_TEXT_CHARS
from alchemiser.logging import get_logger
from alchemiser.metrics import put_metric

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import date
    from decimal import Decimal

    from alchemiser.events import AccountSnapshot, TradingMode
    from alchemiser.trading import MarketData, StrategyConfig, TradingBroker

__all__ = [
    "Services",
    "Step",
    "StepResult",
    "WorkflowStepEvent",
    "execute_orders",
    "generate_signals",
    "monitor_workflow",
    "next_event",
    "next_step",
    "plan_portfolio",
    "summarize",
    "workflow_failed",
]

StepResult = tuple[BaseEvent, ...]
#: The events whose step carries the workflow forward (the routing table's ``advances``).
WorkflowStepEvent = WorkflowStarted | SignalGenerated | RebalancePlanned | TradeExecuted

_log = get_logger(__name__)


class Services(Protocol):
    """What the steps need from outside, built once per container."""

    @property
    def strategy_config(self) -> StrategyConfig:
        """Strategies, allocations and planner settings."""
        ...

    @property
    def market_data(self) -> MarketData:
        """Daily bars."""
        ...

    def check_trading_mode(self, trading_mode: TradingMode, *, field: str) -> None:
        """Refuse ``live`` unless this deployment may trade live (the live-trading gate)."""
        ...

    def trading_broker(self, *, as_of: date, trading_mode: TradingMode) -> TradingBroker:
        """The broker orders of one trading date go to."""
        ...

    def record_trades(self, event: TradeExecuted) -> str:
        """Queue the trade-ledger task for ``event``; returns the task's message id."""
        ...


#: A step: one event of its model in, the events it causes out.
type Step[E: BaseEvent] = Callable[[E, Services], StepResult]


def next_event[E: BaseEvent](cause: BaseEvent, model: type[E], **fields: Any) -> E:  # noqa: ANN401
    """An event caused by ``cause``: same workflow, ``causation_id`` and a derived id."""
    return model(
        event_id=derived_id(cause.event_id, model.__name__),
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        **fields,
    )


def next_step[E: BaseEvent](
    cause: WorkflowStepEvent,
    model: type[E],
    **fields: Any,  # noqa: ANN401
) -> E:
    """The next event of the workflow: ``next_event`` carrying its configuration and date."""
    return next_event(
        cause,
        model,
        configuration=cause.configuration,
        trading_date=cause.trading_date,
        **fields,
    )


def _short(text: str) -> str:
    """``text`` cut to what an event's text fields hold, so the event always builds."""
    return text[:SHORT_TEXT_CHARS]


def workflow_failed(
    cause: WorkflowStepEvent,
    *,
    step: str,
    reason: str,
    failed_symbols: tuple[str, ...] = (),
    summary: WorkflowSummary | None = None,
) -> WorkflowFailed:
    """The event that ends a workflow that cannot reach its target portfolio."""
    return next_step(
        cause,
        WorkflowFailed,
        failure_step=step,
        failure_reason=_short(reason),
        failed_symbols=failed_symbols,
        summary=summary or WorkflowSummary(message=_short(reason)),
    )


def generate_signals(event: WorkflowStarted, services: Services) -> StepResult:
    """WorkflowStarted -> SignalGenerated; on a closed market, WorkflowCompleted."""
    from alchemiser import trading  # noqa: PLC0415 - the domain on first use

    if not trading.is_trading_day(event.trading_date):
        message = f"market closed on {event.trading_date.isoformat()}"
        return (
            next_step(
                event,
                WorkflowCompleted,
                outcome="market_closed",
                summary=WorkflowSummary(message=message),
            ),
        )
    signals = trading.generate_signals(
        services.strategy_config, services.market_data, as_of=event.trading_date
    )
    return (
        next_step(
            event,
            SignalGenerated,
            strategies=signals.strategies,
            consolidated_portfolio=signals.consolidated,
            prices=signals.prices,
        ),
    )


def _prices_for(
    account: AccountSnapshot, event: SignalGenerated, services: Services
) -> dict[str, Decimal]:
    """The signal's prices, plus latest closes of held symbols the strategies dropped."""
    missing = sorted(set(account.positions) - set(event.prices))
    if not missing:
        return dict(event.prices)
    bars = services.market_data.daily_bars(missing, 1, as_of=event.trading_date)
    return {**event.prices, **{symbol: bars[symbol][-1].close for symbol in missing}}


def plan_portfolio(event: SignalGenerated, services: Services) -> StepResult:
    """SignalGenerated -> RebalancePlanned (from the broker's account and the targets)."""
    from alchemiser.trading import plan_rebalance  # noqa: PLC0415

    broker = services.trading_broker(
        as_of=event.trading_date, trading_mode=event.configuration.trading_mode
    )
    account = broker.get_account()
    plan = plan_rebalance(
        account,
        prices=_prices_for(account, event, services),
        target_weights=event.consolidated_portfolio,
        config=services.strategy_config,
    )
    return (
        next_step(
            event,
            RebalancePlanned,
            plan=plan,
            trades_required=bool(plan.items),
        ),
    )


def execute_orders(event: RebalancePlanned, services: Services) -> StepResult:
    """RebalancePlanned -> TradeExecuted: sells, then buys; each outcome recorded."""
    from alchemiser.trading import execute_plan  # noqa: PLC0415

    mode = event.configuration.trading_mode
    services.check_trading_mode(mode, field="configuration.trading_mode")
    broker = services.trading_broker(as_of=event.trading_date, trading_mode=mode)
    report = execute_plan(
        event.plan, broker, event_id=event.event_id, dry_run=event.configuration.dry_run
    )
    return (next_step(event, TradeExecuted, **dict(report)),)


def monitor_workflow(event: TradeExecuted, services: Services) -> StepResult:
    """TradeExecuted -> WorkflowCompleted or WorkflowFailed; the ledger task is queued.

    The outcome event is built (and so validated) first and the ledger task sent last,
    so an outcome that cannot be built never leaves a ledger task behind.
    """
    outcome = _outcome_of(event)
    message_id = services.record_trades(event)
    _log.info("trade_ledger_queued", message_id=message_id)
    return (outcome,)


def _outcome_of(event: TradeExecuted) -> WorkflowCompleted | WorkflowFailed:
    summary = WorkflowSummary(
        orders_placed=event.orders_placed,
        orders_succeeded=event.orders_succeeded,
        equity=event.account_after.equity if event.account_after else None,
        message=_short(f"{event.orders_succeeded} of {event.orders_placed} orders succeeded"),
    )
    if event.failed_symbols or event.orders_succeeded < event.orders_placed:
        return workflow_failed(
            event,
            step="execution",
            reason=event.failure_reason or summary.message,
            failed_symbols=event.failed_symbols,
            summary=summary,
        )
    if event.configuration.dry_run:
        outcome = "dry_run"
    else:
        outcome = "traded" if event.orders_placed else "no_trades"
    return next_step(event, WorkflowCompleted, outcome=outcome, summary=summary)


def summarize(event: WorkflowCompleted | WorkflowFailed, services: Services) -> StepResult:
    """The end of a workflow: one summary line and metric; a failure notifies operators."""
    del services  # the summary needs nothing from outside
    if isinstance(event, WorkflowCompleted):
        _log.info(
            "workflow_summary",
            outcome=event.outcome,
            trading_date=event.trading_date,
            **event.summary.model_dump(mode="json"),
        )
        put_metric("WorkflowCompleted")
        return ()
    _log.error(
        "workflow_summary",
        outcome="failed",
        trading_date=event.trading_date,
        failure_step=event.failure_step,
        failure_reason=event.failure_reason,
        failed_symbols=list(event.failed_symbols),
        **event.summary.model_dump(mode="json"),
    )
    put_metric("WorkflowFailed")
    return (
        next_event(
            event,
            ErrorNotificationRequested,
            source_module="orchestration",
            severity="error",
            title=f"trading workflow failed at {event.failure_step}",
            message=event.failure_reason,
            error_type="WorkflowFailed",
            failed_event_id=event.event_id,
            failed_event_type=event.event_type,
        ),
    )
