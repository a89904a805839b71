"""Replaying failure queues on the moto server: re-delivered where they were going, then deleted."""

from __future__ import annotations

import base64
import json

import boto3
import pytest

from alchemiser.events import from_envelope
from alchemiser_local.ops.dlq import describe_queue, replay
from alchemiser_local.ops.failure_queues import FailureQueue
from alchemiser_local.target import Target
from tests.integration.conftest import REGION
from tests.support.aws import create_queue, drain, receive_all
from tests.support.samples import load


@pytest.fixture
def target(tapped_bus, events) -> Target:
    bus_arn = events.describe_event_bus(Name=tapped_bus.name)["Arn"]
    return Target(
        stage="dev",
        stack_name="alchemiser-dev",
        session=boto3.Session(region_name=REGION),
        endpoint_url=None,  # the moto server through AWS_ENDPOINT_URL, as AWS would be
        outputs={"EventBusArn": bus_arn},
    )


@pytest.fixture
def domain_dlq(sqs, uid) -> FailureQueue:
    url = create_queue(sqs, "DomainEventsDLQ", f"domain-events-dlq-{uid}")
    return FailureQueue("DomainEventsDLQ", "eventbridge-dlq", ("Rule",), url)


def waiting(sqs, queue: FailureQueue) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue.url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def send_event(sqs, queue: FailureQueue, envelope: dict[str, object]) -> None:
    sqs.send_message(
        QueueUrl=queue.url,
        MessageBody=json.dumps(envelope),
        MessageAttributes={
            "ERROR_CODE": {"DataType": "String", "StringValue": "SDK_CLIENT_ERROR"},
            "ERROR_MESSAGE": {"DataType": "String", "StringValue": "Lambda throttled"},
        },
    )


def test_an_event_of_an_eventbridge_dlq_is_put_on_the_bus_again_then_deleted(
    sqs, target, tapped_bus, domain_dlq
) -> None:
    # Given EventBridge could not deliver a TradeExecuted and kept it in the rule's DLQ
    envelope = load("events/trade-executed.json")
    send_event(sqs, domain_dlq, envelope)

    # When the queue is replayed
    result = replay(target, domain_dlq, {}, dry_run=False, limit=None)

    # Then the same event is on the bus again (what the rules match), and the queue is empty
    assert (result["replayed"], result["left"]) == (1, 0)
    (published,) = drain(sqs, tapped_bus.tap_url)
    assert published["detail-type"] == "TradeExecuted"
    assert from_envelope(published) == from_envelope(envelope)  # the same event, same id
    assert waiting(sqs, domain_dlq) == 0


def test_a_dry_run_and_a_listing_leave_every_message_where_it_is(
    sqs, target, tapped_bus, domain_dlq
) -> None:
    send_event(sqs, domain_dlq, load("events/trade-executed.json"))
    send_event(sqs, domain_dlq, load("events/workflow-completed.json"))

    listed = describe_queue(target, domain_dlq, {}, limit=10)
    dry = replay(target, domain_dlq, {}, dry_run=True, limit=None)

    assert listed["depth"] == 2
    assert sorted(m["event_type"] for m in listed["messages"]) == [
        "TradeExecuted",
        "WorkflowCompleted",
    ]
    assert all(m["error"] == "SDK_CLIENT_ERROR: Lambda throttled" for m in listed["messages"])
    assert [m["status"] for m in dry["messages"]] == ["would replay", "would replay"]
    assert receive_all(sqs, tapped_bus.tap_url) == []
    assert waiting(sqs, domain_dlq) == 2  # visible again at once, nothing lost


def test_limit_replays_only_that_many(sqs, target, tapped_bus, domain_dlq) -> None:
    for _ in range(3):
        send_event(sqs, domain_dlq, load("events/trade-executed.json"))

    result = replay(target, domain_dlq, {}, dry_run=False, limit=2)

    assert result["replayed"] == 2
    assert waiting(sqs, domain_dlq) == 1


def test_a_message_that_cannot_be_redelivered_stays_with_the_reason(
    sqs, target, tapped_bus, domain_dlq
) -> None:
    # Given an event the bus would refuse (not an alchemiser event) next to a good one
    send_event(sqs, domain_dlq, {"source": "other.app", "detail-type": "X", "detail": {}})
    send_event(sqs, domain_dlq, load("events/trade-executed.json"))

    result = replay(target, domain_dlq, {}, dry_run=False, limit=None)

    # Then the good one is replayed, the other left, visible again, with why
    assert (result["replayed"], result["left"]) == (1, 1)
    (left,) = [m for m in result["messages"] if m["status"] == "left"]
    assert "foreign_source" in left["reason"] or "not an alchemiser source" in left["reason"]
    assert waiting(sqs, domain_dlq) == 1


def test_a_failed_task_is_sent_back_to_its_task_queue_unchanged(sqs, target, uid) -> None:
    task_queue = create_queue(sqs, "TradeLedgerQueue", f"alchemiser-{uid}_trade_ledger")
    dlq_url = create_queue(sqs, "TradeLedgerDLQ", f"alchemiser-{uid}_trade_ledger_dlq")
    dlq = FailureQueue("TradeLedgerDLQ", "task-dlq", ("TradeLedgerQueue",), dlq_url)
    task = {"queue_name": "trade_ledger", "actor_name": "trade_ledger_entry", "kwargs": {}}
    body = base64.b64encode(json.dumps(task).encode()).decode()
    sqs.send_message(QueueUrl=dlq_url, MessageBody=body)

    result = replay(target, dlq, {"TradeLedgerQueue": task_queue}, dry_run=False, limit=None)

    assert result["replayed"] == 1
    assert receive_all(sqs, task_queue) == [body]
    assert receive_all(sqs, dlq_url) == []
