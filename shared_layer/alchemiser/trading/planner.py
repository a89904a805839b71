"""Rebalance planning: from the account and target weights to orders, sells first.

Arithmetic (all Decimal):

- ``cash_buffer = equity * cash_buffer_pct`` stays in cash; the rest is invested:
  ``target_value = (equity - cash_buffer) * weight``;
- ``current_value = quantity * price`` (price = latest close before the trading date);
- an order moves ``target - current``, in whole shares or fractional ones (6 places),
  always rounded toward zero so a plan never buys or sells more than the gap;
- an order worth less than ``min_trade_value`` is dropped, except a full exit of a
  symbol no longer wanted, which always sells the whole position;
- buys are scaled down (proportionally) to fit cash + sell proceeds - buffer, since
  skipped small sells would otherwise leave buys short of cash.

Numeric safety: prices are checked against the events' ``Price`` bounds (a bar close
of the store included), an order larger than ``MAX_QUANTITY`` shares and any value
outside the events' bounds are a ``RebalancePlanError`` naming it, and percentages are
formatted, never quantized; so no input within the bounds can make a quantize raise
``InvalidOperation``.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pydantic import TypeAdapter, ValidationError

from alchemiser.errors import RebalancePlanError
from alchemiser.events.base import MAX_QUANTITY, Price, Symbol
from alchemiser.events.models import AccountSnapshot, PlanItem, RebalancePlan
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Mapping

    from alchemiser.trading.strategy_config import PlannerConfig, StrategyConfig

__all__ = ["FRACTIONAL_QUANTUM", "plan_rebalance"]

CENT = Decimal("0.01")
WHOLE_SHARE = Decimal(1)
#: Fractional orders carry six decimal places of a share.
FRACTIONAL_QUANTUM = Decimal("0.000001")
_WEIGHT_TOLERANCE = Decimal("0.000001")
#: The one definition of a valid price (the events'), applied to every price planned with.
_PRICES: TypeAdapter[dict[str, Decimal]] = TypeAdapter(dict[Symbol, Price])

_log = get_logger(__name__)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def _pct(value: Decimal, equity: Decimal) -> str:
    share = value / equity * 100 if equity > 0 else Decimal(0)
    return f"{share:.2f}%"  # formatting rounds any magnitude; quantize could overflow


def _shares(shares: Decimal, planner: PlannerConfig, symbol: str) -> Decimal:
    """``shares`` rounded toward zero to what the configuration can trade.

    Raises:
        RebalancePlanError: more than ``MAX_QUANTITY`` shares (a price near zero).
    """
    if shares > MAX_QUANTITY:
        raise RebalancePlanError(
            f"an order of {shares:.0f} shares of {symbol} exceeds {MAX_QUANTITY:.0f}",
            field=f"prices.{symbol}",
        )
    quantum = FRACTIONAL_QUANTUM if planner.fractional_shares else WHOLE_SHARE
    return shares.quantize(quantum, rounding=ROUND_DOWN)


def _built[M: PlanItem | RebalancePlan](model: type[M], prefix: str, **fields: Any) -> M:  # noqa: ANN401
    """``model`` of ``fields``; a value outside the events' bounds names its field."""
    try:
        return model(**fields)
    except ValidationError as exc:
        raise RebalancePlanError.from_validation(exc, prefix=prefix) from exc


def _symbols(account: AccountSnapshot, weights: Mapping[str, Decimal]) -> list[str]:
    """Every symbol the plan decides on: held, or wanted by the targets."""
    held = {symbol for symbol, quantity in account.positions.items() if quantity > 0}
    return sorted(held | {symbol for symbol, weight in weights.items() if weight > 0})


def _check_prices(
    account: AccountSnapshot, prices: Mapping[str, Decimal], symbols: list[str]
) -> None:
    for symbol in symbols:
        if symbol not in prices:
            held = account.positions.get(symbol, Decimal(0))
            raise RebalancePlanError(f"no price for {symbol} (held {held})", field="prices")
    try:
        _PRICES.validate_python({symbol: prices[symbol] for symbol in symbols})
    except ValidationError as exc:
        raise RebalancePlanError.from_validation(exc, prefix="prices") from exc


def _check_weights(weights: Mapping[str, Decimal]) -> None:
    bad = sorted(s for s, w in weights.items() if not 0 <= w <= 1)
    if bad:
        raise RebalancePlanError(f"weights outside [0, 1]: {bad}", field="target_weights")
    total = sum(weights.values(), Decimal(0))
    if total > 1 + _WEIGHT_TOLERANCE:
        raise RebalancePlanError(f"weights sum to {total} (> 1)", field="target_weights")


class _Order(NamedTuple):
    """One symbol's decision: which way, how much, and why."""

    side: Literal["buy", "sell"]
    quantity: Decimal
    reason: str


class _Planner:
    """One plan's inputs, so each symbol's decision reads as one small method."""

    def __init__(
        self,
        account: AccountSnapshot,
        prices: Mapping[str, Decimal],
        weights: Mapping[str, Decimal],
        planner: PlannerConfig,
    ) -> None:
        self.account = account
        self.prices = prices
        self.weights = weights
        self.planner = planner
        self.equity = account.equity
        self.buffer = _cents(max(self.equity, Decimal(0)) * planner.cash_buffer_pct)
        self.investable = max(self.equity - self.buffer, Decimal(0))

    def item(self, symbol: str) -> PlanItem | None:
        held = self.account.positions.get(symbol, Decimal(0))
        weight = self.weights.get(symbol, Decimal(0))
        price = self.prices[symbol]
        current = _cents(held * price)
        target = _cents(self.investable * weight)
        order = (
            self._exit(symbol, held)
            if weight == 0
            else self._rebalance(symbol, held, current=current, target=target)
        )
        if order is None:
            return None
        side, quantity, reason = order
        return _built(
            PlanItem,
            f"items.{symbol}",
            symbol=symbol,
            side=side,
            quantity=quantity,
            estimated_price=price,
            estimated_value=_cents(quantity * price),
            current_value=current,
            target_value=target,
            target_weight=weight,
            reason=reason,
        )

    @staticmethod
    def _exit(symbol: str, held: Decimal) -> _Order | None:
        """A symbol no longer wanted: sell the whole position, however small."""
        if held <= 0:
            return None
        return _Order(
            "sell", held, f"exit: {symbol} is not in the target portfolio; sell all {held}"
        )

    def _rebalance(
        self, symbol: str, held: Decimal, *, current: Decimal, target: Decimal
    ) -> _Order | None:
        """Move ``current`` toward ``target``, unless the order is worth too little."""
        price = self.prices[symbol]
        side: Literal["buy", "sell"] = "buy" if target > current else "sell"
        quantity = _shares(abs(target - current) / price, self.planner, symbol)
        if side == "sell":
            quantity = min(quantity, held)
        if quantity <= 0 or quantity * price < self.planner.min_trade_value:
            return None
        reason = (
            f"{side} {quantity} {symbol}: {_pct(current, self.equity)} of equity"
            f" ({current}) -> target {_pct(target, self.equity)} ({target})"
        )
        return _Order(side, quantity, reason)

    def fit_buys(self, buys: list[PlanItem], sells: list[PlanItem]) -> list[PlanItem]:
        """Scale buys down to the cash they can have: cash + sell proceeds - buffer."""
        proceeds = sum((item.quantity * item.estimated_price for item in sells), Decimal(0))
        available = self.account.cash + proceeds - self.buffer
        spend = sum((item.quantity * item.estimated_price for item in buys), Decimal(0))
        if spend <= available:
            return buys
        usable = max(available, Decimal(0))
        note = f"; scaled to {_pct(usable, spend)} to fit available cash {_cents(available)}"
        fitted = []
        for item in buys:
            # Multiply before dividing: the quotient alone would lose the exact share count.
            quantity = _shares(item.quantity * usable / spend, self.planner, item.symbol)
            if quantity <= 0 or quantity * item.estimated_price < self.planner.min_trade_value:
                continue
            fitted.append(
                item.model_copy(
                    update={
                        "quantity": quantity,
                        "estimated_value": _cents(quantity * item.estimated_price),
                        "reason": item.reason + note,
                    }
                )
            )
        return fitted


def plan_rebalance(
    account: AccountSnapshot,
    *,
    prices: Mapping[str, Decimal],
    target_weights: Mapping[str, Decimal],
    config: StrategyConfig,
) -> RebalancePlan:
    """The orders that move ``account`` to ``target_weights``: sells first, then buys.

    Args:
        account: equity, cash and position quantities from the broker.
        prices: the latest close of every symbol held or targeted.
        target_weights: the consolidated portfolio (weights sum to at most 1).
        config: the planner settings (``config.planner``).

    Raises:
        RebalancePlanError: a held or targeted symbol has no price, or the weights are
            invalid; the message names the symbol.
    """
    symbols = _symbols(account, target_weights)
    _check_prices(account, prices, symbols)
    _check_weights(target_weights)
    planner = _Planner(account, prices, target_weights, config.planner)
    items = [item for item in map(planner.item, symbols) if item is not None]
    sells = [item for item in items if item.side == "sell"]
    buys = planner.fit_buys([item for item in items if item.side == "buy"], sells)
    plan = _built(
        RebalancePlan,
        "plan",
        account=account,
        items=(*sells, *buys),
        cash_buffer=planner.buffer,
        min_trade_value=config.planner.min_trade_value,
    )
    _log.info(
        "rebalance_planned",
        sells=len(sells),
        buys=len(buys),
        equity=account.equity,
        cash_buffer=planner.buffer,
    )
    return plan
