"""Proof, from template.yaml and the code, that every event reaches exactly its consumers.

The template is translated as CloudFormation would receive it (the SAM transform turns
the function's EventBridgeRule event into a rule), and each rule's pattern is matched by
a real EventBridge pattern matcher (moto's, the same the local stack runs).
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any, cast

import pytest
from moto.events.models import EventPattern

from alchemiser.events import ALL_EVENTS, EVENT_MAP, UNROUTED_EVENTS
from alchemiser_local.template import translate_template
from tests.support import samples
from tests.support.template import TEMPLATE_PATH

LAMBDA_TYPES = {"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version"}


def translated(stage: str) -> dict[str, Any]:
    resources: dict[str, Any] = translate_template(TEMPLATE_PATH, parameters={"Stage": stage})[
        "Resources"
    ]
    return resources


def function_of(resources: dict[str, Any], logical_id: str) -> str | None:
    """The function a Lambda function/alias/version resource belongs to, else None."""
    resource = resources[logical_id]
    if resource["Type"] == "AWS::Lambda::Function":
        return logical_id
    if resource["Type"] in LAMBDA_TYPES:
        ref = resource["Properties"]["FunctionName"]
        return function_of(resources, ref["Ref"])
    return None


def target_of(resources: dict[str, Any], arn: dict[str, Any]) -> tuple[str, str]:
    """(kind, name) of a rule target: ("function", id), ("sns", id) or ("sqs", id)."""
    logical_id = arn["Ref"] if "Ref" in arn else arn["Fn::GetAtt"][0]
    function = function_of(resources, logical_id)
    if function:
        return "function", function
    kinds = {"AWS::SNS::Topic": "sns", "AWS::SQS::Queue": "sqs"}
    return kinds[resources[logical_id]["Type"]], logical_id


def deliveries(stage: str, source: str, detail_type: str) -> Counter[tuple[str, str]]:
    """Every (kind, target) one published event is delivered to on the stage's bus."""
    resources = translated(stage)
    sample = next(
        json.loads(p.read_text())
        for p in samples.paths("events")
        if json.loads(p.read_text())["detail-type"] == detail_type
    )
    envelope = {**sample, "source": source, "detail-type": detail_type}
    delivered: Counter[tuple[str, str]] = Counter()
    for rule in resources.values():
        if rule["Type"] != "AWS::Events::Rule":
            continue
        props = rule["Properties"]
        assert props.get("EventBusName") == {"Ref": "EventBus"}, "rules belong on the bus"
        assert props.get("State") == "ENABLED"
        assert props.get("EventPattern"), "a rule without a pattern receives every event"
        if matches(props["EventPattern"], envelope):
            for target in props["Targets"]:
                delivered[target_of(resources, target["Arn"])] += 1
    return delivered


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge's matching, as the emulator implements it."""
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(cast("Any", event)))


PUBLISHED = [
    (f"alchemiser.{module}", name)
    for name, model in sorted(ALL_EVENTS.items())
    for module in model.PUBLISHERS
]


@pytest.mark.parametrize("stage", ["dev", "prod"])
@pytest.mark.parametrize(("source", "detail_type"), PUBLISHED)
def test_every_publishable_event_reaches_exactly_its_consumers(stage, source, detail_type):
    delivered = deliveries(stage, source, detail_type)
    functions = {name: n for (kind, name), n in delivered.items() if kind == "function"}
    if detail_type in EVENT_MAP:
        # Routed: once to the router, never to the command handler.
        assert functions == {"EventRoutingFunction": 1}
    else:
        # Circuit breaker: notifications go to people, never into a function.
        assert functions == {}
        assert delivered[("sns", "AlertsTopic")] == 1


def test_every_routed_type_has_a_publisher():
    published_types = {detail_type for _, detail_type in PUBLISHED}
    assert set(EVENT_MAP) <= published_types
    assert set(UNROUTED_EVENTS) <= published_types


@pytest.mark.parametrize("source", ["aws.events", "com.example.trading", "alchemiserx.trading"])
def test_foreign_sources_reach_no_function(source):
    delivered = deliveries("dev", source, "WorkflowStarted")
    assert not [key for key in delivered if key[0] == "function"]


def test_every_rule_target_has_retries_and_a_dead_letter_queue():
    resources = translated("dev")
    for logical_id, rule in resources.items():
        if rule["Type"] != "AWS::Events::Rule":
            continue
        for target in rule["Properties"]["Targets"]:
            assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0, logical_id
            dlq = target["DeadLetterConfig"]["Arn"]["Fn::GetAtt"][0]
            assert resources[dlq]["Type"] == "AWS::SQS::Queue", logical_id


def test_the_archive_keeps_every_alchemiser_event():
    archive = translated("dev")["EventArchive"]["Properties"]
    for source, detail_type in PUBLISHED:
        event = {"source": source, "detail-type": detail_type, "detail": {}}
        assert matches(archive["EventPattern"], event)
