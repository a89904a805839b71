"""Valid events of a chosen size: the bounds let a full TradeExecuted exceed an entry.

Each order carries an error of 2,000 two-byte characters (``é``), the most text an
order may hold, so a few dozen orders make tens or hundreds of kilobytes.
"""

from __future__ import annotations

from alchemiser.events import TradeExecuted, from_envelope
from alchemiser.events.models import SHORT_TEXT_CHARS
from tests.support import samples


def _with_orders(count: int, causation_id: str) -> TradeExecuted:
    sample = from_envelope(samples.load("events/trade-executed.json"))
    assert isinstance(sample, TradeExecuted)
    order = sample.orders[0].model_copy(update={"error": "é" * SHORT_TEXT_CHARS})
    fields = {"event_id": f"{causation_id}-bulky", "causation_id": causation_id}
    return TradeExecuted.model_validate(
        {**sample.model_dump(), **fields, "orders": [order] * count}
    )


def _detail_bytes(event: TradeExecuted) -> int:
    return len(event.model_dump_json().encode())


def bulky_trade_executed(detail_bytes: int, *, causation_id: str = "evt") -> TradeExecuted:
    """A valid TradeExecuted whose detail is at least ``detail_bytes`` (up to ~400 KB)."""
    one = _detail_bytes(_with_orders(1, causation_id))
    per_order = _detail_bytes(_with_orders(2, causation_id)) - one
    count = 1 + max(0, -(-(detail_bytes - one) // per_order))
    return _with_orders(count, causation_id)
