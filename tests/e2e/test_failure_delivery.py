"""A handler that keeps failing: Lambda's async retries, then the failure destination."""

from __future__ import annotations

import json

import boto3

from alchemiser.errors import BrokerApiError
from alchemiser.trading import PaperBroker
from alchemiser_local.runner import new_york_open
from alchemiser_local.timeline import Timeline
from tests.e2e.conftest import DAY, deliveries_for


def test_a_failing_step_is_retried_then_kept_in_the_failure_queue(local_stack, monkeypatch):
    # Given the paper broker's table throttles every read (the emulator cannot throttle:
    # the fault is injected where the adapter translates it, as a transient error)
    def throttled(self: PaperBroker) -> None:
        raise BrokerApiError("paper broker: reading the account: ThrottlingException")

    monkeypatch.setattr(PaperBroker, "get_account", throttled)
    timeline = Timeline(started=0.0)
    deliveries = deliveries_for(local_stack, timeline)
    daily = next(s for s in local_stack.schedules if s.name.endswith("daily-trade"))

    # When the schedule fires and every event is delivered
    deliveries.fire(daily, new_york_open(DAY))
    deliveries.settle()

    # Then SignalGenerated was tried three times (the first try and Lambda's 2 retries)...
    attempts = [e for e in timeline.entries if e.received == "SignalGenerated"]
    assert len(attempts) == 3
    assert all(e.outcome.startswith("error") for e in attempts)
    # ...and then kept, with the envelope, in the router's failure destination
    sqs = boto3.client("sqs")
    url = local_stack.outputs["EventRoutingFailuresQueueUrl"]
    (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3
    assert record["requestPayload"]["detail-type"] == "SignalGenerated"
    assert record["responseContext"]["functionError"] == "Unhandled"
    # and the workflow went no further
    assert "RebalancePlanned" not in {e.received for e in timeline.entries}


def test_a_duplicate_delivery_has_no_second_effect(local_stack):
    timeline = Timeline(started=0.0)
    deliveries = deliveries_for(local_stack, timeline)
    daily = next(s for s in local_stack.schedules if s.name.endswith("daily-trade"))
    deliveries.fire(daily, new_york_open(DAY))
    deliveries.settle()
    planned = next(e for e in timeline.entries if e.received == "RebalancePlanned")

    # When EventBridge delivers the RebalancePlanned event a second time
    router = deliveries.hosts["EventRoutingFunction"]
    envelope = {
        "version": "0",
        "id": "redelivery",
        "source": "alchemiser.portfolio",
        "detail-type": "RebalancePlanned",
        "detail": planned.detail,
    }
    again = router.invoke_async(envelope)
    deliveries.settle()

    # Then it answers with the first result: no order, no event is produced again
    assert again.result is not None
    assert again.result["status"] == "duplicate"
    assert [e.received for e in timeline.entries].count("TradeExecuted") == 1
