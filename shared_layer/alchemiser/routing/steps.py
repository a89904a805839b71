"""The workflow's steps: one domain event in, the events it causes out.

Steps are pure with respect to the bus: they return events and the router publishes
them (inside the same idempotent unit of work). Every event they create keeps the
workflow's ``correlation_id``, names its cause in ``causation_id``, and has an id
derived from the cause, so a retried step re-emits the same ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
    from alchemiser.trading.day_execution import ExecutionStore
    from alchemiser.trading.market_calendar import MarketCalendar
    from alchemiser.trading.risk import KillSwitch
    from alchemiser.trading.risk_guard import GuardedPlan, RiskStore

    class TradingState(RiskStore, ExecutionStore, Protocol):
        """The TradingStateTable as the steps use it: risk state and days' executions."""


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

#: Each phase's wait for fills (sells, then buys): both fit the router's 45 s timeout
#: with the calls around them (template.yaml).
FILL_WAIT_SECONDS = 15.0


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

    @property
    def calendar(self) -> MarketCalendar:
        """The NYSE calendar the workflow trusts (one-off closures included)."""
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

    @property
    def trading_state(self) -> TradingState:
        """The accounts' durable state (peak, kill switch, turnover, days' executions)."""
        ...

    def trading_account(self, trading_mode: TradingMode) -> str:
        """Whose risk state a workflow in ``trading_mode`` uses."""
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

    if not services.calendar.is_trading_day(event.trading_date):
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
    """SignalGenerated -> RebalancePlanned: the plan the risk limits allow, and why not more.

    The limits run here, before RebalancePlanned, so nothing they refuse reaches
    execution; the refusals travel in the event. When this plan trips the drawdown kill
    switch, an ErrorNotificationRequested goes with it (its id derived, so a retried
    step re-emits the same one).
    """
    from alchemiser.trading import plan_rebalance  # noqa: PLC0415
    from alchemiser.trading.risk_guard import guard_plan  # noqa: PLC0415

    mode = event.configuration.trading_mode
    broker = services.trading_broker(as_of=event.trading_date, trading_mode=mode)
    account = broker.get_account()
    plan = plan_rebalance(
        account,
        prices=_prices_for(account, event, services),
        target_weights=event.consolidated_portfolio,
        config=services.strategy_config,
    )
    guarded = guard_plan(
        plan,
        services.trading_state,
        account=services.trading_account(mode),
        day=event.trading_date,
        plan_id=derived_id(event.event_id, RebalancePlanned.__name__),  # next_step's id
        config=services.strategy_config,
        at=datetime.now(UTC),
        reserve=not event.configuration.dry_run,
    )
    _log_risk(guarded)
    executable = guarded.decision.plan
    planned = next_step(
        event,
        RebalancePlanned,
        plan=executable,
        trades_required=bool(executable.items),
        risk_refusals=guarded.decision.refusals,
    )
    if guarded.notify and guarded.kill_switch is not None:
        return (planned, _kill_switch_notice(event, guarded.kill_switch))
    return (planned,)


def _log_risk(guarded: GuardedPlan) -> None:
    """One ``risk_refused`` line per refusal; the switch's flip once, by the run that flipped."""
    switch = guarded.kill_switch
    if guarded.tripped_now and switch is not None:
        _log.error(
            "risk_kill_switch_tripped",
            since=switch.since.isoformat(),
            floor=switch.floor,
            reason=switch.reason,
        )
    for refusal in guarded.decision.refusals:  # limit, symbol, value, threshold, reason...
        _log.warning("risk_refused", **refusal.model_dump(mode="json"))


def _kill_switch_notice(event: SignalGenerated, switch: KillSwitch) -> ErrorNotificationRequested:
    return next_event(
        event,
        ErrorNotificationRequested,
        source_module="orchestration",
        severity="critical",
        title="drawdown kill switch tripped: no new buys",
        message=(
            f"{switch.reason}. Buys are refused from {event.trading_date.isoformat()} on until"
            " an operator runs `alchemiser risk resume`; sells still go ahead."
        ),
        error_type="DrawdownKillSwitch",
        failed_event_id=event.event_id,
        failed_event_type=event.event_type,
    )


def execute_orders(event: RebalancePlanned, services: Services) -> StepResult:
    """RebalancePlanned -> TradeExecuted: sells, then buys; each outcome recorded.

    Before any order the step takes the trading day (``trading.day_execution``): a day
    another execution holds ends the workflow as ``already_executed``, with no order.
    The plan's risk refusals are carried into TradeExecuted as they are: they were never
    orders, so they are neither placed nor failed.
    """
    from alchemiser.trading import execute_plan  # noqa: PLC0415

    mode = event.configuration.trading_mode
    services.check_trading_mode(mode, field="configuration.trading_mode")
    dry_run = event.configuration.dry_run
    if not dry_run and (refused := _day_taken(event, services)) is not None:
        return (refused,)
    broker = services.trading_broker(as_of=event.trading_date, trading_mode=mode)
    report = execute_plan(
        event.plan,
        broker,
        event_id=event.event_id,
        dry_run=dry_run,
        fill_timeout_seconds=FILL_WAIT_SECONDS,
    )
    return (next_step(event, TradeExecuted, **dict(report), risk_refusals=event.risk_refusals),)


def _day_taken(event: RebalancePlanned, services: Services) -> WorkflowCompleted | None:
    """None when this execution holds the day; else the workflow's refusal."""
    from alchemiser.trading.day_execution import claim_day  # noqa: PLC0415

    claim = claim_day(
        services.trading_state,
        services.trading_account(event.configuration.trading_mode),
        event.trading_date,
        plan_id=event.event_id,
        plan=event.plan,
        correlation_id=event.correlation_id,
        at=datetime.now(UTC),
    )
    if claim.granted:
        return None
    held = claim.execution
    message = claim.refusal(event.trading_date)
    _log.warning(
        "execution_refused",
        trading_date=event.trading_date.isoformat(),
        executed_by_plan=held.plan_id,
        executed_by_workflow=held.correlation_id,
        executed_from=held.started_at.isoformat(),
        reason=message,
    )
    summary = WorkflowSummary(message=message)
    return next_step(event, WorkflowCompleted, outcome="already_executed", summary=summary)


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
