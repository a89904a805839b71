"""The embedded paper broker: account, positions and orders in the PaperBrokerTable.

A market order fills at the latest close before the trading date, moved by the
slippage against the trader (buys pay more, sells receive less). Placing it is one
``TransactWriteItems`` (``paper_items``): put the order (only if its client order id is
new), move the cash (a buy only if there is enough) and the position (a sell only if
it is held). A duplicate client order id cancels the transaction and returns the order
already there, so no id ever fills twice, however many retries or racing duplicates
arrive. An order refused for cash or position is stored as ``rejected`` under its id,
so a retry gets the same answer. A transaction cancelled by a conflicting write is a
``BrokerApiError``: the step is retried whole, with the same client order ids. Only
GetItem, PutItem, UpdateItem and Query are used (each transaction item needs the
permission of its kind).

The account opens itself on first use when the broker is given ``starting_cash`` (the
strategy config's ``paper_broker.starting_cash``): the first read that finds no account
puts one with a conditional PutItem, so of two first runs racing, one opens it (and logs
``paper_account_opened``, once) and the other reads the winner's account.

``reset_account`` is the operator's ``paper reset``: see its docstring for what it keeps.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import TypeAdapter, ValidationError

from alchemiser.aws import aws_errors, dynamodb_client, error_code, translate_aws_errors
from alchemiser.container import container_cache
from alchemiser.errors import (
    BrokerApiError,
    MarketDataError,
    MarketDataUnavailableError,
    OrderRejectedError,
    PaperAccountNotFoundError,
    PaperAccountResetError,
)
from alchemiser.events.base import PositiveQuantity, Price
from alchemiser.events.models import SHORT_TEXT_CHARS, AccountSnapshot, OrderOutcome
from alchemiser.logging import get_logger
from alchemiser.trading.paper_items import (
    PaperItems,
    from_item,
    order_from_item,
    to_item,
    utc_now,
)
from alchemiser.trading.strategy_config import PaperCash

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.trading.bars import MarketData
    from alchemiser.trading.paper_items import Item

__all__ = ["PaperAccountReset", "PaperBroker", "checked_cash", "reset_account"]

Side = Literal["buy", "sell"]
_CENT = Decimal("0.01")
_PRICE_QUANTUM = Decimal("0.0001")
_BPS = Decimal(10_000)
_CONDITION_FAILED = "ConditionalCheckFailed"
#: The events' bounds: an order's size, and a close the fill arithmetic can price.
_QUANTITY: TypeAdapter[Decimal] = TypeAdapter(PositiveQuantity)
_CLOSE: TypeAdapter[Decimal] = TypeAdapter(Price)

_log = get_logger(__name__)


def _errors(what: str) -> Any:  # noqa: ANN401 - a context manager
    return translate_aws_errors(f"paper broker: {what}", transient=BrokerApiError)


def _check_quantity(symbol: str, quantity: Decimal) -> None:
    try:
        _QUANTITY.validate_python(quantity)
    except ValidationError as exc:
        reason = exc.errors(include_url=False, include_input=False)[0]["msg"]
        raise OrderRejectedError(f"{symbol}: quantity {quantity:.6g}: {reason}") from exc


class PaperBroker:
    """A ``TradingBroker`` on DynamoDB for one account and one trading date.

    With ``starting_cash`` the account opens itself on first use (module docstring);
    without it, an account that was never opened is a ``PaperAccountNotFoundError``.
    """

    def __init__(
        self,
        table_name: str,
        *,
        market_data: MarketData,
        as_of: date,
        slippage_bps: Decimal,
        starting_cash: Decimal | None = None,
        account_id: str = "paper",
        client: DynamoDBClient | None = None,
    ) -> None:
        self.table_name = table_name
        self.market_data = market_data
        self.as_of = as_of
        self.slippage = Decimal(slippage_bps) / _BPS
        self.starting_cash = None if starting_cash is None else checked_cash(starting_cash)
        self.account_id = account_id
        self._client = client
        self.items = PaperItems(table_name, account_id)

    @property
    def client(self) -> DynamoDBClient:
        """The injected client, or the container's."""
        return self._client or dynamodb_client()

    # --- account ---------------------------------------------------------------------

    def open_account(self, cash: Decimal) -> bool:
        """Create the account with ``cash`` unless it exists; True if it was created now.

        Raises:
            PaperAccountResetError: ``cash`` is out of bounds (see ``checked_cash``).
        """
        cash = checked_cash(cash)
        account = {"cash": cash, "starting_cash": cash, "opened_at": utc_now()}
        try:
            with _errors("opening the account"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item={**self.items.account_key, **to_item(account)},
                    ConditionExpression="attribute_not_exists(pk)",
                )
        except aws_errors() as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        _log.info("paper_account_opened", account_id=self.account_id, cash=cash)
        return True

    def get_account(self) -> AccountSnapshot:
        """Cash, and positions valued at the latest close before the trading date.

        Raises:
            PaperAccountNotFoundError: the account was never opened (and the broker has
                no ``starting_cash`` to open it with).
        """
        items = self._account_items()
        if self.starting_cash is not None and not _has_account(items):
            self.open_account(self.starting_cash)  # a racing first run may win: read again
            items = self._account_items()
        account = next((i for i in items if i["sk"] == "ACCOUNT"), None)
        if account is None:
            raise PaperAccountNotFoundError(
                f"paper account {self.account_id!r} is not open in {self.table_name}"
            )
        cash: Decimal = account["cash"]
        positions: dict[str, Decimal] = {
            i["symbol"]: i["quantity"]
            for i in items
            if i["sk"].startswith("POSITION#") and i["quantity"] > 0
        }
        prices = self._closes(sorted(positions))
        value = sum((qty * prices[symbol] for symbol, qty in positions.items()), Decimal(0))
        equity = (cash + value).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        return AccountSnapshot(
            equity=equity, cash=cash, buying_power=cash, positions=dict(sorted(positions.items()))
        )

    def _account_items(self) -> list[dict[str, Any]]:
        return [from_item(item) for item in _query_partition(self.client, self.items)]

    def _closes(self, symbols: list[str]) -> dict[str, Decimal]:
        if not symbols:
            return {}
        bars = self.market_data.daily_bars(symbols, 1, as_of=self.as_of)
        return {symbol: window[-1].close for symbol, window in bars.items()}

    # --- orders ----------------------------------------------------------------------

    def get_order(self, client_order_id: str) -> OrderOutcome | None:
        """The order stored under ``client_order_id``, or None."""
        with _errors("reading an order"):
            item = self.client.get_item(
                TableName=self.table_name,
                Key=self.items.order_key(client_order_id),
                ConsistentRead=True,
            ).get("Item")
        return order_from_item(item) if item else None

    def submit_market_order(
        self, *, symbol: str, side: Side, quantity: Decimal, client_order_id: str
    ) -> OrderOutcome:
        """Fill a market order now, or return the order already stored under its id.

        Raises:
            OrderRejectedError: ``quantity`` is not an order's size (zero, negative, beyond
                the events' bounds); nothing is stored.
            PaperAccountNotFoundError: the account was never opened.
            BrokerApiError: DynamoDB failed in a way a retry can fix.
        """
        _check_quantity(symbol, quantity)
        existing = self.get_order(client_order_id)
        if existing is not None:
            return existing
        order = {
            "symbol": symbol,
            "side": side,
            "quantity": quantity,
            "broker_order_id": f"paper-{uuid.uuid4()}",
            "trading_date": self.as_of.isoformat(),
            "created_at": utc_now(),
        }
        try:
            close = _CLOSE.validate_python(self._closes([symbol])[symbol])
        except MarketDataUnavailableError:
            raise
        except (MarketDataError, ValidationError) as exc:
            reason = f"no price for {symbol}: {exc}"[:SHORT_TEXT_CHARS]
            return self._reject(client_order_id, order, reason)
        factor = 1 + self.slippage if side == "buy" else 1 - self.slippage
        price = (close * factor).quantize(_PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
        notional = (quantity * price).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        filled = {**order, "status": "filled", "filled_quantity": quantity, "average_price": price}
        return self._fill(
            self.items.order_item(client_order_id, filled), side=side, notional=notional
        )

    def _fill(self, order: Item, *, side: Side, notional: Decimal) -> OrderOutcome:
        items = self.items.fill_transaction(order, side=side, notional=notional)
        try:
            with _errors("placing an order"):
                self.client.transact_write_items(TransactItems=items)
        except aws_errors() as exc:
            reasons = [
                r.get("Code") for r in getattr(exc, "response", {}).get("CancellationReasons", [])
            ]
            if error_code(exc) != "TransactionCanceledException" or len(reasons) != len(items):
                raise
            return self._cancelled(order, side=side, notional=notional, reasons=reasons)
        outcome = order_from_item(order)
        _log.info(
            "paper_order_filled",
            symbol=outcome.symbol,
            side=side,
            quantity=outcome.quantity,
            price=outcome.average_price,
            client_order_id=outcome.client_order_id,
        )
        return outcome

    def _cancelled(
        self, order: Item, *, side: Side, notional: Decimal, reasons: list[str | None]
    ) -> OrderOutcome:
        values = from_item(order)
        client_order_id = values.pop("sk")
        del values["pk"]
        order_reason, cash_reason, position_reason = reasons
        if order_reason == _CONDITION_FAILED:
            existing = self.get_order(client_order_id)
            if existing is not None:
                return existing
        if cash_reason == _CONDITION_FAILED and not _has_account(self._account_items()):
            self.get_account()  # opens the account on first use, or raises that it is not
            return self._fill(order, side=side, notional=notional)
        if cash_reason == _CONDITION_FAILED and side == "buy":
            account = self.get_account()
            reason = f"insufficient cash: needs {notional}, has {account.cash}"
            return self._reject(client_order_id, values, reason)
        if position_reason == _CONDITION_FAILED:
            reason = f"insufficient position: selling {values['quantity']} {values['symbol']}"
            return self._reject(client_order_id, values, reason)
        raise BrokerApiError(f"paper broker: transaction cancelled: {reasons}")

    def _reject(self, client_order_id: str, order: dict[str, Any], reason: str) -> OrderOutcome:
        rejected = self.items.order_item(
            client_order_id,
            {**order, "status": "rejected", "filled_quantity": Decimal(0), "error": reason},
        )
        try:
            with _errors("recording a rejection"):
                self.client.put_item(
                    TableName=self.table_name,
                    Item=rejected,
                    ConditionExpression="attribute_not_exists(sk)",
                )
        except aws_errors() as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                existing = self.get_order(client_order_id)
                if existing is not None:
                    return existing
            raise
        _log.warning("paper_order_rejected", client_order_id=client_order_id, reason=reason)
        return order_from_item(rejected)


def _has_account(items: list[dict[str, Any]]) -> bool:
    return any(item["sk"] == "ACCOUNT" for item in items)


def _query_partition(client: DynamoDBClient, items: PaperItems) -> Iterator[Item]:
    """Every item of the account's partition (the account and its positions), consistently."""
    pages = client.get_paginator("query").paginate(
        TableName=items.table_name,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues=to_item({":pk": items.partition}),
        ConsistentRead=True,
    )
    with _errors("reading the account"):
        yield from (item for page in pages for item in page.get("Items", []))


# --- the operator's reset ---------------------------------------------------------------

#: One TransactWriteItems holds at most 100 items: the account and 99 open positions.
_MAX_RESET_POSITIONS = 99
_MAX_OPERATOR = 128


@container_cache
def _cash_adapter() -> TypeAdapter[Decimal]:
    return TypeAdapter(PaperCash)


def checked_cash(cash: Decimal) -> Decimal:
    """``cash`` in cents if it is a valid paper balance (``PaperCash``), else an error.

    One rule (0 < cash < 1e12, at most 2 decimals) for opening and for a reset.

    Raises:
        PaperAccountResetError: naming the field ``cash``.
    """
    try:
        valid = _cash_adapter().validate_python(cash)
    except ValidationError as exc:
        raise PaperAccountResetError.from_validation(exc, prefix="cash") from None
    return valid.quantize(_CENT)


def _open_state(
    client: DynamoDBClient, items: PaperItems
) -> tuple[Decimal | None, dict[str, Decimal]]:
    """The account's cash (None: never opened) and its open positions, as a reset sees them.

    Raises:
        PaperAccountResetError: more positions are open than one transaction can close.
    """
    stored = [from_item(item) for item in _query_partition(client, items)]
    cash = next((i["cash"] for i in stored if i["sk"] == "ACCOUNT"), None)
    positions = {
        i["symbol"]: i["quantity"]
        for i in stored
        if i["sk"].startswith("POSITION#") and i["quantity"] != 0
    }
    if len(positions) > _MAX_RESET_POSITIONS:
        raise PaperAccountResetError(
            f"{len(positions)} open positions; one reset closes at most {_MAX_RESET_POSITIONS}",
            field="positions",
        )
    return cash, positions


@dataclass(frozen=True, slots=True)
class PaperAccountReset:
    """What a reset did: the account's new cash and the positions it closed."""

    account_id: str
    cash: Decimal
    closed_positions: dict[str, Decimal]


def reset_account(
    table_name: str,
    cash: Decimal,
    *,
    by: str,
    account_id: str = "paper",
    client: DynamoDBClient | None = None,
) -> PaperAccountReset:
    """The operator's ``paper reset``: the account holds ``cash`` and nothing else.

    Sets ``cash`` and ``starting_cash`` to ``cash``, records ``reset_at``/``reset_by``
    (``opened_at`` stays), and sets every open position to 0 (the layout's "sold out"),
    in ONE transaction: a reader sees the account before or after, never half reset.
    An account that was never opened is opened with ``cash``.

    Orders stay: they are the history, and they are what makes a client order id fill
    at most once. Every client order id derives from the event that planned it, so an
    old event delivered again (a late retry, an archive replay) finds its orders and
    gets their stored outcomes; deleting them would let it fill again in the new account.

    The transaction is conditional on the account's cash being what was read: an order
    filling meanwhile cancels it (``BrokerApiError``: run the reset again). Running it
    twice leaves the same account (idempotent).

    Args:
        table_name: the stack's PaperBrokerTable.
        cash: the new balance (see ``checked_cash``).
        by: who asked (the operator's identity, for the record and the log).
        account_id: the paper account (``"paper"``, the only one the stack uses).
        client: a DynamoDB client (default: the container's).

    Raises:
        PaperAccountResetError: ``cash`` or ``by`` is invalid, or more positions are open
            than one transaction can close.
        BrokerApiError: DynamoDB failed transiently or the account changed meanwhile.
    """
    cash = checked_cash(cash)
    if not 0 < len(by) <= _MAX_OPERATOR:
        raise PaperAccountResetError(f"must be 1 to {_MAX_OPERATOR} characters", field="by")
    ddb = client or dynamodb_client()
    items = PaperItems(table_name, account_id)
    seen_cash, open_positions = _open_state(ddb, items)
    transaction = items.reset_transaction(
        cash=cash, seen_cash=seen_cash, positions=open_positions, by=by, at=utc_now()
    )
    try:
        with _errors("resetting the account"):
            ddb.transact_write_items(TransactItems=transaction)
    except aws_errors() as exc:
        if error_code(exc) == "TransactionCanceledException":
            raise BrokerApiError(
                f"paper broker: account {account_id!r} changed during the reset; run it again"
            ) from exc
        raise
    _log.warning(
        "paper_account_reset",
        account_id=account_id,
        cash=cash,
        by=by,
        closed_positions=open_positions,
    )
    return PaperAccountReset(account_id=account_id, cash=cash, closed_positions=open_positions)
