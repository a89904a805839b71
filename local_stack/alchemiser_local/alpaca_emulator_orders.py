"""Orders in the Alpaca emulator: the request it accepts and the order entity it returns.

The emulator takes what the adapters send, market day orders by ``qty``, and checks
them as Alpaca documents: ``qty`` in plain decimal notation with at most nine places
(``1E-7`` is refused), a ``client_order_id`` of at most 128 characters. Answers carry
every field of Alpaca's order entity, so an adapter reading more of it keeps working.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from alchemiser_local.alpaca_emulator_market import EmulatorRequestError, rfc3339

if TYPE_CHECKING:
    from datetime import date, datetime

__all__ = ["ASSET_IDS", "INVALID", "EmulatedOrder", "asset_id", "cents", "parse_order", "plain"]

_CENT = Decimal("0.01")
_OPEN = frozenset({"accepted", "new", "partially_filled"})
#: The namespace of the emulator's (stable, uuid5) asset ids.
ASSET_IDS = uuid.UUID("6f1c1a4e-5d1b-4a53-9a51-6b1f3c0e7a10")
#: Alpaca's code for an invalid request (HTTP 422).
INVALID = 40010001
#: Plain decimal notation with at most nine places, as Alpaca documents ``qty``.
_QTY_PATTERN = r"^\d{1,12}(\.\d{1,9})?$"


def asset_id(symbol: str) -> str:
    """The emulator's asset id of ``symbol`` (the same in every run)."""
    return str(uuid.uuid5(ASSET_IDS, symbol))


def plain(value: Decimal) -> str:
    """``value`` as Alpaca writes numbers in strings: plain notation, no trailing zeros."""
    return format(value.normalize(), "f")


def cents(value: Decimal) -> Decimal:
    """Money as the emulator books it: whole cents, half to even."""
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


class _OrderRequest(BaseModel):
    """The ``POST /v2/orders`` body the emulator accepts: market day orders by quantity."""

    model_config = ConfigDict(extra="ignore")

    symbol: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    qty: Annotated[str, StringConstraints(pattern=_QTY_PATTERN)]
    side: Literal["buy", "sell"]
    type: Literal["market"]
    time_in_force: Literal["day"]
    client_order_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] = Field(
        default_factory=lambda: str(uuid.uuid4())
    )


def parse_order(body: object) -> _OrderRequest:
    """The order ``body`` asks for, or the 422 Alpaca answers an invalid one with."""
    try:
        request = _OrderRequest.model_validate(body)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(map(str, error["loc"])) or "body"
        raise EmulatorRequestError(422, f"invalid {where}: {error['msg']}", code=INVALID) from exc
    if Decimal(request.qty) <= 0:
        raise EmulatorRequestError(422, "qty must be > 0", code=INVALID)
    return request


@dataclass
class EmulatedOrder:
    """One order and where it stands."""

    id: str
    client_order_id: str
    symbol: str
    side: Literal["buy", "sell"]
    qty: Decimal
    price: Decimal
    session: date
    created_at: datetime
    polls_left: int
    status: str = "accepted"
    filled_qty: Decimal = Decimal(0)
    filled_at: datetime | None = None
    canceled_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True while the order may still fill."""
        return self.status in _OPEN

    @property
    def remaining(self) -> Decimal:
        """What is left to fill while the order is open."""
        return self.qty - self.filled_qty if self.is_open else Decimal(0)

    def body(self) -> dict[str, Any]:
        """The order as Alpaca's order entity."""
        stamp = rfc3339(self.created_at)
        return {
            "id": self.id,
            "client_order_id": self.client_order_id,
            "created_at": stamp,
            "updated_at": rfc3339(self.canceled_at or self.filled_at or self.created_at),
            "submitted_at": stamp,
            "filled_at": rfc3339(self.filled_at) if self.filled_at else None,
            "expired_at": None,
            "canceled_at": rfc3339(self.canceled_at) if self.canceled_at else None,
            "failed_at": None,
            "replaced_at": None,
            "replaced_by": None,
            "replaces": None,
            "asset_id": asset_id(self.symbol),
            "symbol": self.symbol,
            "asset_class": "us_equity",
            "notional": None,
            "qty": plain(self.qty),
            "filled_qty": plain(self.filled_qty),
            "filled_avg_price": plain(self.price) if self.filled_qty else None,
            "order_class": "",
            "order_type": "market",
            "type": "market",
            "side": self.side,
            "position_intent": "buy_to_open" if self.side == "buy" else "sell_to_close",
            "time_in_force": "day",
            "limit_price": None,
            "stop_price": None,
            "status": self.status,
            "extended_hours": False,
            "legs": None,
            "trail_percent": None,
            "trail_price": None,
            "hwm": None,
            "subtag": None,
            "source": None,
        }
