"""Order execution: sells, a bounded wait for their fills, then buys; every outcome kept.

Safety on retry: each order's client order id is derived from the executing event's id,
the symbol and the side, so a redelivered or retried execution submits the very same
ids and the broker answers with the orders it already has (never a second order).
That is why retryable broker failures (``BrokerApiError``) simply propagate: Lambda
retries the whole step and nothing is placed twice. A permanent refusal of one order
(``OrderRejectedError`` or a ``rejected`` outcome) is recorded and the rest continue.

While an order is still working at the broker (accepted, not yet filled), a broker
reports it as ``accepted``; once the wait is over an order still working is reported as
``failed`` (nothing filled) or ``partially_filled`` with an error saying it stays open.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from alchemiser.errors import OrderRejectedError
from alchemiser.events.models import AccountSnapshot, OrderOutcome
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from decimal import Decimal

    from alchemiser.events.models import PlanItem, RebalancePlan

__all__ = [
    "ExecutionReport",
    "TradingBroker",
    "client_order_id",
    "execute_plan",
    "is_working",
    "working",
]

Side = Literal["buy", "sell"]
_MAX_REASON = 2000
_UNSAFE = re.compile(r"[^A-Za-z0-9]")

_log = get_logger(__name__)


class TradingBroker(Protocol):
    """Where orders go: the paper broker (DynamoDB) or Alpaca."""

    def get_account(self) -> AccountSnapshot:
        """Equity, cash, buying power and position quantities now."""
        ...

    def submit_market_order(
        self, *, symbol: str, side: Side, quantity: Decimal, client_order_id: str
    ) -> OrderOutcome:
        """Place a market day order, or return the order already placed under that id."""
        ...

    def get_order(self, client_order_id: str) -> OrderOutcome | None:
        """The order placed under ``client_order_id``, or None if there is none."""
        ...


class ExecutionReport(BaseModel):
    """What TradeExecuted reports: each order's outcome and the account afterwards."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    orders: tuple[OrderOutcome, ...]
    orders_placed: int
    orders_succeeded: int
    failed_symbols: tuple[str, ...]
    failure_reason: str | None
    account_after: AccountSnapshot | None


def client_order_id(event_id: str, symbol: str, side: str) -> str:
    """The broker-side id of one planned order: deterministic, at most 48 characters.

    ``alc-<b|s>-<symbol>-<24 hex of sha256(event_id, symbol, side)>``; letters, digits
    and dashes only, so every broker accepts it and an operator can read it.
    """
    if side not in ("buy", "sell"):
        raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
    digest = hashlib.sha256(f"{event_id}\n{symbol}\n{side}".encode()).hexdigest()[:24]
    return f"alc-{side[0]}-{_UNSAFE.sub('-', symbol)[:15]}-{digest}"


def working(outcome: OrderOutcome) -> OrderOutcome:
    """Mark ``outcome`` as accepted by the broker and not yet done (see module docstring)."""
    return outcome.model_copy(update={"status": "accepted", "error": None})


def is_working(outcome: OrderOutcome) -> bool:
    """True while the broker may still fill (more of) the order."""
    return outcome.status == "accepted"


def _not_placed(item: PlanItem, cid: str) -> OrderOutcome:
    return OrderOutcome(
        symbol=item.symbol,
        side=item.side,
        quantity=item.quantity,
        client_order_id=cid,
        status="not_placed",
    )


def _submit(broker: TradingBroker, item: PlanItem, cid: str) -> OrderOutcome:
    try:
        outcome = broker.submit_market_order(
            symbol=item.symbol, side=item.side, quantity=item.quantity, client_order_id=cid
        )
    except OrderRejectedError as exc:
        outcome = _not_placed(item, cid).model_copy(
            update={"status": "rejected", "error": str(exc)[:_MAX_REASON]}
        )
    _log.info(
        "order_submitted",
        symbol=item.symbol,
        side=item.side,
        quantity=item.quantity,
        client_order_id=cid,
        status=outcome.status,
    )
    return outcome


class _Waiter:
    """Polls working orders until they finish or the wait is over."""

    def __init__(
        self,
        broker: TradingBroker,
        *,
        timeout: float,
        interval: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.broker = broker
        self.timeout = timeout
        self.interval = interval
        self.clock = clock
        self.sleep = sleep

    def settle(self, outcomes: list[OrderOutcome]) -> list[OrderOutcome]:
        deadline = self.clock() + self.timeout
        while any(map(is_working, outcomes)) and self.clock() < deadline:
            self.sleep(self.interval)
            outcomes = [self._refresh(o) if is_working(o) else o for o in outcomes]
        return [self._give_up(o) if is_working(o) else o for o in outcomes]

    def _refresh(self, outcome: OrderOutcome) -> OrderOutcome:
        return self.broker.get_order(outcome.client_order_id) or outcome

    def _give_up(self, outcome: OrderOutcome) -> OrderOutcome:
        where = f"stays open at the broker after {self.timeout:g}s"
        if outcome.filled_quantity > 0:
            return outcome.model_copy(
                update={
                    "status": "partially_filled",
                    "error": f"partially filled; the rest {where}",
                }
            )
        return outcome.model_copy(update={"status": "failed", "error": f"not filled; it {where}"})


def _report(outcomes: Sequence[OrderOutcome], account: AccountSnapshot | None) -> ExecutionReport:
    failed = [o for o in outcomes if o.status not in ("filled", "not_placed")]
    reasons = "; ".join(f"{o.side} {o.symbol} {o.status}: {o.error or 'no detail'}" for o in failed)
    return ExecutionReport(
        orders=tuple(outcomes),
        orders_placed=sum(o.status not in ("not_placed", "rejected") for o in outcomes),
        orders_succeeded=sum(o.status == "filled" for o in outcomes),
        failed_symbols=tuple(dict.fromkeys(o.symbol for o in failed)),
        failure_reason=reasons[:_MAX_REASON] if failed else None,
        account_after=account,
    )


def execute_plan(
    plan: RebalancePlan,
    broker: TradingBroker,
    *,
    event_id: str,
    dry_run: bool,
    fill_timeout_seconds: float = 30.0,
    poll_interval_seconds: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> ExecutionReport:
    """Place ``plan``'s orders: sells, wait for their fills, then buys and wait again.

    Args:
        plan: the rebalance plan (sells before buys).
        broker: where orders go.
        event_id: the id of the event being executed; client order ids derive from it.
        dry_run: report every order as ``not_placed`` and call the broker not at all.
        fill_timeout_seconds: the longest wait for fills, per phase (sells, then buys).
        poll_interval_seconds: pause between polls of working orders.
        clock: monotonic seconds (injectable for tests).
        sleep: how to pause (injectable for tests).

    Raises:
        BrokerApiError: the broker failed in a way a retry can fix; retrying with the
            same ``event_id`` is safe.
    """
    pending = [(item, client_order_id(event_id, item.symbol, item.side)) for item in plan.items]
    if dry_run:
        _log.info("execution_dry_run", orders=len(pending))
        return _report([_not_placed(item, cid) for item, cid in pending], None)
    waiter = _Waiter(
        broker,
        timeout=fill_timeout_seconds,
        interval=poll_interval_seconds,
        clock=clock,
        sleep=sleep,
    )
    outcomes: list[OrderOutcome] = []
    for side in ("sell", "buy"):
        placed = [_submit(broker, item, cid) for item, cid in pending if item.side == side]
        outcomes += waiter.settle(placed)
    report = _report(outcomes, broker.get_account())
    _log.info(
        "execution_finished",
        orders_placed=report.orders_placed,
        orders_succeeded=report.orders_succeeded,
        failed_symbols=report.failed_symbols,
    )
    return report
