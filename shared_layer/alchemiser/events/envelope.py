"""EventBridge wire format: PutEvents entries out, rule-target envelopes in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NotRequired, TypedDict

from pydantic import ValidationError

from alchemiser.errors import EventRejected, EventTooLarge
from alchemiser.events.registry import ALL_EVENTS
from alchemiser.payloads import shown

if TYPE_CHECKING:
    from alchemiser.events.base import BaseEvent

__all__ = [
    "MAX_ENTRY_BYTES",
    "SOURCE_PREFIX",
    "PutEventsEntry",
    "entry_size",
    "from_envelope",
    "to_entry",
]

#: PutEvents limit for one entry and for all entries of one call: 1 MB since 2026-01-29,
#: for EventBridge, SQS and asynchronous Lambda invocations alike (AWS Compute Blog,
#: "More room to build: serverless services now support payloads up to 1 MB",
#: https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb/),
#: read as 1 MiB as the 256 KB before it was read as 256 KiB.
#: Counted as in "Calculating Amazon EventBridge PutEvents event entry size":
#: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html
MAX_ENTRY_BYTES = 1024 * 1024

#: Every source this code publishes starts with this; rules match on it.
SOURCE_PREFIX = "alchemiser."


class PutEventsEntry(TypedDict):
    """One ``Entries`` item of ``events.put_events``."""

    Source: str
    DetailType: str
    Detail: str
    EventBusName: str
    Resources: NotRequired[list[str]]


def entry_size(entry: PutEventsEntry) -> int:
    """Size of an entry as EventBridge counts it (no ``Time`` is ever sent)."""
    size = len(entry["Source"].encode()) + len(entry["DetailType"].encode())
    size += len(entry["Detail"].encode())
    return size + sum(len(resource.encode()) for resource in entry.get("Resources", []))


def to_entry(event: BaseEvent, bus_name: str) -> PutEventsEntry:
    """Build the PutEvents entry for ``event``.

    Raises:
        EventTooLarge: before any call is made, when EventBridge would refuse the entry.
    """
    entry = PutEventsEntry(
        Source=event.source,
        DetailType=event.event_type,
        Detail=event.model_dump_json(),
        EventBusName=bus_name,
    )
    size = entry_size(entry)
    if size > MAX_ENTRY_BYTES:
        raise EventTooLarge(
            event_type=event.event_type, event_id=event.event_id, size=size, limit=MAX_ENTRY_BYTES
        )
    return entry


def _required_text(envelope: Mapping[str, object], key: str) -> str:
    value = envelope.get(key)
    if not isinstance(value, str) or not value:
        raise EventRejected("is missing or not a non-empty string", field=key, kind="missing_field")
    return value


def from_envelope(
    envelope: object, *, event_map: Mapping[str, type[BaseEvent]] = ALL_EVENTS
) -> BaseEvent:
    """Parse what an EventBridge rule target receives into its domain event.

    ``detail`` may be an object (EventBridge) or a JSON string (SQS bodies, replays).

    Raises:
        EventRejected: naming the field, when the envelope is not a known alchemiser event.
    """
    if not isinstance(envelope, Mapping):
        raise EventRejected("envelope must be a JSON object", kind="malformed")
    source = _required_text(envelope, "source")
    if not source.startswith(SOURCE_PREFIX):
        raise EventRejected(
            f"{shown(source)} is not an alchemiser source (expected prefix {SOURCE_PREFIX!r})",
            field="source",
            kind="foreign_source",
        )
    detail_type = _required_text(envelope, "detail-type")
    model = event_map.get(detail_type)
    if model is None:
        raise EventRejected(
            f"unknown detail-type {shown(detail_type)}; known: {sorted(event_map)}",
            field="detail-type",
            kind="unknown_detail_type",
        )
    event = _validate_detail(model, envelope.get("detail"))
    if event.source != source:
        raise EventRejected(
            f"{detail_type} from {event.source_module!r} must arrive with source "
            f"{event.source!r}, not {shown(source)}",
            field="source",
            kind="source_mismatch",
        )
    return event


def _validate_detail(model: type[BaseEvent], detail: object) -> BaseEvent:
    try:
        if isinstance(detail, str | bytes):
            return model.model_validate_json(detail)
        if not isinstance(detail, Mapping):
            raise EventRejected("must be a JSON object", field="detail", kind="malformed")
        return model.model_validate(detail)
    except ValidationError as exc:
        if _is_json_error(exc):
            raise EventRejected(
                f"is not valid JSON: {exc.errors()[0]['msg']}", field="detail", kind="malformed"
            ) from exc
        raise EventRejected.from_validation(exc, prefix="detail") from exc


def _is_json_error(exc: ValidationError) -> bool:
    return any(err["type"] == "json_invalid" for err in exc.errors())
