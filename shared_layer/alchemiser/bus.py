"""Publishing domain events to EventBridge: the only caller of ``put_events``.

Entries are built (and size-checked) before any call; batches hold at most 10 entries
and stay under the request size limit. botocore retries a call that fails as a whole
(standard mode, ``alchemiser.aws``); entries that fail inside an accepted call (a
partial failure) are re-sent here, only those, when their code is transient, at most
``MAX_ATTEMPTS`` times with backoff, and then the call raises naming what did not go
out. boto3 is imported on first publish, not at import (cold start).
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from alchemiser.aws import (
    MAX_ATTEMPTS,
    TRANSIENT_CODES,
    aws_errors,
    error_code,
    error_kind,
    events_client,
)
from alchemiser.batching import bounded_batches
from alchemiser.errors import ConfigError, EventPublishError, PublishError
from alchemiser.events import MAX_ENTRY_BYTES, BaseEvent, PutEventsEntry, entry_size, to_entry
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

__all__ = ["MAX_ATTEMPTS", "MAX_BATCH_ENTRIES", "publish_events"]

#: PutEvents accepts at most 10 entries per call.
MAX_BATCH_ENTRIES = 10
#: Backoff between attempts of failed entries: doubles from 100 ms, capped at 2 s.
_BACKOFF_BASE_SECONDS = 0.1
_BACKOFF_CAP_SECONDS = 2.0

_log = get_logger(__name__)

Pending = tuple[BaseEvent, PutEventsEntry]
#: An entry that did not go out: the item, its error code, and whether a retry may help.
Failed = tuple[Pending, str, bool]


def publish_events(
    events: Sequence[BaseEvent],
    *,
    bus_name: str,
    client: EventBridgeClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Put ``events`` on the bus, all or an error.

    Raises:
        EventTooLarge: before any call, when one event can never fit an entry.
        EventPublishError: listing every event still not accepted after the retries.
        ConfigError: the bus does not exist, or this role may not publish to it.
        PublishError: EventBridge refused the request as malformed (a bug).
    """
    if not events:
        return
    pending = [(event, to_entry(event, bus_name)) for event in events]
    failures = _publish(client or events_client(), pending, sleep)
    if failures:
        raise EventPublishError(failures)
    # Debug: callers log what they published, with their outcome.
    _log.debug("events_published", count=len(events), types=[e.event_type for e in events])


def _publish(
    client: EventBridgeClient, pending: list[Pending], sleep: Callable[[float], None]
) -> list[dict[str, str]]:
    """Send ``pending``, re-sending transient failures; returns what never went out."""
    permanent: list[dict[str, str]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        retryable: list[Failed] = []
        for failure in (f for batch in _batches(pending) for f in _put_batch(client, batch)):
            if failure[2] and attempt < MAX_ATTEMPTS:
                retryable.append(failure)
            else:
                permanent.append(_failure(failure))
        if not retryable:
            break
        _log.warning("events_retrying", attempt=attempt, failed=len(retryable))
        sleep(_backoff(attempt))
        pending = [item for item, _, _ in retryable]
    return permanent


def _failure(failure: Failed) -> dict[str, str]:
    (event, _), code, _ = failure
    return {"event_id": event.event_id, "event_type": event.event_type, "error_code": code}


def _backoff(attempt: int) -> float:
    ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


def _batches(pending: list[Pending]) -> Iterator[list[Pending]]:
    """At most 10 entries and at most MAX_ENTRY_BYTES per PutEvents call."""
    return bounded_batches(
        pending,
        max_items=MAX_BATCH_ENTRIES,
        max_bytes=MAX_ENTRY_BYTES,
        size=lambda item: entry_size(item[1]),
    )


def _put_batch(client: EventBridgeClient, batch: list[Pending]) -> list[Failed]:
    """Send one batch; return the entries that failed, with their codes and kinds.

    A call that still fails after botocore's own retries fails every entry of the batch
    when the failure is transient (the entries are re-sent like partial failures).
    """
    entries: list[PutEventsRequestEntryTypeDef] = [dict(entry) for _, entry in batch]  # type: ignore[misc]
    try:
        response = client.put_events(Entries=entries)
    except aws_errors() as exc:
        reason = error_code(exc) or type(exc).__name__
        kind = error_kind(exc)
        if kind == "transient":
            return [(item, reason, True) for item in batch]
        if kind == "configuration":
            raise ConfigError(f"PutEvents to {batch[0][1]['EventBusName']}: {reason}") from exc
        raise PublishError(f"PutEvents refused the batch: {reason}") from exc
    if not response.get("FailedEntryCount"):
        return []
    return [
        (item, code, code in TRANSIENT_CODES)
        for item, result in zip(batch, response["Entries"], strict=True)
        if (code := result.get("ErrorCode")) is not None
    ]
