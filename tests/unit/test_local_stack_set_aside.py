"""What the emulator cannot create is set aside, and nothing created refers to it."""

from __future__ import annotations

import re

import pytest

from alchemiser_local.stack import SET_ASIDE, PreparedStack, prepare
from tests.support.template import ROOT, TEMPLATE_PATH

_SUB = re.compile(r"\$\{([A-Za-z0-9]+)")


@pytest.fixture(scope="module")
def prepared() -> PreparedStack:
    return prepare(root=ROOT, template_path=TEMPLATE_PATH, stage="dev", stack_name="alchemiser-dev")


def references(node: object) -> set[str]:
    """Every logical id ``node`` refers to: Ref, GetAtt and ``${...}`` of a Sub."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= references(item)
    elif isinstance(node, dict):
        if "Ref" in node:
            found.add(str(node["Ref"]))
        if "Fn::GetAtt" in node:
            found.add(str(node["Fn::GetAtt"][0]))
        sub = node.get("Fn::Sub")
        if isinstance(sub, str):
            found |= set(_SUB.findall(sub))
        for value in node.values():
            found |= references(value)
    return found


def test_codedeploy_and_the_saved_queries_are_set_aside(prepared) -> None:
    kept = {body["Type"] for body in prepared.prepared.template["Resources"].values()}
    set_aside = {body["Type"] for body in prepared.prepared.set_aside.values()}

    assert {"AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup"} <= set_aside
    assert "AWS::Logs::QueryDefinition" in set_aside
    assert not kept & SET_ASIDE


def test_nothing_created_refers_to_what_is_set_aside(prepared) -> None:
    resources = prepared.prepared.template["Resources"]

    dangling = {
        (logical_id, target)
        for logical_id, body in resources.items()
        for target in references(body)
        if target in prepared.prepared.set_aside
    }

    assert dangling == set()


def test_the_hook_may_report_to_a_deployment_group_named_for_the_local_stack(prepared) -> None:
    role = prepared.prepared.template["Resources"]["DeployHookRole"]
    (statement,) = [
        s
        for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        if s["Sid"] == "ReportVerdict"
    ]

    assert (
        "ServerlessDeploymentApplication-not-created-locally/*" in statement["Resource"]["Fn::Sub"]
    )
