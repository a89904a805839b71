"""One execution per account and trading day, recorded durably before any order.

The execution step writes the day's execution record (TradingStateTable,
``DAY#<date>#EXECUTION``) with a condition before it places an order. "The same
execution" is the same plan: the RebalancePlanned event's id (derived from the
workflow's chain, so one workflow's plan of a day) and the digest of its orders, within
the retry window of its first attempt. The same execution may run again (a retry
finishes the work, with the same client order ids); anything else on an executed day is
refused: a WorkflowCompleted with outcome ``already_executed``, and no order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from alchemiser.events import RebalancePlanned, TradeExecuted, WorkflowCompleted
from alchemiser.routing.steps import execute_orders, plan_portfolio
from alchemiser.trading.day_execution import RETRY_WINDOW
from alchemiser.trading.trading_state import TradingStateTable, timestamp
from tests.integration.test_risk_steps import PRICES, services_for, signal
from tests.unit.trading.fake_broker import FakeBroker

D = Decimal
DAY = date(2026, 11, 16)


@pytest.fixture
def state(trading_state_table, dynamodb) -> TradingStateTable:
    return TradingStateTable(trading_state_table, client=dynamodb)


def planned(services, *, n: int = 0, day: date = DAY, dry_run: bool = False) -> RebalancePlanned:
    (plan, *_) = plan_portfolio(signal(day, n=n, dry_run=dry_run), services)
    assert isinstance(plan, RebalancePlanned)
    return plan


def age_execution(dynamodb, table: str, day: date, *, by) -> None:
    """Move the day's execution record back in time, as if ``by`` had passed since it."""
    key = {"pk": {"S": "ACCOUNT#paper"}, "sk": {"S": f"DAY#{day.isoformat()}#EXECUTION"}}
    item = dynamodb.get_item(TableName=table, Key=key)["Item"]
    earlier = timestamp(datetime.fromisoformat(item["started_at"]["S"]) - by)
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET started_at = :at",
        ExpressionAttributeValues={":at": {"S": earlier}},
    )


def test_a_retry_of_the_execution_step_finishes_the_same_orders(state):
    broker = FakeBroker(prices=PRICES, cash=D(100_000), fail_on_submit={2})
    services = services_for(state, broker)
    plan = planned(services)

    # Given the step failed after its first order (a retryable broker failure)
    with pytest.raises(Exception, match="503"):
        execute_orders(plan, services)
    # When Lambda retries it
    (executed,) = execute_orders(plan, services)

    # Then it finishes: the same client order ids, each order placed once
    assert isinstance(executed, TradeExecuted)
    assert executed.orders_succeeded == executed.orders_placed == len(plan.plan.items) == 2
    assert len(broker.orders) == 2


def test_a_different_workflow_the_same_day_is_refused_and_places_nothing(state, logs):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)
    first = planned(services, n=1)
    execute_orders(first, services)
    orders = dict(broker.orders)

    # When another workflow of the same trading day reaches execution
    (refused,) = execute_orders(planned(services, n=2), services)

    # Then it is refused, says why, and no order reaches the broker
    assert isinstance(refused, WorkflowCompleted)
    assert refused.outcome == "already_executed"
    assert first.correlation_id in refused.summary.message
    assert broker.orders == orders
    (line,) = [r for r in logs.records() if r["event"] == "execution_refused"]
    assert line["executed_by_plan"] == first.event_id
    assert line["trading_date"] == DAY.isoformat()


def test_a_redelivered_plan_after_its_retry_window_is_refused(state, trading_state_table, dynamodb):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)
    plan = planned(services)
    execute_orders(plan, services)
    calls = len(broker.calls)

    # When the very same RebalancePlanned comes again after the idempotency window
    age_execution(dynamodb, trading_state_table, DAY, by=RETRY_WINDOW * 2)
    (refused,) = execute_orders(plan, services)

    # Then it is refused before any broker call
    assert isinstance(refused, WorkflowCompleted)
    assert refused.outcome == "already_executed"
    assert len(broker.calls) == calls


def test_a_redelivered_signal_replanned_after_the_trades_is_refused(state):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)
    execute_orders(planned(services), services)
    orders = dict(broker.orders)
    broker.cash += D(10_000)  # the account changed since (a deposit)

    # When the same SignalGenerated is planned again (a new plan, the same plan id)
    replanned = planned(services)
    (refused,) = execute_orders(replanned, services)

    # Then the new plan is not the executed one: refused, nothing placed
    assert replanned.plan.items  # it would have traded
    assert isinstance(refused, WorkflowCompleted)
    assert refused.outcome == "already_executed"
    assert broker.orders == orders


def test_another_day_has_its_own_execution(state):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)
    execute_orders(planned(services), services)
    broker.cash += D(10_000)

    (next_day,) = execute_orders(planned(services, day=date(2026, 11, 17)), services)

    assert isinstance(next_day, TradeExecuted)
    assert next_day.orders_placed > 0


def test_a_dry_run_neither_takes_nor_needs_the_day(state):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)

    (dry,) = execute_orders(planned(services, n=1, dry_run=True), services)
    (real,) = execute_orders(planned(services, n=2), services)

    assert isinstance(dry, TradeExecuted)
    assert dry.orders_placed == 0
    assert isinstance(real, TradeExecuted)
    assert real.orders_placed == 2


def test_racing_executions_of_one_day_let_exactly_one_through(state):
    from concurrent.futures import ThreadPoolExecutor

    from alchemiser.trading.day_execution import DayExecution

    now = datetime.now(UTC)

    def claim(n: int):
        execution = DayExecution(
            plan_id=f"plan-{n}", plan_digest="d", correlation_id=f"wf-{n}", started_at=now
        )
        return state.claim_execution(
            "paper", DAY, execution=execution, not_before=now - RETRY_WINDOW
        ).granted

    with ThreadPoolExecutor(max_workers=8) as pool:
        granted = list(pool.map(claim, range(8)))

    assert granted.count(True) == 1
