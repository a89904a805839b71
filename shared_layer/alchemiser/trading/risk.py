"""Risk limits: which part of a rebalance plan may be executed, and why the rest may not.

Pure functions of the plan, the limits (``StrategyConfig.risk``) and the account's
risk state (kill switch, turnover already used today); money in Decimal. Planning
runs them before RebalancePlanned, so nothing they refuse ever reaches execution.

Each order of the plan meets the limits in this order, each one able to shrink it:

1. ``drawdown_kill_switch``: while the switch is on, every buy is refused outright.
   Sells are never blocked by it (they reduce risk).
2. ``max_order_notional``: an order (buy or sell) worth more is **capped** to the
   largest tradable quantity worth at most the limit: the rebalance still moves
   toward its target and the next day's plan continues from there.
3. ``max_symbol_weight``: a buy that would take the symbol's value past
   ``max_symbol_weight * equity`` is capped to reach it; a symbol already there gets
   no buy. Sells only lower a weight and are never limited by it.
4. ``max_daily_turnover``: orders are taken in plan order (sells first) until
   ``max_daily_turnover * equity``, less the turnover other plans used today, is
   spent; the order that crosses it is capped, later ones refused.

A cap that leaves an order worth less than the plan's ``min_trade_value`` refuses it
outright (a remnant is not worth a commission). Quantities are cut toward zero on the
planner's quantum (whole or 6-decimal shares), so a capped order never exceeds its
limit. For every order, what is executed plus every refusal's ``refused_quantity``
equals what was planned.

``risk_guard.guard_plan`` applies them with the account's durable state (peak equity,
kill switch, the day's turnover).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from alchemiser.events.models import PlanItem, RebalancePlan, RiskLimit, RiskRefusal
from alchemiser.trading.planner import FRACTIONAL_QUANTUM

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from alchemiser.trading.strategy_config import RiskConfig

__all__ = [
    "KillSwitch",
    "RiskDecision",
    "apply_risk_limits",
    "drawdown_floor",
    "plan_turnover",
]

_CENT = Decimal("0.01")
_MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class KillSwitch:
    """The drawdown kill switch, on: since when, why, and the equity floor it crossed."""

    since: datetime
    reason: str
    floor: Decimal

    def describe(self) -> str:
        """The refusal reason every buy gets while it is on."""
        return f"drawdown kill switch on since {self.since.isoformat()}: {self.reason}"


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """The plan that may be executed, and each refusal of the plan given."""

    plan: RebalancePlan
    refusals: tuple[RiskRefusal, ...]

    @property
    def turnover(self) -> Decimal:
        """Buys plus sells of the executable plan, at the estimated prices."""
        return plan_turnover(self.plan.items)


def plan_turnover(items: Iterable[PlanItem]) -> Decimal:
    """Buys plus sells, each at quantity times estimated price (unrounded)."""
    return sum((item.quantity * item.estimated_price for item in items), Decimal(0))


def drawdown_floor(peak: Decimal, limits: RiskConfig) -> Decimal:
    """Equity below this trips the kill switch: ``(1 - max_drawdown) * peak``, in cents."""
    return (peak * (1 - limits.max_drawdown)).quantize(_CENT, rounding=ROUND_HALF_EVEN)


class _Order:
    """One planned order on its way through the limits: what is left, what was refused."""

    def __init__(self, item: PlanItem, quantum: Decimal, min_trade_value: Decimal) -> None:
        self.item = item
        self.quantity = item.quantity
        self.quantum = quantum
        self.min_trade_value = min_trade_value
        self.refusals: list[RiskRefusal] = []

    @property
    def price(self) -> Decimal:
        return self.item.estimated_price

    @property
    def value(self) -> Decimal:
        return self.quantity * self.price

    def refuse(self, limit: RiskLimit, *, value: Decimal, threshold: Decimal, why: str) -> None:
        """Refuse what is left of the order."""
        self._record(limit, Decimal(0), value=value, threshold=threshold, why=why)

    def cap(self, limit: RiskLimit, budget: Decimal, *, value: Decimal, threshold: Decimal) -> None:
        """Shrink the order to be worth at most ``budget``, if it is worth more."""
        if self.quantity == 0 or self.value <= budget:
            return
        allowed = self._quantity_within(max(budget, Decimal(0)))
        if allowed > 0 and allowed * self.price < self.min_trade_value:
            outcome = f"what fits is worth less than the minimum trade {self.min_trade_value}"
            allowed = Decimal(0)
        else:
            outcome = f"capped to {allowed}" if allowed > 0 else "no room left"
        why = (
            f"{self.item.side} {self.quantity} {self.item.symbol} makes {_cents(value)},"
            f" over {limit} {_cents(threshold)}: {outcome}"
        )
        self._record(limit, allowed, value=value, threshold=threshold, why=why)

    def _quantity_within(self, budget: Decimal) -> Decimal:
        quantity = (budget / self.price).quantize(self.quantum, rounding=ROUND_DOWN)
        if quantity * self.price > budget:  # the division may have rounded up
            quantity -= self.quantum
        return min(max(quantity, Decimal(0)), self.quantity)

    def _record(
        self, limit: RiskLimit, allowed: Decimal, *, value: Decimal, threshold: Decimal, why: str
    ) -> None:
        self.refusals.append(
            RiskRefusal(
                symbol=self.item.symbol,
                side=self.item.side,
                limit=limit,
                action="capped" if allowed > 0 else "refused",
                planned_quantity=self.quantity,
                refused_quantity=self.quantity - allowed,
                value=_cents(value),
                threshold=_cents(threshold),
                reason=why[:_MAX_REASON],
            )
        )
        self.quantity = allowed

    def executable(self) -> PlanItem | None:
        """The order as it may be executed (None: nothing of it is left)."""
        if self.quantity == 0:
            return None
        if not self.refusals:
            return self.item
        note = "; risk: " + "; ".join(r.reason for r in self.refusals)
        return self.item.model_copy(
            update={
                "quantity": self.quantity,
                "estimated_value": _cents(self.value),
                "reason": (self.item.reason + note)[:_MAX_REASON],
            }
        )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


class _Limits:
    """The limits in money for one plan, and the turnover still available today."""

    def __init__(
        self,
        plan: RebalancePlan,
        limits: RiskConfig,
        kill_switch: KillSwitch | None,
        turnover_used: Decimal,
    ) -> None:
        self.equity = max(plan.account.equity, Decimal(0))
        self.limits = limits
        self.kill_switch = kill_switch
        self.daily_turnover = limits.max_daily_turnover * self.equity
        self.used = turnover_used
        self.max_symbol_value = limits.max_symbol_weight * self.equity

    def check(self, order: _Order) -> None:
        buy = order.item.side == "buy"
        if buy and self.kill_switch is not None:
            order.refuse(
                "drawdown_kill_switch",
                value=self.equity,
                threshold=self.kill_switch.floor,
                why=self.kill_switch.describe(),
            )
        notional = self.limits.max_order_notional
        order.cap("max_order_notional", notional, value=order.value, threshold=notional)
        if buy:
            current = order.item.current_value
            order.cap(
                "max_symbol_weight",
                self.max_symbol_value - current,
                value=current + order.value,
                threshold=self.max_symbol_value,
            )
        order.cap(
            "max_daily_turnover",
            self.daily_turnover - self.used,
            value=self.used + order.value,
            threshold=self.daily_turnover,
        )
        self.used += order.value


def apply_risk_limits(
    plan: RebalancePlan,
    limits: RiskConfig,
    *,
    fractional_shares: bool,
    kill_switch: KillSwitch | None = None,
    turnover_used: Decimal = Decimal(0),
) -> RiskDecision:
    """The part of ``plan`` the limits allow, and a refusal for each part they do not.

    Args:
        plan: the planner's orders (sells before buys).
        limits: the configured risk limits.
        fractional_shares: the planner's setting (the quantum capped orders are cut to).
        kill_switch: the drawdown kill switch when it is on (None: off).
        turnover_used: buys plus sells other plans of the same trading day already used.

    Returns:
        The executable plan (same account, buffer and minimum; capped or fewer orders)
        and the refusals, in plan order.
    """
    quantum = FRACTIONAL_QUANTUM if fractional_shares else Decimal(1)
    checker = _Limits(plan, limits, kill_switch, turnover_used)
    orders = [_Order(item, quantum, plan.min_trade_value) for item in plan.items]
    for order in orders:
        checker.check(order)
    executable = [item for item in (o.executable() for o in orders) if item is not None]
    return RiskDecision(
        plan=plan.model_copy(update={"items": tuple(executable)}),
        refusals=tuple(refusal for order in orders for refusal in order.refusals),
    )
