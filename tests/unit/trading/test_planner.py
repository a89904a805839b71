"""The planner's arithmetic: buffer, threshold, rounding, sells first, cash limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

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
