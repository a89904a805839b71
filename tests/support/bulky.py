"""Valid events of a chosen size: the bounds let a full TradeExecuted exceed an entry.

Each order and each risk refusal carries a text of 2,000 two-byte characters (``é``),
the most text one may hold, so a few hundred of them make up to about 2.5 MB: past
EventBridge's 1 MiB entry.
"""

from __future__ import annotations

from decimal import Decimal

from alchemiser.events import TradeExecuted, from_envelope
from alchemiser.events.base import MAX_COUNT
from alchemiser.events.models import SHORT_TEXT_CHARS, RiskRefusal
from tests.support import samples


def _refusal(text: str) -> RiskRefusal:
    return RiskRefusal(
        symbol="SPY",
        side="buy",
        limit="max_order_notional",
        action="refused",
        planned_quantity=Decimal(1),
        refused_quantity=Decimal(1),
        value=Decimal(1),
        threshold=Decimal(1),
        reason=text,
    )


def _with(count: int, causation_id: str, char: str) -> TradeExecuted:
    """A TradeExecuted carrying ``count`` texts: orders first, then risk refusals."""
    sample = from_envelope(samples.load("events/trade-executed.json"))
    assert isinstance(sample, TradeExecuted)
    text = char * SHORT_TEXT_CHARS
    order = sample.orders[0].model_copy(update={"error": text})
    orders = min(count, MAX_COUNT)  # a TradeExecuted holds at most two orders a symbol
    fields = {
        "event_id": f"{causation_id}-bulky",
        "causation_id": causation_id,
        "orders": [order] * orders,
        "risk_refusals": [_refusal(text)] * (count - orders),
    }
    return TradeExecuted.model_validate({**sample.model_dump(), **fields})


def _detail_bytes(event: TradeExecuted) -> int:
    return len(event.model_dump_json().encode())


def bulky_trade_executed(
    detail_bytes: int, *, causation_id: str = "evt", char: str = "é"
) -> TradeExecuted:
    """A valid TradeExecuted whose detail is at least ``detail_bytes`` (up to ~2.5 MB).

    ``char`` fills its texts: ``é`` (two bytes in UTF-8, escaped to six in ASCII JSON)
    or an ASCII letter, for events that must also fit an SQS message as ASCII JSON.
    """
    low, high = 0, 1
    while _detail_bytes(_with(high, causation_id, char)) < detail_bytes:
        low, high = high, high * 2
    while low + 1 < high:  # the fewest texts that reach detail_bytes
        middle = (low + high) // 2
        if _detail_bytes(_with(middle, causation_id, char)) >= detail_bytes:
            high = middle
        else:
            low = middle
    return _with(high, causation_id, char)
