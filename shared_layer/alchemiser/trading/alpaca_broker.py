"""The Alpaca trading broker (paper endpoint unless a live one is configured).

Client order ids make every submission idempotent: Alpaca refuses a second order with
an id it has seen (a 4xx), and the adapter then returns the order already there. A
submission whose response was lost (timeout, 5xx, a dropped connection) is sent again
by the HTTP client, and an order that went through the first time comes back the same
way. A refusal with no order behind it is an ``OrderRejectedError`` for the executor to
record. Orders are reported by ``ORDER_STATUSES``; quantities go out in plain decimal
notation; answers that do not read as Alpaca documents them are ``BrokerResponseError``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal

from pydantic import TypeAdapter, ValidationError

from alchemiser.errors import OrderRejectedError
from alchemiser.events.base import Symbol
from alchemiser.events.models import AccountSnapshot, OrderOutcome
from alchemiser.logging import get_logger
from alchemiser.trading.alpaca_config import LIVE_TRADING_URL, PAPER_TRADING_URL
from alchemiser.trading.alpaca_http import AlpacaAdapter
from alchemiser.trading.alpaca_models import (
    AlpacaAccount,
    AlpacaClock,
    AlpacaOrder,
    AlpacaPosition,
    AlpacaPositions,
    parse,
)
from alchemiser.trading.execution import working

if TYPE_CHECKING:
    from decimal import Decimal

__all__ = ["ORDER_STATUSES", "AlpacaBroker", "order_outcome"]

Side = Literal["buy", "sell"]
StatusKind = Literal["open", "ended", "filled", "rejected"]

#: Every status of Alpaca's order-status enum and what it means for the workflow:
#: ``open``, Alpaca may still fill (more of) the order, and it can still be canceled;
#: ``ended``, it fills no more (``calculated`` is "completed for the day, settlement
#: pending"). Whatever the status, an order whose filled quantity reached its quantity
#: is filled. A status not listed here is taken as ``open`` and logged: never reported
#: filled or ended on a guess, it is polled like a working order and, if it stays so,
#: reported as still open at the broker.
ORDER_STATUSES: dict[str, StatusKind] = {
    "new": "open",
    "accepted": "open",
    "pending_new": "open",
    "accepted_for_bidding": "open",
    "partially_filled": "open",
    "pending_cancel": "open",
    "pending_replace": "open",
    "pending_review": "open",
    "held": "open",
    "stopped": "open",
    "suspended": "open",
    "filled": "filled",
    "calculated": "ended",
    "done_for_day": "ended",
    "canceled": "ended",
    "expired": "ended",
    "replaced": "ended",
    "rejected": "rejected",
}

_log = get_logger(__name__)


def _status_kind(order: AlpacaOrder) -> StatusKind:
    if order.qty is not None and order.filled_qty >= order.qty:
        return "filled"
    kind = ORDER_STATUSES.get(order.status)
    if kind is None:
        _log.warning(
            "alpaca_order_status_unlisted",
            status=order.status,
            client_order_id=order.client_order_id,
        )
        return "open"
    return kind


def order_outcome(order: AlpacaOrder) -> OrderOutcome:
    """An Alpaca order as the workflow reports it (``ORDER_STATUSES``; ``execution``)."""
    outcome = OrderOutcome(
        symbol=order.symbol,
        side=order.side,
        quantity=order.qty if order.qty is not None else order.filled_qty,
        client_order_id=order.client_order_id,
        status="filled",
        broker_order_id=order.id,
        filled_quantity=order.filled_qty,
        average_price=order.filled_avg_price,
    )
    kind = _status_kind(order)
    if kind == "filled":
        return outcome
    if kind == "open":
        return working(outcome)
    reason = f"Alpaca status {order.status}"
    if order.replaced_by:
        reason += f" (by order {order.replaced_by})"
    if order.filled_qty > 0:
        error = f"{reason} after filling {order.filled_qty} of {outcome.quantity}"
        return outcome.model_copy(update={"status": "partially_filled", "error": error})
    status = "rejected" if kind == "rejected" else "failed"
    return outcome.model_copy(update={"status": status, "error": f"{reason}: nothing filled"})


def plain_decimal(value: Decimal) -> str:
    """``value`` in plain decimal notation: ``str()`` writes 1E-7 and 2E+1 for some."""
    return format(value, "f")


def _ignored(position: AlpacaPosition) -> str | None:
    """Why the workflow leaves ``position`` alone, or None when it trades it."""
    if position.asset_class != "us_equity":
        return position.asset_class
    if position.side == "short" or position.qty < 0:
        return "short"
    if not _tradable_symbol(position.symbol):
        return "symbol"
    return None


@cache
def _symbols() -> TypeAdapter[str]:
    return TypeAdapter(Symbol)


def _tradable_symbol(symbol: str) -> bool:
    """True when ``symbol`` is one the workflow's events can carry."""
    try:
        _symbols().validate_python(symbol)
    except ValidationError:
        return False
    return True


class AlpacaBroker(AlpacaAdapter):
    """A ``TradingBroker`` over Alpaca's trading API v2."""

    DEFAULT_URL = PAPER_TRADING_URL

    @property
    def is_live(self) -> bool:
        """True when orders go to the live (real money) endpoint."""
        return self.base_url == LIVE_TRADING_URL

    def get_account(self) -> AccountSnapshot:
        """Equity, cash, buying power and the positions the workflow trades.

        Those are long ``us_equity`` positions (``/v2/positions`` lists every asset
        class). Anything else, an option, a coin, a short, is left out of planning, so
        it is never priced as a stock nor sold, and one warning names each.
        """
        account = parse(AlpacaAccount, self._http.get("/v2/account"), what="GET /v2/account")
        positions = parse(
            AlpacaPositions, self._http.get("/v2/positions"), what="GET /v2/positions"
        ).items
        ignored = {p.symbol: why for p in positions if (why := _ignored(p)) is not None}
        if ignored:
            _log.warning("alpaca_positions_ignored", positions=ignored)
        return AccountSnapshot(
            equity=account.equity,
            cash=account.cash,
            buying_power=account.buying_power,
            positions={p.symbol: p.qty for p in positions if p.symbol not in ignored and p.qty > 0},
        )

    def submit_market_order(
        self, *, symbol: str, side: Side, quantity: Decimal, client_order_id: str
    ) -> OrderOutcome:
        """A market day order under ``client_order_id``, or the order already under it.

        Raises:
            OrderRejectedError: Alpaca refused the order (4xx) and none exists under the id.
            BrokerApiError: Alpaca kept failing (5xx, 429, timeouts) after the retries.
            BrokerCredentialsError: Alpaca refused the keys (401).
            BrokerResponseError: Alpaca's answer does not read as an order.
        """
        body = {
            "symbol": symbol,
            "qty": plain_decimal(quantity),
            "side": side,
            "type": "market",
            "time_in_force": "day",
            "client_order_id": client_order_id,
        }
        try:
            order = parse(AlpacaOrder, self._http.post("/v2/orders", body), what="POST /v2/orders")
        except OrderRejectedError:
            existing = self.get_order(client_order_id)
            if existing is None:
                raise
            _log.info("alpaca_order_already_placed", client_order_id=client_order_id)
            return existing
        return order_outcome(order)

    def get_order(self, client_order_id: str) -> OrderOutcome | None:
        """The order placed under ``client_order_id`` (``/v2/orders:by_client_order_id``)."""
        data = self._http.get(
            "/v2/orders:by_client_order_id",
            {"client_order_id": client_order_id},
            missing_ok=True,
        )
        if data is None:
            return None
        return order_outcome(parse(AlpacaOrder, data, what="GET /v2/orders:by_client_order_id"))

    def clock(self) -> AlpacaClock:
        """Whether the market is open now, and the next open and close (``/v2/clock``)."""
        return parse(AlpacaClock, self._http.get("/v2/clock"), what="GET /v2/clock")
