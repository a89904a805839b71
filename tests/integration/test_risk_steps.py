"""The risk limits in the workflow's steps, on a real TradingStateTable (moto server).

Planning checks the plan against the limits before RebalancePlanned, so a refused order
never reaches execution; refusals travel in RebalancePlanned and TradeExecuted. The
drawdown kill switch trips once, notifies once (a retried step re-emits the same
notice), refuses buys on every later day, and stays on until an operator resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from alchemiser.events import (
    ErrorNotificationRequested,
    RebalancePlanned,
    SignalGenerated,
    StrategySignal,
    TradeExecuted,
    WorkflowConfiguration,
)
from alchemiser.routing.steps import execute_orders, plan_portfolio
from alchemiser.trading import StrategyConfig, load_strategy_config
from alchemiser.trading.market_calendar import MarketCalendar, library_calendar
from alchemiser.trading.strategy_config import RiskConfig
from alchemiser.trading.trading_state import TradingStateTable, resume_trading
from tests.unit.trading.fake_broker import FakeBroker

D = Decimal
PRICES = {"SPY": D(100), "TLT": D(50)}
TARGETS = {"SPY": D("0.6"), "TLT": D("0.4")}


@dataclass
class RiskServices:
    """The step's collaborators: a fake broker, the real state table, a chosen config."""

    broker: FakeBroker
    trading_state: TradingStateTable
    strategy_config: StrategyConfig
    recorded: list[Any] = field(default_factory=list)

    @property
    def market_data(self) -> Any:
        raise AssertionError("the signal's prices cover every symbol")

    @property
    def calendar(self) -> MarketCalendar:
        return library_calendar()

    def check_trading_mode(self, trading_mode, *, field) -> None:
        return None

    def trading_broker(self, *, as_of, trading_mode) -> FakeBroker:
        return self.broker

    def trading_account(self, trading_mode) -> str:
        return "paper"

    def record_trades(self, event) -> str:
        self.recorded.append(event)
        return "message-1"


def config_with(**risk: Any) -> StrategyConfig:
    base = load_strategy_config()
    return base.model_copy(update={"risk": RiskConfig(**{**dict(base.risk), **risk})})


def signal(day: date, *, n: int = 0, dry_run: bool = False) -> SignalGenerated:
    return SignalGenerated(
        event_id=f"signal-{day.isoformat()}-{n}",
        correlation_id=f"wf-{day.isoformat()}-{n}",
        causation_id=f"start-{day.isoformat()}-{n}",
        configuration=WorkflowConfiguration(environment="dev", dry_run=dry_run),
        trading_date=day,
        strategies=(StrategySignal(name="mix", allocation=D(1), weights=TARGETS),),
        consolidated_portfolio=TARGETS,
        prices=PRICES,
    )


@pytest.fixture
def state(trading_state_table, dynamodb) -> TradingStateTable:
    return TradingStateTable(trading_state_table, client=dynamodb)


def services_for(state, broker, **risk) -> RiskServices:
    return RiskServices(broker=broker, trading_state=state, strategy_config=config_with(**risk))


def lines(logs, name: str) -> list[dict[str, Any]]:
    return [r for r in logs.records() if r["event"] == name]


def test_refused_orders_travel_in_the_events_and_never_reach_the_broker(state, logs):
    # Given a 100k account and a 20k limit per order (the plan buys 59.4k SPY, 39.6k TLT)
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker, max_order_notional=D(20_000))

    (planned,) = plan_portfolio(signal(date(2026, 11, 16)), services)

    # Then RebalancePlanned holds the capped orders and one refusal for each
    assert isinstance(planned, RebalancePlanned)
    assert [(i.symbol, i.quantity) for i in planned.plan.items] == [
        ("SPY", D(200)),
        ("TLT", D(400)),
    ]
    assert [(r.symbol, r.limit, r.action) for r in planned.risk_refusals] == [
        ("SPY", "max_order_notional", "capped"),
        ("TLT", "max_order_notional", "capped"),
    ]
    logged = lines(logs, "risk_refused")
    assert [(r["limit"], r["symbol"], r["value"]) for r in logged] == [
        ("max_order_notional", "SPY", "59400.00"),
        ("max_order_notional", "TLT", "39600.00"),
    ]
    assert all(r["reason"] for r in logged)
    # When it is executed, only the capped quantities are placed, and the refusals follow
    (executed,) = execute_orders(planned, services)
    assert isinstance(executed, TradeExecuted)
    assert broker.positions == {"SPY": D(200), "TLT": D(400)}
    assert executed.risk_refusals == planned.risk_refusals
    assert executed.orders_succeeded == executed.orders_placed == 2


def test_the_kill_switch_trips_once_notifies_once_and_stays_on_until_resumed(
    state, trading_state_table, dynamodb, logs
):
    # Given a first day at a 100k peak
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker)
    plan_portfolio(signal(date(2026, 11, 16)), services)
    assert state.risk_state("paper").peak_equity == D(100_000)

    # When the account falls to 70k (below 75% of its peak), half of it in TLT
    broker.cash, broker.positions = D(20_000), {"TLT": D(1_000)}
    day_two = signal(date(2026, 11, 17))
    planned, notice = plan_portfolio(day_two, services)

    # Then buys are refused, the risk-reducing sell goes ahead, and operators are told
    assert isinstance(planned, RebalancePlanned)
    assert [(i.symbol, i.side) for i in planned.plan.items] == [("TLT", "sell")]
    assert [(r.symbol, r.limit, r.action) for r in planned.risk_refusals] == [
        ("SPY", "drawdown_kill_switch", "refused")
    ]
    assert planned.risk_refusals[0].reason.startswith("drawdown kill switch on since ")
    assert isinstance(notice, ErrorNotificationRequested)
    assert notice.severity == "critical"
    assert notice.causation_id == day_two.event_id
    assert "risk resume" in notice.message
    assert len(lines(logs, "risk_kill_switch_tripped")) == 1

    # And a retry of the same step re-emits the very same notice, flipping nothing again
    again = plan_portfolio(day_two, services)
    assert [e.event_id for e in again] == [planned.event_id, notice.event_id]
    assert len(lines(logs, "risk_kill_switch_tripped")) == 1

    # And on a later day buys are still refused, with no new notice
    (later,) = plan_portfolio(signal(date(2026, 11, 18)), services)
    assert isinstance(later, RebalancePlanned)
    assert {r.limit for r in later.risk_refusals} == {"drawdown_kill_switch"}

    # Until an operator resumes: then buys go ahead, measured from a fresh peak
    assert resume_trading(
        trading_state_table, "paper", by="ops", reason="reviewed", client=dynamodb
    )
    (resumed,) = plan_portfolio(signal(date(2026, 11, 19)), services)
    assert isinstance(resumed, RebalancePlanned)
    assert resumed.risk_refusals == ()
    assert "buy" in {i.side for i in resumed.plan.items}
    assert state.risk_state("paper").peak_equity == D(70_000)


def test_plans_of_one_day_share_its_turnover_and_a_retry_is_not_counted_twice(state):
    # Given at most 0.5 x equity (50k) of turnover a day
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker, max_daily_turnover=D("0.5"))
    day = date(2026, 11, 16)

    (first,) = plan_portfolio(signal(day, n=1), services)
    (retried,) = plan_portfolio(signal(day, n=1), services)
    (second,) = plan_portfolio(signal(day, n=2), services)

    # Then the first plan gets the day's 50k (also when retried); a second plan nothing
    assert isinstance(first, RebalancePlanned)
    assert isinstance(retried, RebalancePlanned)
    assert isinstance(second, RebalancePlanned)
    spent = sum(i.quantity * i.estimated_price for i in first.plan.items)
    assert spent == D(50_000)
    assert retried.plan == first.plan
    assert second.plan.items == ()
    assert {r.limit for r in second.risk_refusals} == {"max_daily_turnover"}
    assert state.turnover("paper", day).reserved == D(50_000)
    # And the next day has its own budget
    (next_day,) = plan_portfolio(signal(date(2026, 11, 17)), services)
    assert isinstance(next_day, RebalancePlanned)
    assert sum(i.quantity * i.estimated_price for i in next_day.plan.items) == D(50_000)


def test_a_dry_run_reserves_no_turnover(state):
    broker = FakeBroker(prices=PRICES, cash=D(100_000))
    services = services_for(state, broker, max_daily_turnover=D("0.5"))
    day = date(2026, 11, 16)

    (dry,) = plan_portfolio(signal(day, n=1, dry_run=True), services)
    (real,) = plan_portfolio(signal(day, n=2), services)

    assert isinstance(dry, RebalancePlanned)
    assert isinstance(real, RebalancePlanned)
    assert real.plan.items == dry.plan.items
    assert state.turnover("paper", day).plans == {real.event_id: D(50_000)}
