"""The fault proxy in front of a moto server, as botocore meets it.

Each kind of fault is what the real service does to a client: a throttle botocore
retries, a request applied but answered 500 (so botocore's retry applies it again), a
PutEvents that took some entries only, a connection dropped without an answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from alchemiser_local.fault_proxy import FaultProxy, running_proxy
from alchemiser_local.faults import AwsFault
from tests.support.aws import create_queue

RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 3})


@pytest.fixture
def proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    with running_proxy(upstream=moto_endpoint) as proxy:
        yield proxy


def client(proxy: FaultProxy, service: str) -> Any:
    make: Any = boto3.client  # one helper for every service
    return make(service, endpoint_url=proxy.url, region_name="us-east-1", config=RETRIES)


@pytest.fixture
def queue(sqs, uid: str) -> str:
    return create_queue(sqs, "TradeLedgerQueue", f"alchemiser-{uid}_trade_ledger")


def messages(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


def test_without_a_fault_every_request_is_forwarded(proxy, queue, sqs):
    client(proxy, "sqs").send_message(QueueUrl=queue, MessageBody="task")

    assert messages(sqs, queue) == 1
    assert [(r.call.operation, r.fault, r.applied) for r in proxy.requests] == [
        ("SendMessage", None, True)
    ]


def test_a_throttle_botocore_absorbs_leaves_one_effect(proxy, queue, sqs):
    proxy.fail(AwsFault(kind="throttle", service="sqs", operation="SendMessage", times=2))

    client(proxy, "sqs").send_message(QueueUrl=queue, MessageBody="task")

    assert messages(sqs, queue) == 1
    assert [r.fault for r in proxy.requests] == ["throttle", "throttle", None]


def test_a_throttle_past_botocores_retries_reaches_the_caller(proxy, queue, sqs):
    proxy.fail(AwsFault(kind="throttle", service="sqs", operation="SendMessage", times=3))

    with pytest.raises(ClientError) as raised:
        client(proxy, "sqs").send_message(QueueUrl=queue, MessageBody="task")

    assert raised.value.response["Error"]["Code"] == "RequestThrottled"
    assert messages(sqs, queue) == 0


def test_applied_but_answered_500_is_applied_twice_by_botocores_retry(proxy, queue, sqs):
    proxy.fail(AwsFault(kind="applied_error", service="sqs", operation="SendMessage"))

    client(proxy, "sqs").send_message(QueueUrl=queue, MessageBody="task")

    assert messages(sqs, queue) == 2
    assert [(r.fault, r.applied) for r in proxy.requests] == [("applied_error", True), (None, True)]


def test_a_partial_put_events_reports_the_failed_entries_as_aws_does(proxy, events):
    proxy.fail(AwsFault(kind="partial", service="events", operation="PutEvents"))
    entries = [
        {"Source": "alchemiser.test", "DetailType": kind, "Detail": json.dumps({"n": n})}
        for n, kind in enumerate(("First", "Second"))
    ]

    answer = client(proxy, "events").put_events(Entries=entries)

    assert answer["FailedEntryCount"] == 1
    assert "EventId" in answer["Entries"][0]
    assert answer["Entries"][1]["ErrorCode"] == "InternalFailure"
    (request,) = proxy.requests
    assert [e["DetailType"] for e in json.loads(request.body)["Entries"]] == ["First"]


def test_a_dropped_connection_past_botocores_retries_is_a_connection_error(proxy, uid):
    proxy.fail(AwsFault(kind="drop", service="dynamodb", times=3))

    with pytest.raises(ConnectionClosedError):
        client(proxy, "dynamodb").describe_table(TableName=f"missing-{uid}")

    assert [r.fault for r in proxy.requests] == ["drop"] * 3
