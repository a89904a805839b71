"""The emulator's IAM semantics (``emulator_iam``): what moto 5.2 gets wrong, as AWS has it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from alchemiser_local.emulator_iam_checks import required_checks
from alchemiser_local.emulator_iam_policy import (
    Ask,
    condition_holds,
    principal_matches,
    statement_applies,
    wildcard_matches,
)

ACCOUNT = "123456789012"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/alchemiser-dev-OperatorRole-AB12/operator"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("arn:aws:s3:::bars/bars/*", "arn:aws:s3:::bars/bars/SPY.jsonl", True),
        ("arn:aws:s3:::bars/bars/*", "arn:aws:s3:::bars/other/SPY.jsonl", False),
        # ``?`` is one character (moto made it a regex quantifier: a 500 on six of them)
        ("secret:alchemiser/dev/alpaca-??????", "secret:alchemiser/dev/alpaca-Ab12Cd", True),
        ("secret:alchemiser/dev/alpaca-??????", "secret:alchemiser/dev/alpaca-Ab12C", False),
        # everything else is literal: a dot is a dot, brackets are brackets
        ("log-group:/aws/lambda/a.b:*", "log-group:/aws/lambda/aXb:*", False),
        ("function:name:$LATEST", "function:name:$LATEST", True),
        ("queue[1]", "queue[1]", True),
    ],
)
def test_resource_patterns_have_iam_wildcards_and_nothing_else(pattern, value, matches):
    assert wildcard_matches(pattern, value) is matches


def test_actions_match_without_regard_to_case_resources_with_it():
    assert wildcard_matches("dynamodb:getitem", "dynamodb:GetItem", ignore_case=True)
    assert not wildcard_matches("arn:aws:s3:::Bars", "arn:aws:s3:::bars")


@pytest.mark.parametrize(
    ("principal", "caller", "matches"),
    [
        # an account: any principal of it (whose own policy allows), a user or a session
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, SESSION, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, f"arn:aws:iam::{ACCOUNT}:user/ops", True),
        ({"AWS": ACCOUNT}, f"arn:aws:iam::{ACCOUNT}:user/ops", True),
        ({"AWS": "arn:aws:iam::999999999999:root"}, SESSION, False),
        # a role names its sessions
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/alchemiser-dev-OperatorRole-AB12"}, SESSION, True),
        ({"AWS": f"arn:aws:iam::{ACCOUNT}:role/another"}, SESSION, False),
        # a service is played by the IAM user of its name
        (
            {"Service": "lambda.amazonaws.com"},
            f"arn:aws:iam::{ACCOUNT}:user/lambda.amazonaws.com",
            True,
        ),
        (
            {"Service": ["scheduler.amazonaws.com"]},
            f"arn:aws:iam::{ACCOUNT}:user/lambda.amazonaws.com",
            False,
        ),
        ({"Service": "lambda.amazonaws.com"}, SESSION, False),
        ("*", SESSION, True),
    ],
)
def test_trust_policy_principals_match_as_iam_matches_them(principal, caller, matches):
    assert principal_matches(principal, caller) is matches


def test_a_condition_on_a_key_the_request_lacks_does_not_hold():
    condition = {"StringEquals": {"aws:SourceAccount": ACCOUNT}}

    assert condition_holds(condition, {"aws:SourceAccount": ACCOUNT})
    assert not condition_holds(condition, {})  # moto let it pass
    assert not condition_holds(condition, {"aws:SourceAccount": "999999999999"})


def test_a_condition_operator_the_emulator_does_not_know_never_holds():
    assert not condition_holds({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "x"})


def test_conditions_compare_arns_and_booleans():
    context = {
        "aws:SourceArn": "arn:aws:events:us-east-1:1:rule/bus/r",
        "aws:SecureTransport": "false",
    }

    assert condition_holds({"ArnLike": {"aws:SourceArn": "arn:aws:events:*:1:rule/*"}}, context)
    assert condition_holds({"Bool": {"aws:SecureTransport": "False"}}, context)


def test_a_statement_whose_principal_is_someone_else_does_not_apply_and_denies_nothing():
    # moto answered DENIED for a trust statement naming another principal
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }

    assert not statement_applies(statement, Ask("sts:AssumeRole", "arn:role", SESSION))


def test_not_action_and_not_resource_exclude_what_they_name():
    statement = {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}

    assert statement_applies(statement, Ask("s3:GetObject", "arn:aws:s3:::bars/x"))
    assert not statement_applies(statement, Ask("iam:CreateUser", "arn:aws:s3:::bars/x"))
    assert not statement_applies(statement, Ask("s3:GetObject", "arn:aws:s3:::secret/x"))


@dataclass
class Request:
    """The accessors of moto's BaseResponse that the resource rules read."""

    params: dict[str, Any] = field(default_factory=dict)
    path: str = "/"
    region: str = "us-east-1"
    current_account: str = ACCOUNT

    def _get_param(self, name: str) -> Any:
        return self.params.get(name)


def test_a_transaction_is_authorized_item_by_item_on_each_items_table():
    request = Request(
        params={
            "TransactItems": [
                {"Update": {"TableName": "paper"}},
                {"Put": {"TableName": "ledger"}},
                {"ConditionCheck": {"TableName": "paper"}},
            ]
        }
    )
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table"

    assert required_checks(request, "dynamodb", "TransactWriteItems", "*") == [
        ("UpdateItem", f"{table}/paper"),
        ("PutItem", f"{table}/ledger"),
        ("ConditionCheckItem", f"{table}/paper"),
    ]


def test_a_query_on_an_index_is_authorized_on_the_index():
    request = Request(params={"TableName": "ledger", "IndexName": "by-day"})

    ((_, resource),) = required_checks(request, "dynamodb", "Query", "*")

    assert resource == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/ledger/index/by-day"


def test_put_events_is_authorized_on_each_entrys_bus():
    request = Request(params={"Entries": [{"EventBusName": "alchemiser-events-dev"}, {}]})

    assert required_checks(request, "events", "PutEvents", "*") == [
        ("PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/alchemiser-events-dev"),
        ("PutEvents", f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"),
    ]


@pytest.mark.parametrize(
    ("path", "params", "resource"),
    [
        (
            "/2015-03-31/functions/alchemiser-trading-dev/invocations",
            {},
            "function:alchemiser-trading-dev",
        ),
        # $LATEST is the function itself; an alias is its own resource
        (
            "/2015-03-31/functions/alchemiser-trading-dev%3A%24LATEST/invocations",
            {},
            "function:alchemiser-trading-dev",
        ),
        (
            "/2015-03-31/functions/alchemiser-trading-dev/invocations",
            {"Qualifier": "live"},
            "function:alchemiser-trading-dev:live",
        ),
        (
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Ax%3Alive/invocations",
            {},
            "function:x:live",
        ),
    ],
)
def test_an_invoke_is_lambda_invoke_function_on_the_function_invoked(path, params, resource):
    request = Request(params=params, path=path)

    assert required_checks(request, "lambda", "Invoke", "*") == [
        ("InvokeFunction", f"arn:aws:lambda:us-east-1:{ACCOUNT}:{resource}")
    ]


def test_an_sqs_batch_call_is_authorized_as_its_message_action():
    queue = f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"

    assert required_checks(Request(), "sqs", "ChangeMessageVisibilityBatch", queue) == [
        ("ChangeMessageVisibility", queue)
    ]


@pytest.mark.parametrize(
    ("params", "resource"),
    [
        (
            {"logGroupName": "/aws/lambda/f", "logStreamName": "s"},
            "log-group:/aws/lambda/f:log-stream:s",
        ),
        ({"logGroupName": "/aws/lambda/f"}, "log-group:/aws/lambda/f:*"),
    ],
)
def test_logs_calls_name_the_stream_or_the_group_as_policies_name_it(params, resource):
    action = "PutLogEvents" if "logStreamName" in params else "FilterLogEvents"

    ((_, found),) = required_checks(Request(params=params), "logs", action, "*")

    assert found == f"arn:aws:logs:us-east-1:{ACCOUNT}:{resource}"
