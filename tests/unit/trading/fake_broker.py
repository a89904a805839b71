"""An in-memory TradingBroker that honours client order ids and records every call."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from alchemiser.errors import BrokerApiError, OrderRejectedError
from alchemiser.events.models import AccountSnapshot, OrderOutcome
from alchemiser.trading.execution import working


@dataclass
class FakeBroker:
    """Fills at ``prices``; orders can be rejected, stay working, or fail transiently."""

    prices: dict[str, Decimal]
    cash: Decimal = Decimal(0)
    positions: dict[str, Decimal] = field(default_factory=dict)
    #: Symbols whose orders the broker refuses with an HTTP-style 4xx.
    refuse: set[str] = field(default_factory=set)
    #: Polls an order stays working before it fills (0 = filled on submit).
    polls_to_fill: dict[str, int] = field(default_factory=dict)
    #: Symbols whose orders fill only this much and then stay working forever.
    stuck_at: dict[str, Decimal] = field(default_factory=dict)
    #: Raise BrokerApiError on these submit call numbers (1-based), once each.
    fail_on_submit: set[int] = field(default_factory=set)
    orders: dict[str, OrderOutcome] = field(default_factory=dict)
    fills: dict[str, int] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _polls: dict[str, int] = field(default_factory=dict)
    _submits: int = 0

    def get_account(self) -> AccountSnapshot:
        self.calls.append(("get_account", ""))
        value = sum((q * self.prices[s] for s, q in self.positions.items()), Decimal(0))
        return AccountSnapshot(
            equity=self.cash + value,
            cash=self.cash,
            buying_power=self.cash,
            positions={s: q for s, q in self.positions.items() if q > 0},
        )

    def submit_market_order(
        self, *, symbol: str, side: str, quantity: Decimal, client_order_id: str
    ) -> OrderOutcome:
        self._submits += 1
        self.calls.append(("submit", f"{side} {symbol}"))
        if self._submits in self.fail_on_submit:
            self.fail_on_submit.discard(self._submits)
            raise BrokerApiError("HTTP 503 after 4 attempts")
        if client_order_id in self.orders:
            return self.orders[client_order_id]
        if symbol in self.refuse:
            raise OrderRejectedError(f"HTTP 403: insufficient buying power for {symbol}")
        order = OrderOutcome(
            symbol=symbol,
            side=side,
            quantity=quantity,
            client_order_id=client_order_id,
            status="filled",
            broker_order_id=f"fake-{len(self.orders) + 1}",
        )
        self._polls[client_order_id] = self.polls_to_fill.get(symbol, 0)
        if symbol in self.stuck_at:
            order = working(order.model_copy(update={"filled_quantity": self.stuck_at[symbol]}))
        elif self._polls[client_order_id] > 0:
            order = working(order)
        else:
            order = self._fill(order)
        self.orders[client_order_id] = order
        return order

    def get_order(self, client_order_id: str) -> OrderOutcome | None:
        self.calls.append(("get_order", client_order_id))
        order = self.orders.get(client_order_id)
        if order is None or order.symbol in self.stuck_at or order.status == "filled":
            return order
        self._polls[client_order_id] -= 1
        if self._polls[client_order_id] <= 0:
            order = self._fill(order)
            self.orders[client_order_id] = order
        return order

    def _fill(self, order: OrderOutcome) -> OrderOutcome:
        self.fills[order.client_order_id] = self.fills.get(order.client_order_id, 0) + 1
        sign = 1 if order.side == "buy" else -1
        held = self.positions.get(order.symbol, Decimal(0))
        self.positions[order.symbol] = held + sign * order.quantity
        self.cash -= sign * order.quantity * self.prices[order.symbol]
        return order.model_copy(
            update={
                "status": "filled",
                "filled_quantity": order.quantity,
                "average_price": self.prices[order.symbol],
            }
        )
