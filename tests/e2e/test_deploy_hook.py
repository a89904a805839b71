"""The pre-traffic hook, run against the local stack: it probes real functions and reports.

The local stack runs no CodeDeploy deployment (CodeDeploy is set aside), so this test does
what CodeDeploy does: it invokes the hook function (``CodeDeployHook_...``, with its
template environment) with a lifecycle event. The hook invokes its targets through the
stack's Lambda endpoint, where the functions run in-process and answer the health probe,
and reports its verdict with CodeDeploy's API, which that endpoint answers and records.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from alchemiser.runtime import new_container
from alchemiser_local.functions import FunctionHost
from alchemiser_local.service import LocalService

if TYPE_CHECKING:
    from collections.abc import Iterator

    from alchemiser_local.stack import LocalStack

EVENT = {"DeploymentId": "d-LOCAL0001", "LifecycleEventHookExecutionId": "hook-execution-1"}


@pytest.fixture
def service(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalService]:
    """The running stack's endpoint, which the hook's Lambda and CodeDeploy calls reach."""
    running = LocalService(
        local_stack, upstream=os.environ["AWS_ENDPOINT_URL"], record=lambda *_: None
    )
    running.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", running.endpoint.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CODEDEPLOY", running.endpoint.url)
    new_container()  # the hook's clients read the endpoints afresh
    yield running
    running.stop()


def run_hook(stack: LocalStack) -> dict[str, Any]:
    host = FunctionHost(stack.functions["DeployHookFunction"], record=lambda *_: None)
    attempt = host.invoke(EVENT)
    assert attempt.error is None, attempt.error
    assert attempt.result is not None
    return attempt.result


def test_healthy_functions_let_the_deployment_go_on(local_stack, service) -> None:
    # Given the stack's two functions, running the code the hook was built with (the
    # working tree: none of them is a sam build, so all report the same 'unbuilt')
    # When CodeDeploy's pre-traffic hook runs
    result = run_hook(local_stack)

    # Then both were probed healthy and CodeDeploy was told to go on
    assert (result["status"], result["problems"]) == ("Succeeded", [])
    assert service.hook_statuses == [
        {
            "deploymentId": "d-LOCAL0001",
            "lifecycleEventHookExecutionId": "hook-execution-1",
            "status": "Succeeded",
        }
    ]


def test_a_misconfigured_function_fails_the_deployment(local_stack, service, monkeypatch) -> None:
    # Given the new router version lacks a variable its settings need
    monkeypatch.delenv("PAPER_BROKER_TABLE_NAME")
    new_container()

    # When the hook runs
    result = run_hook(local_stack)

    # Then CodeDeploy is told Failed (it keeps the old version), the router named
    assert result["status"] == "Failed"
    (problem,) = result["problems"]
    assert "alchemiser-event-router-dev: status 'degraded'" in problem
    assert "PAPER_BROKER_TABLE_NAME" in problem
    assert [s["status"] for s in service.hook_statuses] == ["Failed"]


def test_a_target_that_does_not_exist_fails_the_deployment(
    local_stack, service, monkeypatch
) -> None:
    monkeypatch.setenv("HEALTH_TARGETS", "alchemiser-never-deployed-dev")
    new_container()

    result = run_hook(local_stack)

    assert result["status"] == "Failed"
    assert "could not be invoked" in str(result["problems"])
    assert [s["status"] for s in service.hook_statuses] == ["Failed"]
