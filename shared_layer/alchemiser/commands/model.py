"""Commands for TradingSystemFunction: what EventBridge Scheduler (or an operator) sends.

Only two shapes are accepted: the schedule's raw ``Input`` and the ``Scheduled Event``
envelope around it. A domain event, an unknown mode or an unexpected field is a
``CommandRejected`` naming the field; nothing is ever guessed into a trade.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from alchemiser.errors import CommandRejected, CrossFieldError
from alchemiser.events import ALL_EVENTS, SOURCE_PREFIX, EnvironmentName, TradingMode

__all__ = ["SCHEDULED_EVENT_DETAIL_TYPE", "LambdaEvent", "Mode", "parse_command"]

Mode = Literal["trade", "pnl_analysis", "refresh_market_data", "health"]
SCHEDULED_EVENT_DETAIL_TYPE = "Scheduled Event"
_SCHEDULER_SOURCES = ("aws.events", "aws.scheduler")
#: Fields only one mode takes, and that mode.
_MODE_FIELDS: dict[str, Mode] = {
    "pnl_type": "pnl_analysis",
    "pnl_periods": "pnl_analysis",
    "pnl_period": "pnl_analysis",
    "backfill": "refresh_market_data",
}


class LambdaEvent(BaseModel):
    """One command: a trade, a PnL analysis, a market data refresh, or a health check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    mode: Mode
    trading_mode: TradingMode = "paper"
    dry_run: bool = False
    #: Target environment for broker messages; defaults to the function's own stage.
    environment: EnvironmentName | None = None
    correlation_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    #: Filled by Scheduler from ``<aws.scheduler.scheduled-time>``; the same on every retry.
    scheduled_time: AwareDatetime | None = None
    #: A caller-chosen idempotency key for runs without a scheduled time.
    execution_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    pnl_type: Literal["weekly", "monthly"] | None = None
    pnl_periods: Annotated[int, Field(ge=1, le=520)] | None = None
    pnl_period: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,2}[WMY]$")] | None = None
    #: ``refresh_market_data`` only: fetch every symbol's whole lookback again.
    backfill: bool | None = None

    @model_validator(mode="after")
    def _check_mode_fields(self) -> Self:
        problem = self._stray()
        if problem is None and self.mode == "pnl_analysis":
            problem = self._pnl_basis_problem()
        if problem is not None:
            raise problem
        return self

    def _stray(self) -> CrossFieldError | None:
        """A field of another mode (a PnL field on a trade, ``backfill`` on a PnL run)."""
        given = [
            name
            for name, mode in _MODE_FIELDS.items()
            if mode != self.mode and getattr(self, name) is not None
        ]
        if not given:
            return None
        return CrossFieldError(given[0], f"is only valid with mode {_MODE_FIELDS[given[0]]!r}")

    def _pnl_basis_problem(self) -> CrossFieldError | None:
        """Exactly one of ``pnl_type`` and ``pnl_period``; ``pnl_periods`` only with a type."""
        if self.pnl_period is not None and self.pnl_type is not None:
            return CrossFieldError("pnl_period", "excludes pnl_type: give one of them")
        if self.pnl_period is None and self.pnl_type is None:
            return CrossFieldError("pnl_type", "pnl_analysis needs pnl_type or pnl_period")
        if self.pnl_periods is not None and self.pnl_type is None:
            return CrossFieldError("pnl_periods", "needs pnl_type")
        return None


def parse_command(payload: object) -> LambdaEvent:
    """Turn a raw Scheduler ``Input`` or a ``Scheduled Event`` envelope into a command.

    Raises:
        CommandRejected: naming the offending field; domain events are named as such.
    """
    if not isinstance(payload, Mapping):
        raise CommandRejected("a command must be a JSON object", kind="malformed")
    _reject_domain_event(payload)
    if "detail-type" in payload:
        return _parse_scheduled_event(payload)
    return _validate(payload, prefix=None)


def _reject_domain_event(payload: Mapping[str, Any]) -> None:
    source = payload.get("source")
    detail_type = payload.get("detail-type")
    event_type = payload.get("event_type")
    if isinstance(source, str) and source.startswith(SOURCE_PREFIX):
        field, name = "source", source
    elif detail_type in ALL_EVENTS:
        field, name = "detail-type", str(detail_type)
    elif event_type in ALL_EVENTS:
        field, name = "event_type", str(event_type)
    else:
        return
    raise CommandRejected(
        f"{name!r} is a domain event; domain events belong to EventRoutingFunction",
        field=field,
        kind="domain_event",
    )


def _parse_scheduled_event(envelope: Mapping[str, Any]) -> LambdaEvent:
    if envelope.get("detail-type") != SCHEDULED_EVENT_DETAIL_TYPE:
        raise CommandRejected(
            f"unsupported detail-type {envelope.get('detail-type')!r}; only "
            f"{SCHEDULED_EVENT_DETAIL_TYPE!r} envelopes carry commands",
            field="detail-type",
            kind="unsupported_envelope",
        )
    if envelope.get("source") not in _SCHEDULER_SOURCES:
        raise CommandRejected(
            f"{envelope.get('source')!r} is not a scheduler source {list(_SCHEDULER_SOURCES)}",
            field="source",
            kind="unsupported_envelope",
        )
    detail = envelope.get("detail")
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except json.JSONDecodeError as exc:
            raise CommandRejected(
                f"is not valid JSON: {exc.msg} at position {exc.pos}",
                field="detail",
                kind="malformed",
            ) from exc
    if not isinstance(detail, Mapping):
        raise CommandRejected("must be a JSON object", field="detail", kind="malformed")
    return _validate(detail, prefix="detail")


def _validate(payload: Mapping[str, Any], *, prefix: str | None) -> LambdaEvent:
    try:
        return LambdaEvent.model_validate(payload)
    except ValidationError as exc:
        raise CommandRejected.from_validation(exc, prefix=prefix) from exc
