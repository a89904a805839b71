"""The trade ledger: every order outcome of a ``TradeExecuted`` and the day's equity.

Idempotent per event: each item's key derives from the event (id, order index, trading
date) and is written with a condition, so a redelivered event writes nothing new. The
equity snapshot of a trading date keeps the newest run's account (a re-run the same day
replaces an older snapshot, never the other way round).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from alchemiser.aws import dynamodb_client
from alchemiser.logging import get_logger
from alchemiser.reports.models import LedgerEntryResult
from alchemiser.reports.store import (
    equity_pk,
    ledger_errors,
    order_pk,
    utc_stamp,
)

if TYPE_CHECKING:
    from decimal import Decimal

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    from alchemiser.events import AccountSnapshot, OrderOutcome, TradeExecuted

__all__ = ["record_trade_ledger_entry"]

Item = dict[str, "AttributeValueTypeDef"]
Snapshot = Literal["written", "kept_existing", "none"]


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: Decimal) -> AttributeValueTypeDef:
    return {"N": format(value, "f")}


def _order_item(event: TradeExecuted, index: int, order: OrderOutcome) -> Item:
    item: Item = {
        "pk": _s(order_pk(event.trading_date)),
        "sk": _s(f"{event.event_id}#{index:04d}"),
        "event_id": _s(event.event_id),
        "correlation_id": _s(event.correlation_id),
        "trading_date": _s(event.trading_date.isoformat()),
        "environment": _s(event.configuration.environment),
        "trading_mode": _s(event.configuration.trading_mode),
        "dry_run": {"BOOL": event.configuration.dry_run},
        "symbol": _s(order.symbol),
        "side": _s(order.side),
        "quantity": _n(order.quantity),
        "status": _s(order.status),
        "client_order_id": _s(order.client_order_id),
        "filled_quantity": _n(order.filled_quantity),
        "executed_at": _s(utc_stamp(event.timestamp)),
    }
    if order.broker_order_id:
        item["broker_order_id"] = _s(order.broker_order_id)
    if order.average_price is not None:
        item["average_price"] = _n(order.average_price)
    if order.error:
        item["error"] = _s(order.error)
    return item


def _equity_item(event: TradeExecuted, account: AccountSnapshot) -> Item:
    return {
        "pk": _s(equity_pk(event.configuration.trading_mode)),
        "sk": _s(event.trading_date.isoformat()),
        "equity": _n(account.equity),
        "cash": _n(account.cash),
        "buying_power": _n(account.buying_power),
        "positions": {"M": {symbol: _n(qty) for symbol, qty in account.positions.items()}},
        "event_id": _s(event.event_id),
        "correlation_id": _s(event.correlation_id),
        "event_timestamp": _s(utc_stamp(event.timestamp)),
    }


def _put(
    client: DynamoDBClient, table_name: str, item: Item, *, condition: str, values: Item | None
) -> bool:
    """Put ``item`` under ``condition``; False when the condition kept an existing item."""
    try:
        if values:
            client.put_item(
                TableName=table_name,
                Item=item,
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        else:
            client.put_item(TableName=table_name, Item=item, ConditionExpression=condition)
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def record_trade_ledger_entry(
    event: TradeExecuted, *, table_name: str, client: DynamoDBClient | None = None
) -> LedgerEntryResult:
    """Record ``event``'s order outcomes and the account after it, exactly once.

    Raises:
        LedgerUnavailableError: the table throttled or failed transiently (retry).
        ConfigError: the table does not exist.
    """
    client = client or dynamodb_client()
    recorded = 0
    with ledger_errors(table_name):
        for index, order in enumerate(event.orders):
            item = _order_item(event, index, order)
            recorded += _put(
                client, table_name, item, condition="attribute_not_exists(pk)", values=None
            )
        snapshot: Snapshot = "none"
        if event.account_after is not None:
            written = _put(
                client,
                table_name,
                _equity_item(event, event.account_after),
                condition="attribute_not_exists(pk) OR event_timestamp < :ts",
                values={":ts": _s(utc_stamp(event.timestamp))},
            )
            snapshot = "written" if written else "kept_existing"
    result = LedgerEntryResult(
        event_id=event.event_id,
        orders_recorded=recorded,
        orders_already_recorded=len(event.orders) - recorded,
        equity_snapshot=snapshot,
    )
    get_logger(__name__).info(
        "trade_ledger_recorded",
        **result.model_dump(mode="json"),
        trading_date=event.trading_date.isoformat(),
    )
    return result
