"""Risk limits on a plan: what may be executed, what is refused, and why (pure, Decimal)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from alchemiser.events.models import AccountSnapshot, PlanItem, RebalancePlan
from alchemiser.trading.risk import (
    KillSwitch,
    RiskDecision,
    apply_risk_limits,
    drawdown_floor,
    plan_turnover,
)
from alchemiser.trading.strategy_config import RiskConfig

D = Decimal
SINCE = datetime(2026, 11, 16, 14, 36, tzinfo=UTC)
SWITCH = KillSwitch(since=SINCE, reason="equity 70000.00 below 75000.00", floor=D("75000.00"))


def item(symbol: str, side: str, quantity: str, price: str, current: str = "0") -> PlanItem:
    qty, px = D(quantity), D(price)
    return PlanItem(
        symbol=symbol,
        side=side,
        quantity=qty,
        estimated_price=px,
        estimated_value=(qty * px).quantize(D("0.01")),
        current_value=D(current),
        target_value=D(0),
        target_weight=D(0),
        reason=f"{side} {quantity} {symbol}",
    )


def plan_of(*items: PlanItem, equity: str = "100000") -> RebalancePlan:
    account = AccountSnapshot(equity=D(equity), cash=D(equity), buying_power=D(equity))
    return RebalancePlan(account=account, items=items, cash_buffer=D(1000), min_trade_value=D(25))


def limits(**overrides: Any) -> RiskConfig:
    base = {
        "max_order_notional": D(75_000),
        "max_symbol_weight": D("0.75"),
        "max_daily_turnover": D(2),
        "max_drawdown": D("0.25"),
    }
    return RiskConfig(**{**base, **overrides})


def test_risk_a_plan_within_every_limit_is_executed_as_planned():
    plan = plan_of(
        item("TLT", "sell", "100", "50", current="5000"), item("SPY", "buy", "40", "100")
    )

    decision = apply_risk_limits(plan, limits(), fractional_shares=True)

    assert decision.plan == plan
    assert decision.refusals == ()


def test_risk_an_order_over_the_notional_limit_is_capped_to_it():
    # Given a buy of 800 SPY at 100 (80,000) against a 75,000 limit
    plan = plan_of(item("SPY", "buy", "800", "100"))

    decision = apply_risk_limits(plan, limits(), fractional_shares=False)

    # Then 750 shares (75,000) go ahead and 50 are refused, with the reason
    (capped,) = decision.plan.items
    assert (capped.quantity, capped.estimated_value) == (D(750), D("75000.00"))
    (refusal,) = decision.refusals
    assert (refusal.limit, refusal.action) == ("max_order_notional", "capped")
    assert (refusal.planned_quantity, refusal.refused_quantity) == (D(800), D(50))
    assert (refusal.value, refusal.threshold) == (D("80000.00"), D("75000.00"))
    assert "over max_order_notional 75000.00: capped to 750" in refusal.reason
    assert "risk: " in capped.reason


def test_risk_capping_cuts_fractional_shares_toward_zero():
    plan = plan_of(item("SPY", "buy", "40", "3"))

    decision = apply_risk_limits(plan, limits(max_order_notional=D(100)), fractional_shares=True)

    (capped,) = decision.plan.items
    assert capped.quantity == D("33.333333")
    assert capped.quantity * capped.estimated_price <= 100


def test_risk_a_buy_is_capped_where_the_symbol_reaches_its_maximum_weight():
    # Given SPY already worth 70,000 of 100,000 and a buy of 100 more at 100
    plan = plan_of(item("SPY", "buy", "100", "100", current="70000"))

    decision = apply_risk_limits(plan, limits(), fractional_shares=True)

    # Then it buys up to 75% of equity exactly
    (capped,) = decision.plan.items
    assert capped.quantity == D(50)
    (refusal,) = decision.refusals
    assert refusal.limit == "max_symbol_weight"
    assert (refusal.value, refusal.threshold) == (D("80000.00"), D("75000.00"))


def test_risk_a_symbol_already_past_its_weight_gets_no_buy_but_may_be_sold():
    plan = plan_of(
        item("SPY", "sell", "10", "100", current="80000"),
        item("QQQ", "buy", "1", "100", current="76000"),
    )

    decision = apply_risk_limits(plan, limits(), fractional_shares=True)

    assert [i.symbol for i in decision.plan.items] == ["SPY"]
    (refusal,) = decision.refusals
    assert (refusal.symbol, refusal.limit, refusal.action) == (
        "QQQ",
        "max_symbol_weight",
        "refused",
    )


def test_risk_daily_turnover_is_spent_in_plan_order_sells_first():
    # Given 150,000 of turnover allowed today (1.5 x 100,000), 50,000 already used
    plan = plan_of(
        item("TLT", "sell", "600", "100", current="60000"),
        item("SPY", "buy", "500", "100"),
        item("GLD", "buy", "100", "100"),
    )

    decision = apply_risk_limits(
        plan,
        limits(max_daily_turnover=D("1.5")),
        fractional_shares=True,
        turnover_used=D(50_000),
    )

    # Then the sell (60,000) goes, SPY is capped to the 40,000 left, GLD is refused
    assert [(i.symbol, i.quantity) for i in decision.plan.items] == [
        ("TLT", D(600)),
        ("SPY", D(400)),
    ]
    assert decision.turnover == D(100_000)
    assert [(r.symbol, r.limit, r.action) for r in decision.refusals] == [
        ("SPY", "max_daily_turnover", "capped"),
        ("GLD", "max_daily_turnover", "refused"),
    ]


def test_risk_a_cap_that_leaves_less_than_the_minimum_trade_refuses_the_order():
    plan = plan_of(item("SPY", "buy", "10", "100"))

    decision = apply_risk_limits(
        plan, limits(), fractional_shares=True, turnover_used=D(200_000) - D(20)
    )

    assert decision.plan.items == ()
    (refusal,) = decision.refusals
    assert (refusal.action, refusal.refused_quantity) == ("refused", D(10))
    assert "less than the minimum trade 25" in refusal.reason


def test_risk_the_kill_switch_refuses_every_buy_and_never_a_sell():
    plan = plan_of(item("TLT", "sell", "10", "50", current="5000"), item("SPY", "buy", "5", "100"))

    decision = apply_risk_limits(plan, limits(), fractional_shares=True, kill_switch=SWITCH)

    assert [(i.symbol, i.side) for i in decision.plan.items] == [("TLT", "sell")]
    (refusal,) = decision.refusals
    assert (refusal.symbol, refusal.limit, refusal.action) == (
        "SPY",
        "drawdown_kill_switch",
        "refused",
    )
    assert refusal.reason.startswith("drawdown kill switch on since 2026-11-16T14:36:00+00:00")
    assert refusal.threshold == D("75000.00")


def test_risk_drawdown_floor_is_the_allowed_fraction_of_the_peak():
    assert drawdown_floor(D("120000"), limits(max_drawdown=D("0.25"))) == D("90000.00")
    assert drawdown_floor(D("100000.01"), limits(max_drawdown=D("0.1"))) == D("90000.01")


# --- properties ----------------------------------------------------------------------

SYMBOLS = ("SPY", "TLT", "GLD", "BIL", "QQQ", "TQQQ", "EFA")
prices = st.decimals(min_value=D("0.01"), max_value=D(5000), places=2)
fractions = st.decimals(min_value=D("0.01"), max_value=D(1), places=2)


Case = tuple[RebalancePlan, RiskConfig, bool, KillSwitch | None, Decimal]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    fractional = draw(st.booleans())
    places = 6 if fractional else 0
    symbols = draw(st.lists(st.sampled_from(SYMBOLS), unique=True, max_size=len(SYMBOLS)))
    items = []
    for symbol in symbols:
        quantity = draw(st.decimals(min_value=1, max_value=D(5000), places=places))
        side = draw(st.sampled_from(["sell", "buy"]))
        current = draw(st.decimals(min_value=0, max_value=D(200_000), places=2))
        items.append(item(symbol, side, str(quantity), str(draw(prices)), current=str(current)))
    items.sort(key=lambda i: i.side != "sell")  # the planner's order: sells first
    equity = draw(st.decimals(min_value=D(1), max_value=D(10_000_000), places=2))
    config = limits(
        max_order_notional=draw(st.decimals(min_value=D(25), max_value=D(500_000), places=2)),
        max_symbol_weight=draw(fractions),
        max_daily_turnover=draw(st.decimals(min_value=D("0.01"), max_value=D(10), places=2)),
    )
    switch = draw(st.sampled_from([None, SWITCH]))
    used = draw(st.decimals(min_value=0, max_value=D(20_000_000), places=2))
    return plan_of(*items, equity=str(equity)), config, fractional, switch, used


def decide(case: Case) -> RiskDecision:
    plan, config, fractional, switch, used = case
    return apply_risk_limits(
        plan, config, fractional_shares=fractional, kill_switch=switch, turnover_used=used
    )


@settings(max_examples=300, deadline=None)
@given(cases())
def test_risk_property_no_executed_order_exceeds_a_limit(case):
    plan, config, fractional, switch, used = case
    decision = decide(case)
    equity = plan.account.equity
    for executed in decision.plan.items:
        value = executed.quantity * executed.estimated_price
        assert value <= config.max_order_notional
        assert value >= plan.min_trade_value or executed in plan.items
        if executed.side == "buy":
            assert switch is None
            assert executed.current_value + value <= config.max_symbol_weight * equity
        quantum = D("0.000001") if fractional else D(1)
        assert executed.quantity % quantum == 0
    # The executed plan's turnover never takes the day past its maximum
    assert decision.turnover <= max(config.max_daily_turnover * equity - used, D(0))
    assert decision.turnover == plan_turnover(decision.plan.items)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_risk_property_executed_plus_refused_is_what_was_planned(case):
    plan = case[0]
    decision = decide(case)
    accounted: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for executed in decision.plan.items:
        accounted[executed.symbol, executed.side] += executed.quantity
    for refusal in decision.refusals:
        assert refusal.refused_quantity > 0
        assert (refusal.action == "refused") == (
            refusal.refused_quantity == refusal.planned_quantity
        )
        accounted[refusal.symbol, refusal.side] += refusal.refused_quantity
    assert accounted == {(i.symbol, i.side): i.quantity for i in plan.items}
    # Sells are never refused by the kill switch; the plan keeps its order and account
    assert all(r.side == "buy" for r in decision.refusals if r.limit == "drawdown_kill_switch")
    assert [i.symbol for i in decision.plan.items] == [
        i.symbol for i in plan.items if i.symbol in {e.symbol for e in decision.plan.items}
    ]
    assert decision.plan.account == plan.account
