"""The PaperBrokerTable's items for one account: keys, attribute codecs, the fill transaction.

Item layout (``pk``, ``sk``):

- ``ACCOUNT#<id>`` / ``ACCOUNT``: ``cash``, ``starting_cash``, ``opened_at``;
- ``ACCOUNT#<id>`` / ``POSITION#<symbol>``: ``symbol``, ``quantity`` (0 once sold out);
- ``ORDER#<id>`` / ``<client order id>``: the order and its outcome.

The account and its positions share a partition, so one consistent Query reads them
all; orders live in their own partition, so that Query never grows with history.
Numbers are DynamoDB ``N`` strings, exact Decimals both ways.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from alchemiser.events.models import OrderOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

__all__ = ["PaperItems", "num", "order_from_item", "text", "utc_now"]

Item = dict[str, Any]


def num(value: Decimal) -> dict[str, str]:
    """A DynamoDB number attribute."""
    return {"N": str(value)}


def text(value: str) -> dict[str, str]:
    """A DynamoDB string attribute."""
    return {"S": value}


def utc_now() -> str:
    """Now, as an ISO 8601 UTC timestamp."""
    return datetime.now(UTC).isoformat()


def order_from_item(item: Item) -> OrderOutcome:
    """The stored order as the workflow reports it."""
    price = item.get("average_price", {}).get("N")
    return OrderOutcome(
        symbol=item["symbol"]["S"],
        side=item["side"]["S"],
        quantity=Decimal(item["quantity"]["N"]),
        client_order_id=item["sk"]["S"],
        status=item["status"]["S"],
        broker_order_id=item["broker_order_id"]["S"],
        filled_quantity=Decimal(item["filled_quantity"]["N"]),
        average_price=Decimal(price) if price is not None else None,
        error=item.get("error", {}).get("S"),
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
        return {"pk": text(self.partition), "sk": text("ACCOUNT")}

    def position_key(self, symbol: str) -> Item:
        """A position item's key."""
        return {"pk": text(self.partition), "sk": text(f"POSITION#{symbol}")}

    def order_key(self, client_order_id: str) -> Item:
        """An order item's key."""
        return {"pk": text(self.orders_partition), "sk": text(client_order_id)}

    def fill_transaction(
        self, order: Item, *, side: Literal["buy", "sell"], notional: Decimal
    ) -> list[TransactWriteItemTypeDef]:
        """Put the order if its id is new; move cash and position, each only if possible.

        The items are in a fixed order (order, cash, position): cancellation reasons
        come back in the same order and say which condition failed.
        """
        symbol, quantity = order["symbol"]["S"], Decimal(order["quantity"]["N"])
        cash: Item = {
            "TableName": self.table_name,
            "Key": self.account_key,
            "UpdateExpression": "SET cash = cash + :delta",
            "ExpressionAttributeValues": {":delta": num(notional if side == "sell" else -notional)},
            "ConditionExpression": "attribute_exists(cash)",
        }
        position: Item = {
            "TableName": self.table_name,
            "Key": self.position_key(symbol),
            "UpdateExpression": "SET symbol = :symbol ADD quantity :delta",
            "ExpressionAttributeValues": {
                ":symbol": text(symbol),
                ":delta": num(quantity if side == "buy" else -quantity),
            },
        }
        if side == "buy":
            cash["ConditionExpression"] = "cash >= :needed"
            cash["ExpressionAttributeValues"][":needed"] = num(notional)
        else:
            position["ConditionExpression"] = "quantity >= :needed"
            position["ExpressionAttributeValues"][":needed"] = num(quantity)
        put = {
            "TableName": self.table_name,
            "Item": order,
            "ConditionExpression": "attribute_not_exists(sk)",
        }
        return [{"Put": put}, {"Update": cash}, {"Update": position}]  # type: ignore[typeddict-item]
