"""The embedded paper broker: account, positions and orders in the PaperBrokerTable.

A market order fills at the latest close before the trading date, moved by the
slippage against the trader (buys pay more, sells receive less). Placing it is one
``TransactWriteItems`` (``paper_items``): put the order (only if its client order id is
new), move the cash (a buy only if there is enough) and the position (a sell only if
it is held). A duplicate client order id cancels the transaction and returns the order
already there, so no id ever fills twice, however many retries or racing duplicates
arrive. An order refused for cash or position is stored as ``rejected`` under its id,
so a retry gets the same answer. Only GetItem, PutItem, UpdateItem and Query are used
(each transaction item needs the permission of its kind).
"""

from __future__ import annotations

import time
import uuid
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Literal

from alchemiser.aws import aws_errors, dynamodb_client, error_code
from alchemiser.errors import (
    BrokerApiError,
    MarketDataError,
    MarketDataUnavailableError,
    PaperAccountNotFoundError,
)
from alchemiser.events.models import AccountSnapshot, OrderOutcome
from alchemiser.logging import get_logger
from alchemiser.trading.paper_items import PaperItems, num, order_from_item, text, utc_now

if TYPE_CHECKING:
    from datetime import date

    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.trading.bars import MarketData

__all__ = ["PaperBroker"]

Side = Literal["buy", "sell"]
_CENT = Decimal("0.01")
_PRICE_QUANTUM = Decimal("0.0001")
_BPS = Decimal(10_000)
#: Attempts when racing transactions on the same items conflict (DynamoDB cancels them).
_CONFLICT_ATTEMPTS = 4
_CONFLICT_BACKOFF_SECONDS = 0.05

_log = get_logger(__name__)


class PaperBroker:
    """A ``TradingBroker`` on DynamoDB for one account and one trading date."""

    def __init__(
        self,
        table_name: str,
        *,
        market_data: MarketData,
        as_of: date,
        slippage_bps: Decimal,
        account_id: str = "paper",
        client: DynamoDBClient | None = None,
    ) -> None:
        self.table_name = table_name
        self.market_data = market_data
        self.as_of = as_of
        self.slippage = Decimal(slippage_bps) / _BPS
        self.account_id = account_id
        self._client = client
        self.items = PaperItems(table_name, account_id)

    @property
    def client(self) -> DynamoDBClient:
        """The injected client, or the container's."""
        return self._client or dynamodb_client()

    # --- account ---------------------------------------------------------------------

    def open_account(self, cash: Decimal) -> bool:
        """Create the account with ``cash`` unless it exists; True if it was created now."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **self.items.account_key,
                    "cash": num(cash),
                    "starting_cash": num(cash),
                    "opened_at": text(utc_now()),
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except aws_errors() as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                return False
            raise BrokerApiError(f"paper broker: opening the account failed: {exc}") from exc
        _log.info("paper_account_opened", account_id=self.account_id, cash=cash)
        return True

    def get_account(self) -> AccountSnapshot:
        """Cash, and positions valued at the latest close before the trading date.

        Raises:
            PaperAccountNotFoundError: the account was never opened.
        """
        items = self._query_account()
        account = next((i for i in items if i["sk"]["S"] == "ACCOUNT"), None)
        if account is None:
            raise PaperAccountNotFoundError(
                f"paper account {self.account_id!r} is not open in {self.table_name}"
            )
        cash = Decimal(account["cash"]["N"])
        positions = {
            i["symbol"]["S"]: Decimal(i["quantity"]["N"])
            for i in items
            if i["sk"]["S"].startswith("POSITION#") and Decimal(i["quantity"]["N"]) > 0
        }
        prices = self._closes(sorted(positions))
        value = sum((qty * prices[symbol] for symbol, qty in positions.items()), Decimal(0))
        equity = (cash + value).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        return AccountSnapshot(
            equity=equity, cash=cash, buying_power=cash, positions=dict(sorted(positions.items()))
        )

    def _query_account(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": text(self.items.partition)},
            "ConsistentRead": True,
        }
        try:
            while True:
                page = self.client.query(**request)
                items.extend(page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    return items
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except aws_errors() as exc:
            raise BrokerApiError(f"paper broker: reading the account failed: {exc}") from exc

    def _closes(self, symbols: list[str]) -> dict[str, Decimal]:
        if not symbols:
            return {}
        bars = self.market_data.daily_bars(symbols, 1, as_of=self.as_of)
        return {symbol: window[-1].close for symbol, window in bars.items()}

    # --- orders ----------------------------------------------------------------------

    def get_order(self, client_order_id: str) -> OrderOutcome | None:
        """The order stored under ``client_order_id``, or None."""
        try:
            item = self.client.get_item(
                TableName=self.table_name,
                Key=self.items.order_key(client_order_id),
                ConsistentRead=True,
            ).get("Item")
        except aws_errors() as exc:
            raise BrokerApiError(f"paper broker: reading an order failed: {exc}") from exc
        return order_from_item(item) if item else None

    def submit_market_order(
        self, *, symbol: str, side: Side, quantity: Decimal, client_order_id: str
    ) -> OrderOutcome:
        """Fill a market order now, or return the order already stored under its id.

        Raises:
            PaperAccountNotFoundError: the account was never opened.
            BrokerApiError: DynamoDB failed in a way a retry can fix.
        """
        if quantity <= 0:
            raise ValueError(f"{symbol}: quantity must be positive, got {quantity}")
        existing = self.get_order(client_order_id)
        if existing is not None:
            return existing
        order = {
            **self.items.order_key(client_order_id),
            "symbol": text(symbol),
            "side": text(side),
            "quantity": num(quantity),
            "broker_order_id": text(f"paper-{uuid.uuid4()}"),
            "trading_date": text(self.as_of.isoformat()),
            "created_at": text(utc_now()),
        }
        try:
            close = self._closes([symbol])[symbol]
        except MarketDataUnavailableError:
            raise
        except MarketDataError as exc:
            return self._reject(order, f"no price for {symbol}: {exc}")
        factor = 1 + self.slippage if side == "buy" else 1 - self.slippage
        price = (close * factor).quantize(_PRICE_QUANTUM, rounding=ROUND_HALF_EVEN)
        notional = (quantity * price).quantize(_CENT, rounding=ROUND_HALF_EVEN)
        filled = {
            **order,
            "status": text("filled"),
            "filled_quantity": num(quantity),
            "average_price": num(price),
        }
        return self._fill(filled, side=side, notional=notional)

    def _fill(self, order: dict[str, Any], *, side: Side, notional: Decimal) -> OrderOutcome:
        items = self.items.fill_transaction(order, side=side, notional=notional)
        for attempt in range(1, _CONFLICT_ATTEMPTS + 1):
            try:
                self.client.transact_write_items(TransactItems=items)
            except aws_errors() as exc:
                reasons = [
                    r.get("Code")
                    for r in getattr(exc, "response", {}).get("CancellationReasons", [])
                ]
                if error_code(exc) != "TransactionCanceledException" or len(reasons) != 3:
                    raise BrokerApiError(f"paper broker: placing an order failed: {exc}") from exc
                if "TransactionConflict" in reasons and attempt < _CONFLICT_ATTEMPTS:
                    time.sleep(_CONFLICT_BACKOFF_SECONDS * attempt)
                    continue
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
        raise BrokerApiError("paper broker: placing an order kept conflicting")  # unreachable

    def _cancelled(
        self, order: dict[str, Any], *, side: Side, notional: Decimal, reasons: list[str | None]
    ) -> OrderOutcome:
        failed = "ConditionalCheckFailed"
        order_reason, cash_reason, position_reason = reasons
        if order_reason == failed:
            existing = self.get_order(order["sk"]["S"])
            if existing is not None:
                return existing
        if cash_reason == failed:
            account = self.get_account()  # raises if the account was never opened
            if side == "buy":
                return self._reject(
                    order, f"insufficient cash: needs {notional}, has {account.cash}"
                )
        if position_reason == failed:
            symbol, quantity = order["symbol"]["S"], order["quantity"]["N"]
            return self._reject(order, f"insufficient position: selling {quantity} {symbol}")
        raise BrokerApiError(f"paper broker: transaction cancelled: {reasons}")

    def _reject(self, order: dict[str, Any], reason: str) -> OrderOutcome:
        rejected = {
            **order,
            "status": text("rejected"),
            "filled_quantity": num(Decimal(0)),
            "error": text(reason),
        }
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=rejected,
                ConditionExpression="attribute_not_exists(sk)",
            )
        except aws_errors() as exc:
            if error_code(exc) == "ConditionalCheckFailedException":
                existing = self.get_order(order["sk"]["S"])
                if existing is not None:
                    return existing
            raise BrokerApiError(f"paper broker: recording a rejection failed: {exc}") from exc
        _log.warning("paper_order_rejected", client_order_id=order["sk"]["S"], reason=reason)
        return order_from_item(rejected)
