"""Publishing to a real EventBridge bus (moto server) whose rule copies events to SQS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import pytest

from alchemiser.bus import MAX_ATTEMPTS, publish_events
from alchemiser.errors import EventPublishError, EventTooLarge
from alchemiser.events import (
    MAX_ENTRY_BYTES,
    WorkflowConfiguration,
    WorkflowStarted,
    from_envelope,
)
from tests.support.aws import drain
from tests.support.bulky import bulky_trade_executed

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient


def workflow_started(n: int = 0) -> WorkflowStarted:
    return WorkflowStarted(
        correlation_id=f"wf-{n}",
        causation_id=f"cmd-{n}",
        requested_by="test",
        configuration=WorkflowConfiguration(environment="dev"),
        trading_date=date(2026, 11, 20),
    )


@dataclass
class FlakyEvents:
    """The real (moto) client, except that chosen events fail with a given code.

    ``failures`` maps event_id -> how many more calls should fail it.
    """

    real: Any
    failures: dict[str, int]
    code: str = "ThrottlingException"
    calls: list[int] = field(default_factory=list)

    @property
    def client(self) -> EventBridgeClient:
        """This wrapper where publish_events expects a boto3 client."""
        return cast("EventBridgeClient", self)

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 - boto3 shape
        self.calls.append(len(Entries))
        results: list[dict[str, Any]] = []
        for entry in Entries:
            event_id = from_envelope(
                {
                    "source": entry["Source"],
                    "detail-type": entry["DetailType"],
                    "detail": entry["Detail"],
                }
            ).event_id
            if self.failures.get(event_id, 0) > 0:
                self.failures[event_id] -= 1
                results.append({"ErrorCode": self.code, "ErrorMessage": "injected"})
            else:
                results.append(self.real.put_events(Entries=[entry])["Entries"][0])
        failed = sum("ErrorCode" in r for r in results)
        return {"FailedEntryCount": failed, "Entries": results}


def published_ids(sqs, tap_url: str) -> list[str]:
    return [from_envelope(body).event_id for body in drain(sqs, tap_url)]


def test_publish_events_delivers_what_a_rule_target_receives(events, sqs, tapped_bus):
    event = workflow_started()

    publish_events([event], bus_name=tapped_bus.name, client=events)

    bodies = drain(sqs, tapped_bus.tap_url)
    assert len(bodies) == 1
    assert bodies[0]["source"] == "alchemiser.trading"
    assert from_envelope(bodies[0]) == event


def test_publish_events_delivers_an_event_over_the_old_256_kib_limit(events, sqs, tapped_bus):
    # Given events of 600 KiB each (too big before 2026-01-29, within 1 MiB now)
    batch = [bulky_trade_executed(600 * 1024, causation_id=f"e{n}", char="x") for n in range(3)]
    recorder = FlakyEvents(real=events, failures={})

    publish_events(batch, bus_name=tapped_bus.name, client=recorder.client)

    # Then each went in a call of its own (two would exceed 1 MiB) and arrived whole
    assert recorder.calls == [1, 1, 1]
    received = [from_envelope(body) for body in drain(sqs, tapped_bus.tap_url)]
    assert sorted(e.event_id for e in received) == sorted(e.event_id for e in batch)
    assert all(e == sent for e in received for sent in batch if sent.event_id == e.event_id)


def test_publish_events_batches_at_most_ten_entries_per_call(events, sqs, tapped_bus):
    batch = [workflow_started(n) for n in range(23)]
    recorder = FlakyEvents(real=events, failures={})

    publish_events(batch, bus_name=tapped_bus.name, client=recorder.client)

    assert recorder.calls == [10, 10, 3]
    assert sorted(published_ids(sqs, tapped_bus.tap_url)) == sorted(e.event_id for e in batch)


def test_publish_events_retries_only_the_failed_entries(events, sqs, tapped_bus):
    batch = [workflow_started(n) for n in range(5)]
    flaky = FlakyEvents(real=events, failures={batch[1].event_id: 1, batch[3].event_id: 2})
    sleeps: list[float] = []

    publish_events(batch, bus_name=tapped_bus.name, client=flaky.client, sleep=sleeps.append)

    # Then the 2nd call re-sends just the two failures and the 3rd just the one left,
    # with growing backoff, and every event arrives exactly once
    assert flaky.calls == [5, 2, 1]
    assert len(sleeps) == 2
    assert 0.05 <= sleeps[0] <= 0.1 <= sleeps[1] <= 0.2
    assert sorted(published_ids(sqs, tapped_bus.tap_url)) == sorted(e.event_id for e in batch)


def test_publish_events_raises_naming_what_did_not_go_out(events, sqs, tapped_bus):
    batch = [workflow_started(n) for n in range(3)]
    stuck = batch[2]
    flaky = FlakyEvents(real=events, failures={stuck.event_id: MAX_ATTEMPTS})

    with pytest.raises(EventPublishError) as raised:
        publish_events(batch, bus_name=tapped_bus.name, client=flaky.client, sleep=lambda _: None)

    assert raised.value.failures == [
        {
            "event_id": stuck.event_id,
            "event_type": "WorkflowStarted",
            "error_code": "ThrottlingException",
        }
    ]
    assert len(flaky.calls) == MAX_ATTEMPTS
    assert sorted(published_ids(sqs, tapped_bus.tap_url)) == sorted(e.event_id for e in batch[:2])


def test_publish_events_does_not_retry_permanent_entry_errors(events, tapped_bus):
    event = workflow_started()
    flaky = FlakyEvents(real=events, failures={event.event_id: 1}, code="MalformedDetail")

    with pytest.raises(EventPublishError):
        publish_events([event], bus_name=tapped_bus.name, client=flaky.client, sleep=lambda _: None)

    assert flaky.calls == [1]


def test_publish_events_refuses_an_oversized_event_before_any_call(events, sqs, tapped_bus):
    huge = bulky_trade_executed(MAX_ENTRY_BYTES + 1)
    recorder = FlakyEvents(real=events, failures={})

    with pytest.raises(EventTooLarge) as raised:
        publish_events([workflow_started(), huge], bus_name=tapped_bus.name, client=recorder.client)

    assert raised.value.event_id == huge.event_id
    assert raised.value.size > raised.value.limit == MAX_ENTRY_BYTES
    assert recorder.calls == []
    assert drain(sqs, tapped_bus.tap_url) == []


def test_publish_events_splits_batches_that_would_exceed_the_request_size(events, tapped_bus):
    third = MAX_ENTRY_BYTES // 3
    batch = [bulky_trade_executed(third, causation_id=f"e{n}") for n in range(4)]
    recorder = FlakyEvents(real=events, failures={})

    publish_events(batch, bus_name=tapped_bus.name, client=recorder.client)

    assert recorder.calls == [2, 2]
