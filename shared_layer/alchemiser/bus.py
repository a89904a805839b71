"""Publishing domain events to EventBridge: the only caller of ``put_events``.

Entries are built (and size-checked) before any call; batches hold at most 10 entries
and stay under the request size limit; a partial failure retries only the entries that
failed, a bounded number of times with backoff, and then raises naming what did not go
out. boto3 is imported on first publish, not at import (cold start).
"""

from __future__ import annotations

import random
import time
from typing import TYPE_CHECKING

from alchemiser.aws import events_client
from alchemiser.config import BusSettings, get_settings
from alchemiser.errors import EventPublishError, PublishError
from alchemiser.events import MAX_ENTRY_BYTES, BaseEvent, PutEventsEntry, entry_size, to_entry
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

__all__ = ["MAX_ATTEMPTS", "MAX_BATCH_ENTRIES", "RETRYABLE_ENTRY_ERRORS", "publish_events"]

#: PutEvents accepts at most 10 entries per call.
MAX_BATCH_ENTRIES = 10
#: Attempts per entry, the first included; backoff doubles from 100 ms, capped at 2 s.
MAX_ATTEMPTS = 4
_BACKOFF_BASE_SECONDS = 0.1
_BACKOFF_CAP_SECONDS = 2.0
_CONNECTION_FAILED = "ConnectionFailed"
#: Per-entry error codes worth retrying; anything else would fail the same way again.
RETRYABLE_ENTRY_ERRORS = frozenset(
    {
        "InternalFailure",
        "InternalException",
        "ThrottlingException",
        "ServiceUnavailable",
        _CONNECTION_FAILED,
    }
)

_log = get_logger(__name__)

Pending = tuple[BaseEvent, PutEventsEntry]


def publish_events(
    events: Sequence[BaseEvent],
    *,
    bus_name: str | None = None,
    client: EventBridgeClient | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Put ``events`` on the bus, all or an error.

    Raises:
        EventTooLarge: before any call, when one event can never fit an entry.
        EventPublishError: listing every event still not accepted after the retries.
    """
    if not events:
        return
    bus = bus_name or get_settings(BusSettings).event_bus_name
    pending: list[Pending] = [(event, to_entry(event, bus)) for event in events]
    client = client or events_client()
    permanent: list[dict[str, str]] = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        failed = [f for batch in _batches(pending) for f in _put_batch(client, batch)]
        retryable = [(item, code) for item, code in failed if code in RETRYABLE_ENTRY_ERRORS]
        permanent += [_failure(i, code) for i, code in failed if code not in RETRYABLE_ENTRY_ERRORS]
        if not retryable:
            break
        if attempt == MAX_ATTEMPTS:
            permanent += [_failure(item, code) for item, code in retryable]
            break
        _log.warning("events_retrying", attempt=attempt, failed=len(retryable))
        sleep(_backoff(attempt))
        pending = [item for item, _ in retryable]
    if permanent:
        raise EventPublishError(permanent)
    # Debug: callers log what they published, with their outcome.
    _log.debug("events_published", count=len(events), types=[e.event_type for e in events])


def _failure(item: Pending, code: str) -> dict[str, str]:
    event, _ = item
    return {"event_id": event.event_id, "event_type": event.event_type, "error_code": code}


def _backoff(attempt: int) -> float:
    ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_BASE_SECONDS * 2 ** (attempt - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not cryptography


def _batches(pending: list[Pending]) -> Iterator[list[Pending]]:
    """At most 10 entries and at most MAX_ENTRY_BYTES per PutEvents call."""
    batch: list[Pending] = []
    size = 0
    for item in pending:
        item_size = entry_size(item[1])
        if batch and (len(batch) == MAX_BATCH_ENTRIES or size + item_size > MAX_ENTRY_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item_size
    if batch:
        yield batch


def _put_batch(client: EventBridgeClient, batch: list[Pending]) -> list[tuple[Pending, str]]:
    """Send one batch; return the items that failed with their error codes."""
    from botocore.exceptions import ClientError, HTTPClientError  # noqa: PLC0415 - see client

    entries: list[PutEventsRequestEntryTypeDef] = [dict(entry) for _, entry in batch]  # type: ignore[misc]
    try:
        response = client.put_events(Entries=entries)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "ClientError")
        if code in RETRYABLE_ENTRY_ERRORS:
            return [(item, code) for item in batch]
        raise PublishError(f"PutEvents refused the batch: {code}") from exc
    except HTTPClientError:  # connection refused/closed, timeouts (after botocore's retries)
        return [(item, _CONNECTION_FAILED) for item in batch]
    if not response.get("FailedEntryCount"):
        return []
    return [
        (item, result.get("ErrorCode", "Unknown"))
        for item, result in zip(batch, response["Entries"], strict=True)
        if "ErrorCode" in result
    ]
