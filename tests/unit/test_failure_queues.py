"""Failure queues come from the template; each message says what it was and where it was going."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

from alchemiser.commands import parse_command
from alchemiser.commands.runs import RunIds
from alchemiser_local.ops.failure_queues import (
    FailedMessage,
    FailureQueue,
    UnreadableMessageError,
    failure_queues,
    redelivery_of,
)
from alchemiser_local.target import Target
from alchemiser_local.template import translate_template
from tests.support.samples import load
from tests.support.template import TEMPLATE_PATH

ROUTER_ALIAS = "arn:aws:lambda:us-east-1:123456789012:function:alchemiser-event-router-dev:live"
TRADING_ALIAS = "arn:aws:lambda:us-east-1:123456789012:function:alchemiser-trading-dev:live"
TASK_QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/alchemiser-dev_trade_ledger"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return translate_template(TEMPLATE_PATH, parameters={"Stage": "dev"})


@pytest.fixture
def target() -> Target:
    return Target(
        stage="dev",
        stack_name="alchemiser-dev",
        session=boto3.Session(region_name="us-east-1"),
        endpoint_url=None,
        outputs={"TradingSystemFunctionAliasArn": TRADING_ALIAS},
    )


def physical(template: dict[str, Any]) -> dict[str, str]:
    return {
        logical_id: f"https://sqs.us-east-1.amazonaws.com/123456789012/{logical_id}"
        for logical_id in template["Resources"]
    }


def test_every_failure_queue_of_the_template_is_found_with_what_feeds_it(template) -> None:
    queues = failure_queues(template, physical(template))

    assert {(q.logical_id, q.kind, q.sources) for q in queues} == {
        ("TradingFailuresQueue", "lambda-destination", ("TradingSystemFunction",)),
        ("EventRoutingFailuresQueue", "lambda-destination", ("EventRoutingFunction",)),
        ("DomainEventsDLQ", "eventbridge-dlq", ("EventRoutingFunctionDomainEvents",)),
        ("NotificationsDLQ", "eventbridge-dlq", ("ErrorNotificationsRule",)),
        (
            "SchedulerDLQ",
            "scheduler-dlq",
            ("DailyTradeSchedule", "MarketDataRefreshSchedule", "WeeklyPnlSchedule"),
        ),
        ("PnlReportsDLQ", "task-dlq", ("PnlReportsQueue",)),
        ("TradeLedgerDLQ", "task-dlq", ("TradeLedgerQueue",)),
    }


def test_a_stack_without_one_of_the_queues_is_named(template) -> None:
    ids = physical(template)
    del ids["SchedulerDLQ"]

    with pytest.raises(Exception, match="the stack has no SchedulerDLQ"):
        failure_queues(template, ids)


def message(queue: FailureQueue, body: str, **attributes: str) -> FailedMessage:
    return FailedMessage.of(
        queue,
        {
            "MessageId": "m-1",
            "ReceiptHandle": "r-1",
            "Body": body,
            "Attributes": {"SentTimestamp": "1700000000000", "ApproximateReceiveCount": "1"},
            "MessageAttributes": {
                key: {"DataType": "String", "StringValue": value}
                for key, value in attributes.items()
            },
        },
    )


def failure_record(payload: object, function_arn: str) -> str:
    """What Lambda sends to an OnFailure destination after the retries."""
    return json.dumps(
        {
            "version": "1.0",
            "timestamp": "2026-11-20T14:36:00.000Z",
            "requestContext": {
                "requestId": "7d1c4c1e-0000-4000-8000-000000000001",
                "functionArn": function_arn,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3,
            },
            "requestPayload": payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "7",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorType": "BrokerApiError", "errorMessage": "HTTP 503"},
        }
    )


def test_a_failed_event_goes_back_to_the_function_that_failed_it(target) -> None:
    # Given Lambda's failure record of a RebalancePlanned the router could not handle
    envelope = load("events/rebalance-planned.json")
    queue = FailureQueue(
        "EventRoutingFailuresQueue", "lambda-destination", ("EventRoutingFunction",)
    )

    # When read
    redelivery = redelivery_of(message(queue, failure_record(envelope, ROUTER_ALIAS)), target, {})

    # Then it is re-invoked on the alias Lambda invoked, with the original envelope
    assert (redelivery.action, redelivery.destination, redelivery.payload) == (
        "invoke",
        ROUTER_ALIAS,
        envelope,
    )
    assert redelivery.event_type == "RebalancePlanned"
    assert redelivery.correlation_id == envelope["detail"]["correlation_id"]
    assert redelivery.error == "BrokerApiError: HTTP 503 (RetriesExhausted)"


def test_a_failed_command_names_the_workflow_its_run_would_have(target) -> None:
    # Given a scheduled trade command that failed after Lambda's retries
    command = load("commands/trade-scheduler-input.json")
    queue = FailureQueue("TradingFailuresQueue", "lambda-destination", ("TradingSystemFunction",))

    redelivery = redelivery_of(message(queue, failure_record(command, TRADING_ALIAS)), target, {})

    # Then its correlation id is the one the run derives (what `logs trace` finds)
    expected = RunIds.of(
        parse_command(command), stage="dev", request_id="7d1c4c1e-0000-4000-8000-000000000001"
    )
    assert redelivery.event_type == "command trade"
    assert redelivery.correlation_id == expected.correlation_id


def test_an_undeliverable_event_goes_back_onto_the_bus(target) -> None:
    envelope = load("events/trade-executed.json")
    queue = FailureQueue(
        "DomainEventsDLQ", "eventbridge-dlq", ("EventRoutingFunctionDomainEvents",)
    )

    redelivery = redelivery_of(
        message(
            queue,
            json.dumps(envelope),
            ERROR_CODE="Throttled",
            ERROR_MESSAGE="Rate exceeded",
            RULE_ARN="arn:aws:events:us-east-1:1:rule/x",
        ),
        target,
        {},
    )

    assert (redelivery.action, redelivery.payload) == ("put_events", envelope)
    assert redelivery.error == "Throttled: Rate exceeded"
    assert redelivery.correlation_id == envelope["detail"]["correlation_id"]


def test_a_schedules_undelivered_payload_goes_to_its_target(target) -> None:
    command = load("commands/trade-scheduler-input.json")
    queue = FailureQueue("SchedulerDLQ", "scheduler-dlq", ("DailyTradeSchedule",))

    named = redelivery_of(
        message(queue, json.dumps(command), TARGET_ARN=TRADING_ALIAS, ERROR_CODE="AccessDenied"),
        target,
        {},
    )
    unnamed = redelivery_of(message(queue, json.dumps(command)), target, {})

    assert (named.action, named.destination, named.payload) == ("invoke", TRADING_ALIAS, command)
    assert unnamed.destination == TRADING_ALIAS  # the stack's alias, what schedules invoke
    assert named.event_type == "command trade"


def test_a_payload_with_unfilled_context_attributes_is_refused_with_what_to_do(target) -> None:
    queue = FailureQueue("SchedulerDLQ", "scheduler-dlq", ("DailyTradeSchedule",))
    body = '{"mode": "trade", "scheduled_time": "<aws.scheduler.scheduled-time>"}'

    with pytest.raises(UnreadableMessageError, match="alchemiser schedule fire"):
        redelivery_of(message(queue, body), target, {})


def test_a_failed_task_goes_back_to_its_task_queue_unchanged(target) -> None:
    # Given a dramatiq-sqs message of the ledger actor (base64 of the dramatiq message)
    task = {
        "queue_name": "trade_ledger",
        "actor_name": "trade_ledger_entry",
        "args": [],
        "kwargs": {"event": {"correlation_id": "c-1", "event_type": "TradeExecuted"}},
        "options": {},
        "message_id": "d-1",
        "message_timestamp": 1700000000000,
    }
    body = base64.b64encode(json.dumps(task).encode()).decode()
    queue = FailureQueue("TradeLedgerDLQ", "task-dlq", ("TradeLedgerQueue",))

    redelivery = redelivery_of(message(queue, body), target, {"TradeLedgerQueue": TASK_QUEUE_URL})

    assert (redelivery.action, redelivery.destination, redelivery.payload) == (
        "send_message",
        TASK_QUEUE_URL,
        body,
    )
    assert (redelivery.event_type, redelivery.correlation_id) == ("task trade_ledger_entry", "c-1")


@pytest.mark.parametrize(
    ("kind", "body", "problem"),
    [
        ("lambda-destination", "not json", "is not JSON"),
        ("lambda-destination", '{"version": "1.0"}', "no requestPayload"),
        ("eventbridge-dlq", '{"source": "x"}', "no detail-type"),
        ("task-dlq", "%%% not base64", "not base64"),
        ("task-dlq", base64.b64encode(b'{"a": 1}').decode(), "no actor_name"),
    ],
)
def test_a_message_that_is_not_what_its_queue_holds_is_refused(target, kind, body, problem) -> None:
    queue = FailureQueue("Q", kind, ("TradeLedgerQueue",))

    with pytest.raises(UnreadableMessageError, match=problem):
        redelivery_of(message(queue, body), target, {"TradeLedgerQueue": TASK_QUEUE_URL})
