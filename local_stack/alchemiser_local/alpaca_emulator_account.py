"""The Alpaca emulator's account: cash, fractional long positions and market day orders.

A cash account (multiplier 1): buying power is cash less what open buys reserve. A
market order is priced at the latest close before its session (the price the workflow
planned with) and fills on a trading day. With ``fill_after_polls`` it stays
``accepted`` and then ``new`` for that many reads of the order before it fills; with
``partial_fill`` only that share of it fills (``partially_filled``). What is still open
when the simulated date moves past its session is ``canceled``, as Alpaca cancels day
orders after the close. Refusals are Alpaca's: 422 for a duplicate ``client_order_id``
or an invalid order, 403 for insufficient buying power or quantity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from alchemiser.trading import is_trading_day
from alchemiser_local.alpaca_emulator_market import EmulatorRequestError
from alchemiser_local.alpaca_emulator_orders import (
    INVALID,
    EmulatedOrder,
    asset_id,
    cents,
    parse_order,
    plain,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date

    from alchemiser_local.alpaca_emulator_market import EmulatedMarket

__all__ = ["EmulatedAccount"]

_NANO_SHARE = Decimal("0.000000001")
_FORBIDDEN = 40310000


@dataclass
class _Position:
    qty: Decimal
    cost: Decimal


@dataclass
class EmulatedAccount:
    """The account's cash, positions and orders (callers hold the emulator's lock)."""

    market: EmulatedMarket
    cash: Decimal
    fill_after_polls: int = 0
    partial_fill: Decimal | None = None
    positions: dict[str, _Position] = field(default_factory=dict)
    orders: dict[str, EmulatedOrder] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        market: EmulatedMarket,
        *,
        cash: Decimal,
        positions: Mapping[str, Decimal],
        fill_after_polls: int = 0,
        partial_fill: Decimal | None = None,
    ) -> EmulatedAccount:
        """An account holding ``positions``, bought at the latest close before today."""
        held = {
            symbol: _Position(qty, cents(qty * (market.close_before(symbol, market.today) or 0)))
            for symbol, qty in positions.items()
            if qty > 0
        }
        return cls(market, cash, fill_after_polls, partial_fill, held)

    # --- reads -------------------------------------------------------------------------

    def _price(self, symbol: str, position: _Position) -> Decimal:
        return self.market.close_before(symbol, self.market.today) or position.cost / position.qty

    def account_body(self) -> dict[str, Any]:
        """``GET /v2/account``."""
        long_value = sum(
            (cents(p.qty * self._price(s, p)) for s, p in self.positions.items()), Decimal(0)
        )
        reserved = sum((cents(o.remaining * o.price) for o in self._open("buy")), Decimal(0))
        equity, buying_power = self.cash + long_value, max(self.cash - reserved, Decimal(0))
        return {
            "id": "e6fe16f3-64a4-4921-8928-cadf02f92f98",
            "account_number": "PA0EMULATED",
            "status": "ACTIVE",
            "crypto_status": "INACTIVE",
            "currency": "USD",
            "cash": plain(self.cash),
            "buying_power": plain(buying_power),
            "regt_buying_power": plain(buying_power),
            "daytrading_buying_power": "0",
            "non_marginable_buying_power": plain(buying_power),
            "options_buying_power": "0",
            "equity": plain(equity),
            "last_equity": plain(equity),
            "portfolio_value": plain(equity),
            "long_market_value": plain(long_value),
            "short_market_value": "0",
            "position_market_value": plain(long_value),
            "multiplier": "1",
            "initial_margin": "0",
            "maintenance_margin": "0",
            "sma": "0",
            "daytrade_count": 0,
            "balance_asof": self.market.today.isoformat(),
            "pattern_day_trader": False,
            "trading_blocked": False,
            "transfers_blocked": False,
            "account_blocked": False,
            "trade_suspended_by_user": False,
            "shorting_enabled": False,
            "created_at": "2024-01-02T14:30:00.123456Z",
            "accrued_fees": "0",
            "pending_transfer_in": "0",
            "options_approved_level": 0,
            "options_trading_level": 0,
        }

    def positions_body(self) -> list[dict[str, Any]]:
        """``GET /v2/positions``: long us_equity positions, symbol order."""
        return [self._position_body(s, self.positions[s]) for s in sorted(self.positions)]

    def _position_body(self, symbol: str, position: _Position) -> dict[str, Any]:
        price = self._price(symbol, position)
        value = cents(position.qty * price)
        reserved = sum((o.remaining for o in self._open("sell") if o.symbol == symbol), Decimal(0))
        gain = value - position.cost
        return {
            "asset_id": asset_id(symbol),
            "symbol": symbol,
            "exchange": "ARCA",
            "asset_class": "us_equity",
            "asset_marginable": True,
            "qty": plain(position.qty),
            "qty_available": plain(position.qty - reserved),
            "avg_entry_price": plain(position.cost / position.qty),
            "side": "long",
            "market_value": plain(value),
            "cost_basis": plain(position.cost),
            "unrealized_pl": plain(gain),
            "unrealized_plpc": plain(gain / position.cost) if position.cost else "0",
            "unrealized_intraday_pl": "0",
            "unrealized_intraday_plpc": "0",
            "current_price": plain(price),
            "lastday_price": plain(price),
            "change_today": "0",
        }

    def _open(self, side: str) -> list[EmulatedOrder]:
        return [o for o in self.orders.values() if o.is_open and o.side == side]

    def order(
        self, *, client_order_id: str | None = None, order_id: str | None = None
    ) -> dict[str, Any]:
        """``GET /v2/orders:by_client_order_id`` or ``/v2/orders/{id}``: one read (a poll)."""
        found = self.orders.get(client_order_id or "") or next(
            (o for o in self.orders.values() if o.id == order_id), None
        )
        if found is None:
            raise EmulatorRequestError(404, "order not found", code=40410000)
        self._work(found, polled=True)
        return found.body()

    # --- orders ------------------------------------------------------------------------

    def submit(self, body: object) -> dict[str, Any]:
        """``POST /v2/orders``."""
        request = parse_order(body)
        if request.client_order_id in self.orders:
            raise EmulatorRequestError(422, "client_order_id must be unique", code=INVALID)
        if not self.market.knows(request.symbol):
            raise EmulatorRequestError(422, f'asset "{request.symbol}" not found', code=INVALID)
        session = self._session()
        price = self.market.close_before(request.symbol, session)
        if price is None:
            raise EmulatorRequestError(
                422, f"no close for {request.symbol} before {session}", code=INVALID
            )
        order = EmulatedOrder(
            id=str(uuid.uuid4()),
            client_order_id=request.client_order_id,
            symbol=request.symbol,
            side=request.side,
            qty=Decimal(request.qty),
            price=price,
            session=session,
            created_at=self.market.now,
            polls_left=self.fill_after_polls,
        )
        self._check_funds(order)
        self.orders[order.client_order_id] = order
        self._work(order, polled=False)
        return order.body()

    def _session(self) -> date:
        day = self.market.today
        while not is_trading_day(day):
            day += timedelta(days=1)
        return day

    def _check_funds(self, order: EmulatedOrder) -> None:
        if order.side == "buy":
            available = Decimal(self.account_body()["buying_power"])
            if cents(order.qty * order.price) > available:
                raise EmulatorRequestError(403, "insufficient buying power", code=_FORBIDDEN)
            return
        held = self.positions.get(order.symbol)
        reserved = sum((o.remaining for o in self._open("sell") if o.symbol == order.symbol), 0)
        available = (held.qty if held else Decimal(0)) - reserved
        if order.qty > available:
            raise EmulatorRequestError(
                403,
                f"insufficient qty available for order (requested: {plain(order.qty)},"
                f" available: {plain(available)})",
                code=_FORBIDDEN,
            )

    def _work(self, order: EmulatedOrder, *, polled: bool) -> None:
        """Move ``order`` on: a read counts down its polls; then it fills in session."""
        if order.status not in ("accepted", "new"):
            return
        if polled and order.polls_left > 0:
            order.polls_left -= 1
            if order.polls_left > 0:
                order.status = "new"
        in_session = self.market.today == order.session
        if order.polls_left == 0 and in_session:
            self._fill(order)

    def _fill(self, order: EmulatedOrder) -> None:
        share = self.partial_fill if self.partial_fill is not None else Decimal(1)
        quantity = (order.qty * share).quantize(_NANO_SHARE, rounding=ROUND_DOWN)
        if quantity <= 0:
            order.status = "new"
            return
        order.status = "filled" if quantity == order.qty else "partially_filled"
        order.filled_qty, order.filled_at = quantity, self.market.now
        notional = cents(quantity * order.price)
        position = self.positions.setdefault(order.symbol, _Position(Decimal(0), Decimal(0)))
        if order.side == "buy":
            self.cash -= notional
            position.qty, position.cost = position.qty + quantity, position.cost + notional
            return
        self.cash += notional
        remaining = position.qty - quantity
        position.cost = cents(position.cost * remaining / position.qty)
        position.qty = remaining
        if remaining == 0:
            del self.positions[order.symbol]

    def advance(self) -> None:
        """The simulated date moved: day orders past their session end ``canceled``."""
        for order in self.orders.values():
            if order.is_open and order.session < self.market.today:
                order.status, order.canceled_at = "canceled", self.market.now
