"""Every statement of every role in template.yaml, and the template with one of them dropped.

A role's statements are its trust policy's (who may assume it), its inline policies' and
those of the managed policies attached to it (``Roles:``); an ``!If`` statement counts
once. Resource policies (bucket, queue, topic) are not here: they grant AWS services,
and the emulator does not evaluate them (``alchemiser_local.emulator_iam``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "TRUST",
    "RoleStatement",
    "drop_statement",
    "role_of",
    "role_statements",
    "statement_body",
]

#: The policy name a trust policy's statements are listed under.
TRUST = "trust"


@dataclass(frozen=True, order=True)
class RoleStatement:
    """One statement: the resource whose policy holds it, the policy, its Sid."""

    owner: str
    policy: str
    sid: str

    def __str__(self) -> str:
        return f"{self.owner}.{self.sid}"


def _unwrapped(statement: Any) -> dict[str, Any] | None:
    """A statement, or the statement inside an ``!If`` to ``AWS::NoValue``."""
    if isinstance(statement, dict) and "Fn::If" in statement:
        branches = [b for b in statement["Fn::If"][1:] if b != {"Ref": "AWS::NoValue"}]
        return branches[0] if len(branches) == 1 else None
    return statement if isinstance(statement, dict) else None


def _documents(name: str, resource: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    properties = resource.get("Properties", {})
    if resource["Type"] == "AWS::IAM::Role":
        yield TRUST, properties["AssumeRolePolicyDocument"]
        for policy in properties.get("Policies", []):
            yield policy["PolicyName"], policy["PolicyDocument"]
    elif resource["Type"] == "AWS::IAM::ManagedPolicy":
        yield name, properties["PolicyDocument"]


def role_statements(template: dict[str, Any]) -> list[RoleStatement]:
    """Every role statement of the (SAM) template, sorted.

    Raises:
        ValueError: a statement has no Sid (a proof names statements by Sid).
    """
    found = []
    for owner, resource in template["Resources"].items():
        for policy, document in _documents(owner, resource):
            for statement in map(_unwrapped, document["Statement"]):
                if statement is None or "Sid" not in statement:
                    raise ValueError(f"a statement of {owner} ({policy}) has no Sid: {statement}")
                found.append(RoleStatement(owner, policy, statement["Sid"]))
    return sorted(found)


def role_of(template: dict[str, Any], owner: str) -> str:
    """The role a statement's owner grants: itself, or a managed policy's one role."""
    resource = template["Resources"][owner]
    if resource["Type"] == "AWS::IAM::Role":
        return owner
    (role,) = resource["Properties"]["Roles"]
    return str(role["Ref"])


def drop_statement(template: dict[str, Any], statement: RoleStatement) -> dict[str, Any]:
    """A copy of ``template`` without ``statement``.

    Raises:
        LookupError: the template has no such statement.
    """
    dropped = copy.deepcopy(template)
    resource = dropped["Resources"][statement.owner]
    for policy, document in _documents(statement.owner, resource):
        kept = [
            s
            for s in document["Statement"]
            if policy != statement.policy or (_unwrapped(s) or {}).get("Sid") != statement.sid
        ]
        if len(kept) < len(document["Statement"]):
            document["Statement"] = kept
            return dropped
    raise LookupError(f"no statement {statement} in the template")


def statement_body(template: dict[str, Any], statement: RoleStatement) -> dict[str, Any]:
    """The statement itself (its Action, Resource, ...).

    Raises:
        LookupError: the template has no such statement.
    """
    resource = template["Resources"][statement.owner]
    for policy, document in _documents(statement.owner, resource):
        for body in map(_unwrapped, document["Statement"]):
            if policy == statement.policy and body is not None and body.get("Sid") == statement.sid:
                return body
    raise LookupError(f"no statement {statement} in the template")
