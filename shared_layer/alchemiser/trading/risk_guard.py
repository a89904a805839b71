"""Risk limits with the account's durable state: the planning step's one call.

``guard_plan`` raises the account's peak equity (a conditional write: it only ever
rises), trips the drawdown kill switch when equity falls below
``(1 - max_drawdown) * peak`` (one flip, however many runs race), applies the limits
of ``trading.risk`` with the switch and the turnover other plans used today, and
reserves the executable plan's turnover for the day. The state lives behind
``RiskStore`` (``trading_state.TradingStateTable`` in the stack).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from alchemiser.trading.risk import apply_risk_limits, drawdown_floor

if TYPE_CHECKING:
    from datetime import date, datetime
    from decimal import Decimal

    from alchemiser.events.models import RebalancePlan
    from alchemiser.trading.risk import KillSwitch, RiskDecision
    from alchemiser.trading.strategy_config import StrategyConfig
    from alchemiser.trading.trading_state import DayTurnover, RiskState

__all__ = ["GuardedPlan", "RiskStore", "guard_plan"]


class RiskStore(Protocol):
    """Where the peak, the kill switch and the day's turnover live (TradingStateTable)."""

    def record_peak(self, account: str, equity: Decimal, *, at: str) -> RiskState:
        """Raise the peak to ``equity`` if higher; the state after."""
        ...

    def trip(self, account: str, *, floor: Decimal, reason: str, plan_id: str, at: str) -> bool:
        """Turn the switch on unless it is; True if this call flipped it."""
        ...

    def risk_state(self, account: str) -> RiskState:
        """The state now."""
        ...

    def turnover(self, account: str, day: date) -> DayTurnover:
        """The day's reserved turnover."""
        ...

    def reserve_turnover(
        self, account: str, day: date, *, plan_id: str, amount: Decimal, seen: DayTurnover
    ) -> None:
        """Set the plan's share of the day, if the day is as ``seen``."""
        ...


@dataclass(frozen=True, slots=True)
class GuardedPlan:
    """A plan through the limits, and what the kill switch did."""

    decision: RiskDecision
    #: The switch, when it is on (since an earlier day, or since now).
    kill_switch: KillSwitch | None
    #: This call flipped it on (the flip is logged once, by the caller that flipped it).
    tripped_now: bool
    #: The operators must be told: the switch was flipped by this plan (now or by an
    #: earlier attempt of the same step, whose notification may never have gone out).
    notify: bool


def guard_plan(
    plan: RebalancePlan,
    store: RiskStore,
    *,
    account: str,
    day: date,
    plan_id: str,
    config: StrategyConfig,
    at: datetime,
    reserve: bool = True,
) -> GuardedPlan:
    """Check ``plan`` against the limits with the account's peak, switch and turnover.

    Args:
        plan: the planner's orders.
        store: the durable risk state.
        account: whose state (``trading_state.account_key``).
        day: the trading date (the turnover's day).
        plan_id: the id of the RebalancePlanned that will carry the plan (stable across
            retries, so a retried step replaces its own reservation).
        config: the strategy configuration (``risk`` and ``planner.fractional_shares``).
        at: now (timezone aware).
        reserve: reserve the executable plan's turnover (False for a dry run, which
            places nothing).

    Raises:
        TurnoverConflictError: another plan of the day reserved meanwhile (retry).
        TradingStateUnavailableError: the state table failed in a way a retry can fix.
    """
    equity = plan.account.equity
    state = store.record_peak(account, equity, at=at.isoformat())
    tripped = False
    if state.kill_switch is None and state.peak_equity is not None:
        floor = drawdown_floor(state.peak_equity, config.risk)
        if equity < floor:
            reason = (
                f"equity {equity} fell below {floor}, {1 - config.risk.max_drawdown:%} of its"
                f" peak {state.peak_equity} ({state.peak_at})"
            )
            tripped = store.trip(
                account, floor=floor, reason=reason, plan_id=plan_id, at=at.isoformat()
            )
            state = store.risk_state(account)
    turnover = store.turnover(account, day)
    decision = apply_risk_limits(
        plan,
        config.risk,
        fractional_shares=config.planner.fractional_shares,
        kill_switch=state.kill_switch,
        turnover_used=turnover.used_by_others(plan_id),
    )
    if reserve:
        store.reserve_turnover(
            account, day, plan_id=plan_id, amount=decision.turnover, seen=turnover
        )
    return GuardedPlan(
        decision=decision,
        kill_switch=state.kill_switch,
        tripped_now=tripped,
        notify=state.kill_switch is not None and state.tripped_by == plan_id,
    )
