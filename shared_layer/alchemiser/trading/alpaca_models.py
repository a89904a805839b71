"""The parts of Alpaca's REST responses the adapters read, with bounds.

These models ignore fields they do not name (``extra="ignore"``), unlike the package's
own models: Alpaca adds response fields without notice, and a new field must never stop
trading. Numbers arrive as strings or JSON numbers and become Decimal; NaN, infinities
and absurd magnitudes are refused, as are more items than a page can hold. ``parse``
turns a body that does not fit into a ``BrokerResponseError`` naming the fields, so no
pydantic error leaves an adapter.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from alchemiser.errors import BrokerResponseError
from alchemiser.events.base import MONEY_PLACES, QUANTITY_PLACES, Symbol

__all__ = [
    "AlpacaAccount",
    "AlpacaBar",
    "AlpacaBarsPage",
    "AlpacaClock",
    "AlpacaOrder",
    "AlpacaPosition",
    "AlpacaPositions",
    "AlpacaSession",
    "AlpacaSessions",
    "parse",
]

#: Ten trillion dollars: far beyond any account, short of what breaks arithmetic.
_MONEY_BOUND = Decimal("1e13")
_QUANTITY_BOUND = Decimal("1e12")
#: A page of bars holds at most 10,000 (Alpaca's ``limit`` maximum).
_MAX_BARS = 10_000
#: Alpaca's calendar serves 1970 to 2029: about 15,000 sessions.
_MAX_SESSIONS = 30_000
_MAX_POSITIONS = 10_000
_MAX_ERRORS_NAMED = 5


def _to_places(places: int) -> AfterValidator:
    """Round to ``places`` decimals (half-even): the events' precision of the figure.

    Alpaca may send more decimals than the workflow's events carry (an average fill
    price of a fractional order); an order the broker filled must never fail to be
    reported for its thirteenth decimal, so its figures are rounded where they enter.
    """
    quantum = Decimal(1).scaleb(-places)

    def rounded(value: Decimal) -> Decimal:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -places:
            return value.quantize(quantum, rounding=ROUND_HALF_EVEN)
        return value

    return AfterValidator(rounded)


_MONEY_PLACES = _to_places(MONEY_PLACES)
_QUANTITY_PLACES = _to_places(QUANTITY_PLACES)
Money = Annotated[
    Decimal, Field(allow_inf_nan=False, ge=-_MONEY_BOUND, le=_MONEY_BOUND), _MONEY_PLACES
]
Price = Annotated[Decimal, Field(allow_inf_nan=False, gt=0, le=_MONEY_BOUND), _MONEY_PLACES]
Quantity = Annotated[
    Decimal,
    Field(allow_inf_nan=False, ge=-_QUANTITY_BOUND, le=_QUANTITY_BOUND),
    _QUANTITY_PLACES,
]
Filled = Annotated[Decimal, Field(allow_inf_nan=False, ge=0, le=_QUANTITY_BOUND), _QUANTITY_PLACES]
Text = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AlpacaAccount(_Response):
    """``GET /v2/account``."""

    equity: Money
    cash: Money
    buying_power: Money
    status: Text
    trading_blocked: bool = False


class AlpacaPosition(_Response):
    """One item of ``GET /v2/positions``: any asset class (stocks, options, crypto)."""

    symbol: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    qty: Quantity
    side: Literal["long", "short"] = "long"
    #: ``us_equity``, ``us_option``, ``crypto``, ... (Alpaca adds classes over time).
    asset_class: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class AlpacaPositions(_Response):
    """``GET /v2/positions``: a JSON array (wrapped by ``parse``)."""

    items: Annotated[list[AlpacaPosition], Field(max_length=_MAX_POSITIONS)]


class AlpacaOrder(_Response):
    """``POST /v2/orders``, ``GET /v2/orders:by_client_order_id``: orders the workflow placed."""

    id: Text
    client_order_id: Text
    symbol: Symbol
    side: Literal["buy", "sell"]
    qty: Filled | None = None
    filled_qty: Filled = Decimal(0)
    filled_avg_price: (
        Annotated[Decimal, Field(allow_inf_nan=False, ge=0, le=_MONEY_BOUND), _MONEY_PLACES] | None
    ) = None
    status: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    replaced_by: Text | None = None


class AlpacaClock(_Response):
    """``GET /v2/clock``."""

    timestamp: AwareDatetime
    is_open: bool
    next_open: AwareDatetime
    next_close: AwareDatetime


class AlpacaBar(_Response):
    """One daily bar of ``GET /v2/stocks/bars`` (``t`` is midnight New York, in UTC)."""

    t: AwareDatetime
    o: Price
    h: Price
    l: Price  # noqa: E741 - Alpaca's field name
    c: Price
    v: Annotated[Decimal, Field(allow_inf_nan=False, ge=0, le=_QUANTITY_BOUND)]


class AlpacaBarsPage(_Response):
    """One page of ``GET /v2/stocks/bars``."""

    bars: dict[Symbol, Annotated[list[AlpacaBar], Field(max_length=_MAX_BARS)]] | None = Field(
        default=None, max_length=_MAX_BARS
    )
    next_page_token: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None


class AlpacaSession(_Response):
    """One day of ``GET /v2/calendar`` (times are New York wall-clock, ``HH:MM``)."""

    date: date
    open: Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}$")]
    close: Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}$")]


class AlpacaSessions(_Response):
    """``GET /v2/calendar``: a JSON array of sessions (wrapped by ``parse``)."""

    items: Annotated[list[AlpacaSession], Field(max_length=_MAX_SESSIONS)]


def parse[M: _Response](model: type[M], body: object, *, what: str) -> M:
    """``body`` read as ``model`` (a model with ``items`` reads a JSON array).

    Raises:
        BrokerResponseError: the body does not fit; the message names each wrong field
            (never its value).
    """
    listed = "items" in model.model_fields
    try:
        return model.model_validate({"items": body} if listed else body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        named = "; ".join(
            f"{'.'.join(map(str, e['loc'][listed:])) or 'body'}: {e['msg']}"
            for e in errors[:_MAX_ERRORS_NAMED]
        )
        if len(errors) > _MAX_ERRORS_NAMED:
            named += f" (+{len(errors) - _MAX_ERRORS_NAMED} more)"
        raise BrokerResponseError(f"Alpaca {what}: unexpected response: {named}") from exc
