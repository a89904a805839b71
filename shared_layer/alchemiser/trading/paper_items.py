"""The PaperBrokerTable's items for one account: keys, the codec, the fill transaction.

Item layout (``pk``, ``sk``):

- ``ACCOUNT#<id>`` / ``ACCOUNT``: ``cash``, ``starting_cash``, ``opened_at``; after an
  operator's reset also ``reset_at`` and ``reset_by``;
- ``ACCOUNT#<id>`` / ``POSITION#<symbol>``: ``symbol``, ``quantity`` (0 once sold out);
- ``ORDER#<id>`` / ``<client order id>``: the order and its outcome.

The account and its positions share a partition, so one consistent Query reads them
all; orders live in their own partition, so that Query never grows with history.
Values are plain Python (Decimal numbers) on this side and DynamoDB attribute values on
the wire, converted by boto3's ``TypeSerializer``/``TypeDeserializer`` (exact Decimals
both ways; a number DynamoDB cannot hold exactly is refused before any write).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from alchemiser.container import container_cache
from alchemiser.events.models import OrderOutcome

if TYPE_CHECKING:
    from collections.abc import Mapping
    from decimal import Decimal

    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

__all__ = ["Item", "PaperItems", "from_item", "order_from_item", "to_item", "utc_now"]

#: An item as DynamoDB's low-level API carries it (attribute values).
Item = dict[str, Any]


@container_cache
def _codec() -> tuple[TypeSerializer, TypeDeserializer]:
    # boto3 on first use: importing the paper broker must stay free of the AWS SDK.
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer  # noqa: PLC0415

    return TypeSerializer(), TypeDeserializer()


def to_item(values: Mapping[str, Any]) -> Item:
    """Python values (str, Decimal, bool, maps) as DynamoDB attribute values."""
    serializer, _ = _codec()
    return {name: serializer.serialize(value) for name, value in values.items()}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values as Python values (numbers as Decimal)."""
    _, deserializer = _codec()
    return {name: deserializer.deserialize(value) for name, value in item.items()}


def utc_now() -> str:
    """Now, as an ISO 8601 UTC timestamp."""
    return datetime.now(UTC).isoformat()


def order_from_item(item: Mapping[str, Any]) -> OrderOutcome:
    """A stored order (attribute values) as the workflow reports it."""
    order = from_item(item)
    return OrderOutcome(
        symbol=order["symbol"],
        side=order["side"],
        quantity=order["quantity"],
        client_order_id=order["sk"],
        status=order["status"],
        broker_order_id=order["broker_order_id"],
        filled_quantity=order["filled_quantity"],
        average_price=order.get("average_price"),
        error=order.get("error"),
    )


class PaperItems:
    """Keys and writes of one paper account in one table."""

    def __init__(self, table_name: str, account_id: str) -> None:
        self.table_name = table_name
        self.partition = f"ACCOUNT#{account_id}"
        self.orders_partition = f"ORDER#{account_id}"

    @property
    def account_key(self) -> Item:
        """The account item's key."""
        return to_item({"pk": self.partition, "sk": "ACCOUNT"})

    def position_key(self, symbol: str) -> Item:
        """A position item's key."""
        return to_item({"pk": self.partition, "sk": f"POSITION#{symbol}"})

    def order_key(self, client_order_id: str) -> Item:
        """An order item's key."""
        return to_item({"pk": self.orders_partition, "sk": client_order_id})

    def order_item(self, client_order_id: str, values: Mapping[str, Any]) -> Item:
        """The order stored under ``client_order_id`` with ``values``."""
        return {**self.order_key(client_order_id), **to_item(values)}

    def fill_transaction(
        self, order: Item, *, side: Literal["buy", "sell"], notional: Decimal
    ) -> list[TransactWriteItemTypeDef]:
        """Put the order if its id is new; move cash and position, each only if possible.

        The items are in a fixed order (order, cash, position): cancellation reasons
        come back in the same order and say which condition failed.
        """
        values = from_item(order)
        symbol, quantity = values["symbol"], values["quantity"]
        cash: Item = {
            "TableName": self.table_name,
            "Key": self.account_key,
            "UpdateExpression": "SET cash = cash + :delta",
            "ExpressionAttributeValues": to_item(
                {":delta": notional if side == "sell" else -notional}
            ),
            "ConditionExpression": "attribute_exists(cash)",
        }
        position: Item = {
            "TableName": self.table_name,
            "Key": self.position_key(symbol),
            "UpdateExpression": "SET symbol = :symbol ADD quantity :delta",
            "ExpressionAttributeValues": to_item(
                {":symbol": symbol, ":delta": quantity if side == "buy" else -quantity}
            ),
        }
        if side == "buy":
            cash["ConditionExpression"] = "cash >= :needed"
            cash["ExpressionAttributeValues"] |= to_item({":needed": notional})
        else:
            position["ConditionExpression"] = "quantity >= :needed"
            position["ExpressionAttributeValues"] |= to_item({":needed": quantity})
        put = {
            "TableName": self.table_name,
            "Item": order,
            "ConditionExpression": "attribute_not_exists(sk)",
        }
        return [{"Put": put}, {"Update": cash}, {"Update": position}]  # type: ignore[typeddict-item]

    def reset_transaction(
        self,
        *,
        cash: Decimal,
        seen_cash: Decimal | None,
        positions: Mapping[str, Decimal],
        by: str,
        at: str,
    ) -> list[TransactWriteItemTypeDef]:
        """Set the account's cash and close ``positions``, if the account is as it was read.

        ``seen_cash`` is the cash read before (None: there was no account); any fill since
        changed it and cancels the transaction. ``opened_at`` is kept, or set now.
        """
        condition = "attribute_not_exists(pk)" if seen_cash is None else "cash = :seen"
        values: dict[str, Any] = {":cash": cash, ":by": by, ":at": at}
        if seen_cash is not None:
            values[":seen"] = seen_cash
        account: Item = {
            "TableName": self.table_name,
            "Key": self.account_key,
            "UpdateExpression": (
                "SET cash = :cash, starting_cash = :cash, reset_at = :at, reset_by = :by,"
                " opened_at = if_not_exists(opened_at, :at)"
            ),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": to_item(values),
        }
        closes: list[Item] = [
            {
                "TableName": self.table_name,
                "Key": self.position_key(symbol),
                "UpdateExpression": "SET quantity = :zero",
                "ConditionExpression": "quantity = :held",
                "ExpressionAttributeValues": to_item({":zero": 0, ":held": held}),
            }
            for symbol, held in sorted(positions.items())
        ]
        return [{"Update": update} for update in (account, *closes)]  # type: ignore[typeddict-item]
