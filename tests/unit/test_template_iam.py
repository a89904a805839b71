"""Least privilege, read from the template CloudFormation deploys (template.yaml translated).

Every policy statement of every resource is read (roles, managed policies, topic, queue
and bucket policies, and both branches of an ``!If``). An Allow never grants a wildcard
action, never names every principal, and reaches a ``*`` resource only where AWS
requires one: each such resource is in ``WILDCARD_RESOURCES`` with the reason. A Deny may
keep wildcards (the bucket's insecure-transport guard denies ``s3:*`` to everyone).
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from alchemiser.trading.bar_store import bar_key
from alchemiser_local.template import translate_template
from tests.support.template import TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Iterator

#: (resource with the policy, statement Sid, resource as written) -> why AWS needs the `*`.
WILDCARD_RESOURCES = {
    ("TradingSystemRole", "WriteTraces", "*"): (
        "X-Ray has no resource-level permissions: PutTraceSegments and"
        " PutTelemetryRecords take only Resource '*'"
    ),
    ("EventRoutingRole", "WriteTraces", "*"): (
        "X-Ray has no resource-level permissions: PutTraceSegments and"
        " PutTelemetryRecords take only Resource '*'"
    ),
    ("DeployHookRole", "WriteTraces", "*"): (
        "X-Ray has no resource-level permissions: PutTraceSegments and"
        " PutTelemetryRecords take only Resource '*'"
    ),
    (
        "DeployHookRole",
        "ReportVerdict",
        "arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:deploymentgroup:"
        "${ServerlessDeploymentApplication}/*",
    ): (
        "PutLifecycleEventHookExecutionStatus is granted on deployment groups, whose names"
        " CloudFormation generates (SAM sets none); naming one would also make a cycle"
        " (group -> hook -> role -> group): the groups of this stack's own application"
    ),
    ("EventRoutingRole", "ReadDailyBars", "${BarStoreBucket.Arn}/bars/*"): (
        "s3:GetObject is granted on object ARNs (bucket/key) and the symbols are data"
        " (strategies.json): the pattern is the bar store's key space, bar_key(symbol)"
    ),
    ("TradingSystemRole", "RefreshDailyBars", "${BarStoreBucket.Arn}/bars/*"): (
        "s3:GetObject/PutObject are granted on object ARNs (bucket/key) and the refresh"
        " writes one object per symbol of the strategy config: the bar store's key space"
    ),
    ("OperatorPolicy", "ImportBars", "${BarStoreBucket.Arn}/bars/*"): (
        "bars import merges the operator's CSV into any symbol's object (a symbol is the"
        " operator's argument): the bar store's key space, bar_key(symbol)"
    ),
    ("OperatorPolicy", "FindTheArchive", "*"): (
        "events:ListArchives has no resource-level permissions: it takes only Resource '*'"
        " (replay finds the bus's archive through it)"
    ),
    (
        "OperatorPolicy",
        "FollowReplays",
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:replay/alchemiser-${Stage}-*",
    ): (
        "each replay is named when it starts (alchemiser-<stage>-<day>-<id>, ops/replay.py):"
        " the stage's replays, no others"
    ),
}


@dataclass(frozen=True)
class Statement:
    """One policy statement and the resource whose policy holds it."""

    owner: str
    body: dict[str, Any]

    @property
    def sid(self) -> str:
        return str(self.body.get("Sid", ""))

    @property
    def allows(self) -> bool:
        return self.body.get("Effect") == "Allow"


def _branches(node: Any) -> Iterator[Any]:
    """The concrete values a node can take: both sides of ``Fn::If``, no ``AWS::NoValue``."""
    if isinstance(node, list):
        for item in node:
            yield from _branches(item)
    elif isinstance(node, dict) and "Fn::If" in node:
        for branch in node["Fn::If"][1:]:
            yield from _branches(branch)
    elif node != {"Ref": "AWS::NoValue"}:
        yield node


def _documents(node: Any) -> Iterator[dict[str, Any]]:
    """Every policy document (a mapping with a ``Statement``) anywhere below ``node``."""
    if isinstance(node, list):
        for item in node:
            yield from _documents(item)
    elif isinstance(node, dict):
        if "Statement" in node:
            yield node
        for value in node.values():
            yield from _documents(value)


def policy_statements(template: dict[str, Any]) -> list[Statement]:
    """Every statement of every policy in the template, by the resource that holds it."""
    return [
        Statement(owner, body)
        for owner, resource in template["Resources"].items()
        for document in _documents(resource.get("Properties", {}))
        for body in _branches(document["Statement"])
    ]


def _texts(node: Any) -> Iterator[str]:
    """A policy value as written: strings and ``!Sub`` templates; references as ``{Ref}``."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, dict) and "Fn::Sub" in node:
        sub = node["Fn::Sub"]
        yield sub if isinstance(sub, str) else sub[0]
    elif isinstance(node, dict) and "Fn::Join" in node:
        separator, parts = node["Fn::Join"]
        yield separator.join(next(_texts(part), "") for part in parts)
    elif isinstance(node, dict) and "Fn::If" in node:
        for branch in _branches(node):
            yield from _texts(branch)
    elif isinstance(node, dict):
        yield "{" + ".".join(map(str, node.get("Ref") or node.get("Fn::GetAtt") or [])) + "}"


def _wildcards(statements: list[Statement], element: str) -> list[tuple[str, str, str]]:
    """(owner, Sid, value) of every Allow whose ``element`` is a pattern, or its ``Not`` form."""
    found = []
    for statement in (s for s in statements if s.allows):
        if f"Not{element}" in statement.body:
            found.append((statement.owner, statement.sid, f"Not{element}"))
        found += [
            (statement.owner, statement.sid, value)
            for value in _texts(statement.body.get(element, []))
            if "*" in value
        ]
    return found


def wildcard_actions(statements: list[Statement]) -> list[tuple[str, str, str]]:
    """(owner, Sid, action) of every Allow whose actions are a pattern, or NotAction."""
    return _wildcards(statements, "Action")


def wildcard_resources(statements: list[Statement]) -> set[tuple[str, str, str]]:
    """(owner, Sid, resource) of every Allow reaching a ``*`` resource, or NotResource."""
    return set(_wildcards(statements, "Resource"))


def _everyone(principal: Any) -> bool:
    if isinstance(principal, dict):
        return "*" in set(_texts(principal.get("AWS", [])))
    return bool(principal == "*")


def open_principals(statements: list[Statement]) -> list[tuple[str, str]]:
    """(owner, Sid) of every Allow that names every principal."""
    return [(s.owner, s.sid) for s in statements if s.allows and _everyone(s.body.get("Principal"))]


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    """The translated template (module scope: built before sockets are blocked, since
    boto3's first import probes IPv6 with a socket)."""
    return translate_template(TEMPLATE_PATH, parameters={"Stage": "prod"})


@pytest.fixture
def statements(deployed: dict[str, Any]) -> list[Statement]:
    return policy_statements(deployed)


def test_no_allow_statement_grants_a_wildcard_action(statements) -> None:
    assert wildcard_actions(statements) == []


def test_wildcard_resources_are_exactly_the_ones_aws_requires(statements) -> None:
    found = wildcard_resources(statements)

    undocumented = found - WILDCARD_RESOURCES.keys()
    assert not undocumented, (
        f"a `*` resource without a reason: {sorted(undocumented)}; scope it to an ARN, or"
        " give the statement a Sid and add it to WILDCARD_RESOURCES with why AWS needs it"
    )
    assert WILDCARD_RESOURCES.keys() - found == set(), "an exception no statement needs"


def test_no_allow_statement_opens_to_every_principal(statements) -> None:
    assert open_principals(statements) == []


def test_every_policy_of_the_template_is_read(deployed, statements) -> None:
    owners = Counter(deployed["Resources"][s.owner]["Type"] for s in statements)

    for policy_type in (
        "AWS::IAM::Role",
        "AWS::IAM::ManagedPolicy",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
        "AWS::S3::BucketPolicy",
    ):
        assert owners[policy_type] > 0, policy_type
    assert ("EventRoutingRole", "ReadAlpacaKeys") in {(s.owner, s.sid) for s in statements}


def test_the_bar_reads_granted_are_the_keys_the_bar_store_uses(statements) -> None:
    (grant,) = [s for s in statements if s.sid == "ReadDailyBars"]
    (pattern,) = _texts(grant.body["Resource"])
    key_pattern = pattern.removeprefix("${BarStoreBucket.Arn}/")

    assert key_pattern != pattern, "the grant is on the bar store's objects"
    for symbol in ("SPY", "BRK.B", "QQQ"):
        assert fnmatch.fnmatchcase(bar_key(symbol), key_pattern), symbol


LOOSE = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyDocument:
            Statement:
              - {Sid: Broad, Effect: Allow, Action: "s3:Get*", Resource: !Sub "${Bucket.Arn}/*"}
              - !If
                - SomeCondition
                - {Sid: Maybe, Effect: Allow, NotAction: "iam:*", Resource: "*"}
                - !Ref AWS::NoValue
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      PolicyDocument:
        Statement:
          - {Sid: Guard, Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*"}
          - {Sid: Open, Effect: Allow, Principal: {AWS: "*"}, Action: s3:GetObject,
             Resource: "arn:aws:s3:::bucket/key"}
"""


def test_a_wildcard_in_an_allow_is_found_and_a_deny_may_keep_one() -> None:
    statements = policy_statements(yaml_parse(LOOSE))

    assert wildcard_actions(statements) == [
        ("Role", "Broad", "s3:Get*"),
        ("Role", "Maybe", "NotAction"),
    ]
    assert wildcard_resources(statements) == {
        ("Role", "Broad", "${Bucket.Arn}/*"),
        ("Role", "Maybe", "*"),
    }
    assert open_principals(statements) == [("Policy", "Open")]
