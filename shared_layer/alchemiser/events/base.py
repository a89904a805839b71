"""The fields every domain event carries, and the value types payloads are built from."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
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

__all__ = [
    "BaseEvent",
    "EnvironmentName",
    "EventId",
    "Money",
    "Payload",
    "Quantity",
    "Symbol",
    "TradingMode",
    "Weight",
    "WorkflowConfiguration",
    "derived_id",
]

#: Namespace of every derived id (a constant: changing it would break deduplication).
_ID_NAMESPACE = UUID("5b7c1d2e-8f3a-4b6c-9d0e-1f2a3b4c5d6e")

#: Ticker symbols as brokers spell them (BRK.B, BF-B).
Symbol = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9.\-]{0,14}$")]
#: Money is Decimal, never float; NaN and infinities are refused.
Money = Annotated[Decimal, Field(allow_inf_nan=False)]
Quantity = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Weight = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
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
    event_type: str = Field(default="", validate_default=True)
    correlation_id: EventId
    causation_id: EventId
    timestamp: AwareDatetime = Field(default_factory=_now)
    source_module: str = Field(default="", validate_default=True)
    schema_version: Literal[1] = 1
    metadata: dict[str, str] | None = None

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
