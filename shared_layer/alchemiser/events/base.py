"""The fields every domain event carries, and the value types payloads are built from."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Context, Decimal
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID, uuid4, uuid5

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import AfterValidator
from pydantic_core import PydanticCustomError

from alchemiser.trading.market_calendar.sessions import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY

__all__ = [
    "MAX_COUNT",
    "MAX_MONEY",
    "MAX_PRICE",
    "MAX_QUANTITY",
    "MAX_SYMBOLS",
    "BaseEvent",
    "Count",
    "EnvironmentName",
    "EventId",
    "Instant",
    "Money",
    "Payload",
    "PositiveQuantity",
    "Price",
    "Quantity",
    "Symbol",
    "TradingDate",
    "TradingMode",
    "Weight",
    "WorkflowConfiguration",
    "derived_id",
]

#: Namespace of every derived id (a constant: changing it would break deduplication).
_ID_NAMESPACE = UUID("5b7c1d2e-8f3a-4b6c-9d0e-1f2a3b4c5d6e")

#: Ticker symbols as brokers spell them (BRK.B, BF-B).
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9.\-]{0,14}$")]

# --- bounds: every number is checked where it enters, naming its field -------------------
# Far beyond any real account, and small enough that every product, quotient and
# quantize the planner and the brokers compute stays inside Decimal's 28 digits: a
# value of 1e30, "1e999999" or 4,000 digits is refused here, never an
# ``InvalidOperation`` three steps later.

#: A trillion dollars: no account, order or cash balance comes near it.
MAX_MONEY = Decimal(10) ** 12
#: Ten million dollars a share (BRK.A trades under one million).
MAX_PRICE = Decimal(10) ** 7
#: Ten billion shares of one symbol in one account or order.
MAX_QUANTITY = Decimal(10) ** 10
#: Decimal places: cents and sub-penny prices and fractional shares fit (Alpaca reports
#: quantities to 9 places); weights may carry Decimal's whole precision.
MONEY_PLACES = 8
QUANTITY_PLACES = 9
WEIGHT_PLACES = 28
#: Symbols in one portfolio, price list, plan, order list or account: far more than any
#: strategy set holds, and few enough that a full TradeExecuted fits one EventBridge entry.
MAX_SYMBOLS = 100
#: Orders counted in one workflow (at most one per symbol and side).
MAX_COUNT = 2 * MAX_SYMBOLS


#: Wide enough that quantizing any bounded value to its places is exact (no rounding
#: beyond them, no InvalidOperation for a 28-place weight of 1).
_PLACES_CONTEXT = Context(prec=60)


def _at_most_places(places: int) -> AfterValidator:
    """Refuse more than ``places`` decimal places (trailing zeros do not count).

    Pydantic's own ``decimal_places`` normalizes and unpacks every value (about 1 us
    each): on a SignalGenerated of ten symbols that tripled parsing (23 to 73 us,
    benchmarks/bench_event_parsing.py). One quantize and compare costs under half of it
    (46 us). Runs after the bounds, so the value is finite and of bounded magnitude.
    """
    quantum = Decimal(1).scaleb(-places)

    def check(value: Decimal) -> Decimal:
        if value.quantize(quantum, context=_PLACES_CONTEXT) == value:
            return value
        raise PydanticCustomError(
            "decimal_max_places",
            "Decimal input should have no more than {decimal_places} decimal places",
            {"decimal_places": places},
        )

    return AfterValidator(check)


#: Money is Decimal, never float; NaN and infinities are refused.
Money = Annotated[
    Decimal,
    Field(ge=-MAX_MONEY, le=MAX_MONEY, allow_inf_nan=False),
    _at_most_places(MONEY_PLACES),
]
#: What one share costs: positive, at most ``MAX_PRICE``, at most 8 decimal places.
Price = Annotated[
    Decimal, Field(gt=0, le=MAX_PRICE, allow_inf_nan=False), _at_most_places(MONEY_PLACES)
]
Quantity = Annotated[
    Decimal, Field(ge=0, le=MAX_QUANTITY, allow_inf_nan=False), _at_most_places(QUANTITY_PLACES)
]
#: An order's size: an order of nothing is not an order.
PositiveQuantity = Annotated[
    Decimal, Field(gt=0, le=MAX_QUANTITY, allow_inf_nan=False), _at_most_places(QUANTITY_PLACES)
]
Weight = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False), _at_most_places(WEIGHT_PLACES)]
#: A count of orders.
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
#: A trading date: a day the NYSE calendar answers for (1971..2100), so no date
#: arithmetic on it can overflow and every calendar question has an answer.
TradingDate = Annotated[date, Field(ge=FIRST_SUPPORTED_DAY, le=LAST_SUPPORTED_DAY)]
#: An aware instant whose local date is inside the calendar's range in every time zone
#: (UTC-12..UTC+14), so converting it to New York or UTC never overflows.
Instant = Annotated[
    AwareDatetime,
    Field(
        ge=datetime.combine(FIRST_SUPPORTED_DAY + timedelta(days=1), datetime.min.time(), UTC),
        le=datetime.combine(LAST_SUPPORTED_DAY - timedelta(days=1), datetime.min.time(), UTC),
    ),
]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
#: A class or component name (checked against the exact names by the event).
_Name = Annotated[str, StringConstraints(max_length=64)]
#: Free-form annotations: a few short strings, never a payload of their own.
_Metadata = Annotated[
    dict[
        Annotated[str, StringConstraints(max_length=64)],
        Annotated[str, StringConstraints(max_length=256)],
    ],
    Field(max_length=16),
]
TradingMode = Literal["paper", "live"]
#: A target environment (``alchemiser-<env>_<queue>`` queues): a stage or a sandbox.
EnvironmentName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


class Payload(BaseModel):
    """Base for values nested in events: strict, immutable, lossless in JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class WorkflowConfiguration(Payload):
    """How a workflow was asked to run; every workflow event carries it forward."""

    trading_mode: TradingMode = "paper"
    dry_run: bool = False
    environment: EnvironmentName


def derived_id(*causes: str) -> str:
    """A stable id computed from what caused it.

    A step that is retried after a partial failure re-emits the same ids, so everything
    downstream (keyed by ``event_id``) sees a duplicate instead of a second event.
    """
    return str(uuid5(_ID_NAMESPACE, "\x1f".join(causes)))


def _new_event_id() -> str:
    return str(uuid4())


def _now() -> datetime:
    return datetime.now(UTC)


class BaseEvent(BaseModel):
    """A fact published on the bus: ``Source`` is ``alchemiser.<source_module>``.

    ``event_type`` always equals the class name (the EventBridge detail-type), so a
    detail can never be parsed as another event than the one its envelope names.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Components allowed to publish this event (``source_module``); the first is the default.
    PUBLISHERS: ClassVar[tuple[str, ...]] = ()

    event_id: EventId = Field(default_factory=_new_event_id)
    event_type: _Name = Field(default="", validate_default=True)
    correlation_id: EventId
    causation_id: EventId
    timestamp: Instant = Field(default_factory=_now)
    source_module: _Name = Field(default="", validate_default=True)
    schema_version: Literal[1] = 1
    metadata: _Metadata | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_type_and_source(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic hook
        if isinstance(data, dict):
            data = dict(data)
            data.setdefault("event_type", cls.__name__)
            if cls.PUBLISHERS:
                data.setdefault("source_module", cls.PUBLISHERS[0])
        return data

    @field_validator("event_type")
    @classmethod
    def _check_event_type(cls, value: str) -> str:
        if value != cls.__name__:
            raise ValueError(f"must be {cls.__name__!r}, got {value!r}")
        return value

    @field_validator("source_module")
    @classmethod
    def _check_source_module(cls, value: str) -> str:
        if value not in cls.PUBLISHERS:
            raise ValueError(f"must be one of {list(cls.PUBLISHERS)}, got {value!r}")
        return value

    @property
    def source(self) -> str:
        """The EventBridge ``Source`` this event is published with."""
        return f"alchemiser.{self.source_module}"
