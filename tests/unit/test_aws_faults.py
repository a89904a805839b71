"""Which AWS call a request is, and which programmed fault it meets."""

from __future__ import annotations

import json

import pytest

from alchemiser_local.faults import AwsCall, AwsFault, CallPlan, call_of, error_reply

SIGNED = "AWS4-HMAC-SHA256 Credential=local/20261116/us-east-1/{service}/aws4_request, Sig=x"


def headers(service: str, target: str | None = None) -> dict[str, str]:
    found = {"authorization": SIGNED.format(service=service)}
    if target:
        found["x-amz-target"] = target
    return found


def body(**params: object) -> bytes:
    return json.dumps(params).encode()


@pytest.mark.parametrize(
    ("request_of", "call"),
    [
        (
            ("POST", "/", headers("dynamodb", "DynamoDB_20120810.UpdateItem"), body(TableName="t")),
            AwsCall("dynamodb", "UpdateItem", ("t",)),
        ),
        (
            (
                "POST",
                "/",
                headers("dynamodb", "DynamoDB_20120810.TransactWriteItems"),
                body(
                    TransactItems=[
                        {"Put": {"TableName": "orders"}},
                        {"Update": {"TableName": "orders"}},
                        {"ConditionCheck": {"TableName": "accounts"}},
                    ]
                ),
            ),
            AwsCall("dynamodb", "TransactWriteItems", ("orders", "accounts")),
        ),
        (
            (
                "POST",
                "/",
                headers("events", "AWSEvents.PutEvents"),
                body(Entries=[{"EventBusName": "bus", "DetailType": "TradeExecuted"}]),
            ),
            AwsCall("events", "PutEvents", ("bus/TradeExecuted",)),
        ),
        (
            (
                "POST",
                "/",
                headers("sqs", "AmazonSQS.SendMessage"),
                body(QueueUrl="http://127.0.0.1:1/123456789012/alchemiser-dev_trade_ledger"),
            ),
            AwsCall("sqs", "SendMessage", ("alchemiser-dev_trade_ledger",)),
        ),
        (
            ("GET", "/alchemiser-bars-dev/bars/SPY.json", headers("s3"), b""),
            AwsCall("s3", "GetObject", ("alchemiser-bars-dev/bars/SPY.json",)),
        ),
        (
            ("GET", "/alchemiser-bars-dev?list-type=2", headers("s3"), b""),
            AwsCall("s3", "ListObjects", ("alchemiser-bars-dev",)),
        ),
    ],
)
def test_a_request_is_the_call_its_protocol_says(request_of, call):
    assert call_of(*request_of) == call


def test_a_fault_matches_service_operation_and_any_resource_by_pattern():
    fault = AwsFault(kind="throttle", service="dynamodb", resource="alchemiser-paper-*")

    assert fault_matches(fault, AwsCall("dynamodb", "Query", ("alchemiser-paper-broker-dev",)))
    assert fault_matches(
        fault, AwsCall("dynamodb", "TransactWriteItems", ("x", "alchemiser-paper-b"))
    )
    assert not fault_matches(fault, AwsCall("dynamodb", "Query", ("alchemiser-ledger-dev",)))
    assert not fault_matches(fault, AwsCall("sqs", "SendMessage", ("alchemiser-paper-q",)))


def fault_matches(fault: AwsFault, call: AwsCall) -> bool:
    plan: CallPlan[AwsFault] = CallPlan()
    plan.add(fault)
    return plan.take(call) is fault


def test_a_fault_lets_after_calls_through_then_fires_times_then_is_spent():
    plan: CallPlan[AwsFault] = CallPlan()
    fault = AwsFault(kind="error", service="sqs", times=2, after=1)
    plan.add(fault)
    call = AwsCall("sqs", "SendMessage", ("q",))

    fired = [plan.take(call) is fault for _ in range(5)]

    assert fired == [False, True, True, False, False]
    assert [c for _, c in plan.fired] == [call, call]


@pytest.mark.parametrize(
    ("service", "throttle", "status", "code"),
    [
        ("dynamodb", True, 400, "ProvisionedThroughputExceededException"),
        ("dynamodb", False, 500, "InternalServerError"),
        ("events", True, 400, "ThrottlingException"),
        ("sqs", True, 400, "RequestThrottled"),
        ("sqs", False, 500, "InternalError"),
    ],
)
def test_a_json_service_answers_with_its_own_error_codes(service, throttle, status, code):
    answered, _, payload = error_reply(service, throttle=throttle, status=500)

    assert answered == status
    assert json.loads(payload)["__type"].rpartition("#")[2] == code


def test_s3_slows_down_with_a_503():
    status, content_type, payload = error_reply("s3", throttle=True, status=500)

    assert (status, content_type) == (503, "application/xml")
    assert b"<Code>SlowDown</Code>" in payload
