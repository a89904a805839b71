"""The planner's arithmetic: buffer, threshold, rounding, sells first, cash limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from alchemiser.errors import InputRejectedError, RebalancePlanError
from alchemiser.events.models import AccountSnapshot
from alchemiser.trading import load_strategy_config, plan_rebalance
from alchemiser.trading.strategy_config import PlannerConfig, StrategyConfig

D = Decimal


def _config(**planner: Any) -> StrategyConfig:
    base = load_strategy_config()
    settings = {"cash_buffer_pct": D("0.01"), "min_trade_value": D(25), **planner}
    return base.model_copy(update={"planner": PlannerConfig(**settings)})


def _account(
    cash: str, positions: dict[str, str] | None = None, prices: dict[str, Decimal] | None = None
) -> AccountSnapshot:
    held = {s: D(q) for s, q in (positions or {}).items()}
    value = sum((q * (prices or {})[s] for s, q in held.items()), D(0))
    equity = D(cash) + value
    return AccountSnapshot(equity=equity, cash=D(cash), buying_power=D(cash), positions=held)


PRICES = {"SPY": D(100), "TLT": D(50)}


def test_planner_keeps_the_cash_buffer_and_buys_whole_shares_rounded_down():
    # Given $10,000 in cash, a 1% buffer and whole shares only
    account = _account("10000")
    # When 60% SPY / 40% TLT is planned
    plan = plan_rebalance(
        account,
        prices=PRICES,
        target_weights={"SPY": D("0.6"), "TLT": D("0.4")},
        config=_config(fractional_shares=False),
    )
    # Then $100 stays in cash and targets are 60%/40% of $9,900
    assert plan.cash_buffer == D("100.00")
    spy, tlt = plan.items
    assert (spy.symbol, spy.side, spy.quantity) == ("SPY", "buy", D(59))  # 5940 / 100
    assert (tlt.symbol, tlt.side, tlt.quantity) == ("TLT", "buy", D(79))  # 3960 / 50
    assert spy.target_value == D("5940.00")
    assert spy.estimated_value == D("5900.00")
    assert spy.current_value == D(0)
    assert spy.target_weight == D("0.6")
    assert "target 59.40%" in spy.reason


def test_planner_buys_fractional_shares_to_six_places():
    plan = plan_rebalance(
        _account("10000"),
        prices={"SPY": D(300)},
        target_weights={"SPY": D(1)},
        config=_config(fractional_shares=True),
    )
    # 9900 / 300 = 33 exactly; 9900 / 301 would not be
    assert plan.items[0].quantity == D(33)
    plan = plan_rebalance(
        _account("10000"),
        prices={"SPY": D(301)},
        target_weights={"SPY": D(1)},
        config=_config(fractional_shares=True),
    )
    assert plan.items[0].quantity == D("32.890365")  # 9900 / 301 = 32.8903654...


def test_planner_drops_orders_below_the_minimum_trade_value():
    # Given SPY $10 under target and TLT $30 over it (minimum trade $25)
    prices = {"SPY": D(10), "TLT": D(10)}
    account = _account("0", {"SPY": "494", "TLT": "506"}, prices)  # equity 10,000
    # When 50/50 is planned with no buffer
    plan = plan_rebalance(
        account,
        prices=prices,
        target_weights={"SPY": D("0.5"), "TLT": D("0.5")},
        config=_config(cash_buffer_pct=D(0), fractional_shares=False),
    )
    # Then only the TLT sale crosses the threshold (SPY's buy is $60 > 25, fits the cash)
    assert [(i.symbol, i.side, i.quantity) for i in plan.items] == [
        ("TLT", "sell", D(6)),
        ("SPY", "buy", D(6)),
    ]
    # And with a $100 minimum nothing is traded
    quiet = plan_rebalance(
        account,
        prices=prices,
        target_weights={"SPY": D("0.5"), "TLT": D("0.5")},
        config=_config(cash_buffer_pct=D(0), min_trade_value=D(100)),
    )
    assert quiet.items == ()


def test_planner_puts_every_sell_before_any_buy():
    # Given AAA underweight and ZZZ overweight (alphabetical order would put the buy first)
    prices = {"AAA": D(10), "ZZZ": D(10), "MMM": D(10)}
    account = _account("0", {"ZZZ": "800", "MMM": "200"}, prices)
    plan = plan_rebalance(
        account,
        prices=prices,
        target_weights={"AAA": D("0.5"), "ZZZ": D("0.3"), "MMM": D("0.2")},
        config=_config(cash_buffer_pct=D(0)),
    )
    assert [(i.side, i.symbol) for i in plan.items] == [("sell", "ZZZ"), ("buy", "AAA")]


def test_planner_sells_round_toward_zero_in_whole_shares():
    # Given 10 shares at $30 held and a target of $220 (7.33 shares)
    prices = {"SPY": D(30), "BIL": D(1)}
    account = _account("700", {"SPY": "10"}, prices)  # equity 1,000
    plan = plan_rebalance(
        account,
        prices=prices,
        target_weights={"SPY": D("0.22"), "BIL": D("0.78")},
        config=_config(cash_buffer_pct=D(0), fractional_shares=False, min_trade_value=D(1)),
    )
    sell = plan.items[0]
    # Then 80 / 30 = 2.67 becomes 2 shares sold, never 3
    assert (sell.side, sell.symbol, sell.quantity) == ("sell", "SPY", D(2))


def test_planner_exits_a_position_no_longer_wanted_even_below_the_threshold():
    # Given $5 of dust in a symbol the portfolio no longer holds
    prices = {"OLD": D("2.5"), "SPY": D(100)}
    account = _account("1000", {"OLD": "2"}, prices)
    plan = plan_rebalance(account, prices=prices, target_weights={"SPY": D(1)}, config=_config())
    exit_item = plan.items[0]
    assert (exit_item.side, exit_item.symbol, exit_item.quantity) == ("sell", "OLD", D(2))
    assert exit_item.reason.startswith("exit:")


def test_planner_scales_buys_down_to_the_cash_available():
    # Given $1,000 cash and an overweight position whose sale is below the threshold
    prices = {"AAA": D(100), "BBB": D(10)}
    account = _account("1000", {"AAA": "90"}, prices)  # equity 10,000
    # When BBB should get $1,350 while the $350 AAA sale is skipped (minimum $500)
    plan = plan_rebalance(
        account,
        prices=prices,
        target_weights={"AAA": D("0.865"), "BBB": D("0.135")},
        config=_config(cash_buffer_pct=D(0), min_trade_value=D(500), fractional_shares=False),
    )
    # Then the buy is cut to the $1,000 there is
    (buy,) = plan.items
    assert (buy.symbol, buy.quantity, buy.estimated_value) == ("BBB", D(100), D("1000.00"))
    assert "scaled" in buy.reason


def test_planner_held_symbol_without_a_price_is_an_error_naming_it():
    account = _account("0", {"GME": "3"}, {"GME": D(20)})
    with pytest.raises(RebalancePlanError, match=r"no price for GME \(held 3\)") as caught:
        plan_rebalance(
            account, prices={"SPY": D(1)}, target_weights={"SPY": D(1)}, config=_config()
        )
    assert isinstance(caught.value, InputRejectedError)
    assert caught.value.field == "prices"


def test_planner_weights_summing_above_one_are_refused():
    with pytest.raises(RebalancePlanError, match=r"sum to 1\.2"):
        plan_rebalance(
            _account("100"),
            prices=PRICES,
            target_weights={"SPY": D("0.6"), "TLT": D("0.6")},
            config=_config(),
        )


def test_planner_account_at_target_needs_no_trades():
    prices = {"SPY": D(100)}
    account = _account("100", {"SPY": "99"}, prices)  # 99% invested, 1% buffer
    plan = plan_rebalance(account, prices=prices, target_weights={"SPY": D(1)}, config=_config())
    assert plan.items == ()
    assert plan.account == account


# --- numeric safety: every input within the bounds has a designated outcome ---------------


@pytest.mark.parametrize(
    "price",
    [D("1e-999999"), D(10**3999), D("1e999999"), D("1e-9"), D(0), D(-5), D("1e30")],
    ids=["tiny", "4000-digits", "huge", "9-places", "zero", "negative", "1e30"],
)
def test_planner_refuses_a_price_outside_the_events_bounds_naming_it(price):
    # (was: InvalidOperation from _shares/_cents for "1e-999999" and 4,000 digits)
    with pytest.raises(RebalancePlanError) as caught:
        plan_rebalance(
            _account("10000"),
            prices={"SPY": price},
            target_weights={"SPY": D(1)},
            config=_config(),
        )
    assert caught.value.field == "prices.SPY"


def test_planner_refuses_an_order_of_more_shares_than_an_order_may_hold():
    # Given a valid but tiny price: a trillion dollars buys 1e20 shares
    with pytest.raises(RebalancePlanError, match="exceeds") as caught:
        plan_rebalance(
            _account("1000000000000"),
            prices={"SPY": D("0.00000001")},
            target_weights={"SPY": D(1)},
            config=_config(),
        )
    assert caught.value.field == "prices.SPY"


def test_planner_refuses_a_value_outside_the_bounds_naming_the_item():
    # Given a position worth 1e17 (10 billion shares at 10 million): beyond MAX_MONEY
    prices = {"BRK.A": D(10**7)}
    account = AccountSnapshot(
        equity=D(10**12), cash=D(0), buying_power=D(0), positions={"BRK.A": D(10**10)}
    )
    with pytest.raises(RebalancePlanError) as caught:
        plan_rebalance(account, prices=prices, target_weights={}, config=_config())
    assert caught.value.field in {"items.BRK.A.estimated_value", "items.BRK.A.current_value"}


@settings(max_examples=200, deadline=None)
@given(
    cash=st.decimals(min_value=0, max_value=10**12, places=2),
    price=st.decimals(min_value=D("0.00000001"), max_value=10**7, places=8),
    held=st.decimals(min_value=0, max_value=10**10, places=9),
    weight=st.decimals(min_value=0, max_value=1, places=8),
    fractional=st.booleans(),
)
def test_planner_arithmetic_never_raises_outside_its_error_for_bounded_inputs(
    cash, price, held, weight, fractional
):
    try:
        account = _account(str(cash), {"SPY": str(held)}, {"SPY": price})
    except ValidationError:
        return  # equity beyond MAX_MONEY: such an account is refused where it enters
    try:
        plan = plan_rebalance(
            account,
            prices={"SPY": price},
            target_weights={"SPY": weight},
            config=_config(fractional_shares=fractional),
        )
    except RebalancePlanError:
        return
    assert all(item.quantity > 0 for item in plan.items)
