"""The TradingStateTable on the moto server: peaks only rise, the switch flips once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from alchemiser.errors import RiskCommandRejectedError, TurnoverConflictError
from alchemiser.trading.trading_state import (
    DayTurnover,
    TradingStateTable,
    account_key,
    reset_peak,
    resume_trading,
)

D = Decimal
DAY = date(2026, 11, 16)
AT = "2026-11-16T14:36:00+00:00"


@pytest.fixture
def state(trading_state_table, dynamodb) -> TradingStateTable:
    return TradingStateTable(trading_state_table, client=dynamodb)


def race(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def trip(state: TradingStateTable, plan_id: str = "plan-1") -> bool:
    return state.trip("paper", floor=D("75000.00"), reason="equity fell", plan_id=plan_id, at=AT)


def test_account_key_keeps_each_brokers_accounts_apart():
    assert account_key("paper", "paper") == "paper"
    assert account_key("alpaca", "paper") == "alpaca-paper"
    assert account_key("alpaca", "live") == "alpaca-live"


def test_trading_state_peak_only_ever_rises(state):
    assert state.risk_state("paper").peak_equity is None
    assert state.record_peak("paper", D(100_000), at="t1").peak_equity == D(100_000)
    # A lower equity leaves the peak where it was
    lower = state.record_peak("paper", D(90_000), at="t2")
    assert (lower.peak_equity, lower.peak_at) == (D(100_000), "t1")
    assert state.record_peak("paper", D("100000.01"), at="t3").peak_equity == D("100000.01")


def test_trading_state_racing_peaks_keep_the_highest(state):
    equities = [D(100_000 + 1000 * i) for i in range(8)]

    race(8, lambda i: state.record_peak("paper", equities[i], at=f"t{i}"))

    assert state.risk_state("paper").peak_equity == max(equities)


def test_trading_state_the_kill_switch_flips_once_however_many_race(state):
    flips = race(8, lambda i: trip(state, plan_id=f"plan-{i}"))

    assert flips.count(True) == 1
    switch = state.risk_state("paper")
    assert switch.kill_switch is not None
    assert switch.kill_switch.floor == D("75000.00")
    assert switch.tripped_by == f"plan-{flips.index(True)}"
    assert trip(state) is False


def test_risk_resume_turns_the_switch_off_once_and_forgets_the_peak(
    state, trading_state_table, dynamodb, logs
):
    state.record_peak("paper", D(120_000), at="t1")
    trip(state)

    first = resume_trading(
        trading_state_table, "paper", by="ops@example", reason="reviewed", client=dynamodb
    )
    again = resume_trading(
        trading_state_table, "paper", by="ops@example", reason="reviewed", client=dynamodb
    )

    assert (first, again) == (True, False)
    after = state.risk_state("paper")
    assert (after.kill_switch, after.peak_equity) == (None, None)
    events = [r["event"] for r in logs.records() if r["event"].startswith("risk_")]
    assert events == ["risk_resumed", "risk_resume_not_needed"]
    # Once off, the switch can trip again
    assert trip(state) is True


def test_risk_resume_of_a_switch_never_tripped_changes_nothing(state, trading_state_table):
    state.record_peak("paper", D(100_000), at="t1")

    assert resume_trading(trading_state_table, "paper", by="ops", reason="check") is False
    assert state.risk_state("paper").peak_equity == D(100_000)


@pytest.mark.parametrize(("by", "reason", "field"), [("", "x", "by"), ("ops", " ", "reason")])
def test_risk_commands_need_who_and_why(trading_state_table, by, reason, field):
    with pytest.raises(RiskCommandRejectedError) as raised:
        resume_trading(trading_state_table, "paper", by=by, reason=reason)
    assert raised.value.field == field
    with pytest.raises(RiskCommandRejectedError):
        reset_peak(trading_state_table, "paper", by=by, reason=reason)


def test_reset_peak_forgets_the_peak_and_leaves_the_switch(state, trading_state_table):
    state.record_peak("paper", D(120_000), at="t1")
    trip(state)

    reset_peak(trading_state_table, "paper", by="ops", reason="paper reset")
    reset_peak(trading_state_table, "paper", by="ops", reason="paper reset")

    after = state.risk_state("paper")
    assert after.peak_equity is None
    assert after.kill_switch is not None


def test_turnover_a_retried_plan_replaces_its_own_share(state):
    state.reserve_turnover("paper", DAY, plan_id="a", amount=D(100), seen=DayTurnover())
    state.reserve_turnover(
        "paper", DAY, plan_id="b", amount=D(50), seen=state.turnover("paper", DAY)
    )

    seen = state.turnover("paper", DAY)
    assert seen.used_by_others("a") == D(50)
    state.reserve_turnover("paper", DAY, plan_id="a", amount=D(70), seen=seen)

    assert state.turnover("paper", DAY) == DayTurnover(
        reserved=D(120), plans={"a": D(70), "b": D(50)}
    )
    assert state.turnover("paper", date(2026, 11, 17)) == DayTurnover()


def test_turnover_a_plan_racing_another_of_the_same_day_is_refused(state):
    seen = state.turnover("paper", DAY)
    state.reserve_turnover("paper", DAY, plan_id="a", amount=D(100), seen=seen)

    with pytest.raises(TurnoverConflictError, match="retry"):
        state.reserve_turnover("paper", DAY, plan_id="b", amount=D(100), seen=seen)
    assert state.turnover("paper", DAY).reserved == D(100)


def test_turnover_concurrent_first_plans_of_a_day_reserve_once(state):
    seen = state.turnover("paper", DAY)

    def reserve(i: int) -> str:
        try:
            state.reserve_turnover("paper", DAY, plan_id=f"p{i}", amount=D(10), seen=seen)
        except TurnoverConflictError:
            return "retry"
        return "reserved"

    outcomes = race(8, reserve)

    assert outcomes.count("reserved") == 1
    assert state.turnover("paper", DAY).reserved == D(10)
