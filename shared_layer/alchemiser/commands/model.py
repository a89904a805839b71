"""Commands for TradingSystemFunction: what EventBridge Scheduler (or an operator) sends.

Only two shapes are accepted: the schedule's raw ``Input`` and the ``Scheduled Event``
envelope around it. A domain event, an unknown mode or an unexpected field is a
``CommandRejected`` naming the field; nothing is ever guessed into a trade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import from_json

from alchemiser.errors import CommandRejected, CrossFieldError
from alchemiser.events import ALL_EVENTS, SOURCE_PREFIX, EnvironmentName, TradingMode
from alchemiser.events.base import Instant
from alchemiser.payloads import MAX_DEPTH, shown, too_deep

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
    #: Inside the calendar's range, so its key, its UTC form and its trading day exist.
    scheduled_time: Instant | None = None
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
    _reject_deep(payload)
    _reject_domain_event(payload)
    if "detail-type" in payload:
        return _parse_scheduled_event(payload)
    return _validate(payload, prefix=None)


def _reject_deep(payload: object, *, prefix: str | None = None) -> None:
    path = too_deep(payload)
    if path is not None:
        raise CommandRejected(
            f"nests deeper than {MAX_DEPTH} levels",
            field=".".join(filter(None, (prefix, path))),
            kind="too_deep",
        )


def _reject_domain_event(payload: Mapping[str, Any]) -> None:
    # Only a string can name an event: a list or an object in these fields is no name.
    for field in ("source", "detail-type", "event_type"):
        name = payload.get(field)
        if not isinstance(name, str):
            continue
        if name.startswith(SOURCE_PREFIX) if field == "source" else name in ALL_EVENTS:
            raise CommandRejected(
                f"{shown(name)} is a domain event; domain events belong to EventRoutingFunction",
                field=field,
                kind="domain_event",
            )


def _parse_scheduled_event(envelope: Mapping[str, Any]) -> LambdaEvent:
    detail_type = envelope.get("detail-type")
    if detail_type != SCHEDULED_EVENT_DETAIL_TYPE:
        raise CommandRejected(
            f"unsupported detail-type {shown(detail_type)}; only "
            f"{SCHEDULED_EVENT_DETAIL_TYPE!r} envelopes carry commands",
            field="detail-type",
            kind="unsupported_envelope",
        )
    source = envelope.get("source")
    if not isinstance(source, str) or source not in _SCHEDULER_SOURCES:
        raise CommandRejected(
            f"{shown(source)} is not a scheduler source {list(_SCHEDULER_SOURCES)}",
            field="source",
            kind="unsupported_envelope",
        )
    detail = envelope.get("detail")
    if isinstance(detail, str):
        detail = _parsed_detail(detail)
    if not isinstance(detail, Mapping):
        raise CommandRejected("must be a JSON object", field="detail", kind="malformed")
    return _validate(detail, prefix="detail")


def _parsed_detail(text: str) -> object:
    """``detail`` sent as JSON text (SQS bodies, replays), parsed with bounded nesting.

    pydantic's parser refuses nesting beyond its recursion limit with a ``ValueError``
    (``json.loads`` would raise ``RecursionError``); what it returns is checked like an
    envelope.
    """
    try:
        detail = from_json(text)
    except ValueError as exc:
        reason = f"is not valid JSON: {exc}"
        raise CommandRejected(reason, field="detail", kind="malformed") from exc
    except TypeError as exc:  # text that is no UTF-8 (a lone surrogate): no JSON at all
        reason = "is not valid JSON: not encodable as UTF-8"
        raise CommandRejected(reason, field="detail", kind="malformed") from exc
    _reject_deep(detail, prefix="detail")
    return detail


def _validate(payload: Mapping[str, Any], *, prefix: str | None) -> LambdaEvent:
    try:
        return LambdaEvent.model_validate(payload)
    except ValidationError as exc:
        raise CommandRejected.from_validation(exc, prefix=prefix) from exc
