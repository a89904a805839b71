"""The pre-traffic hook lets CodeDeploy move the aliases only to healthy versions of this build.

Lambda and CodeDeploy are botocore's own clients with ``Stubber``: each request is checked
against the service's API model (names, shapes) and answered as the service would.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from alchemiser.functions.deploy_hook import handle_lifecycle_event
from alchemiser.health import HEALTH_PROBE, PROBE_PAYLOAD, HealthReport
from alchemiser.runtime import new_container

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TRADING = "arn:aws:lambda:us-east-1:123456789012:function:alchemiser-trading-dev:8"
ROUTER = "arn:aws:lambda:us-east-1:123456789012:function:alchemiser-event-router-dev:8"
EVENT = {"DeploymentId": "d-ABCDEFGH1", "LifecycleEventHookExecutionId": "eyJ0ZXN0IjoxfQ=="}


class Context:
    aws_request_id = "req-1"
    function_version = "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


@pytest.fixture
def hook_dir(tmp_path: Path) -> Path:
    """The hook's artifact, built at COMMIT (its own build_info.json)."""
    (tmp_path / "build_info.json").write_text(json.dumps({"commit": COMMIT}))
    return tmp_path


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "CodeDeployHook_alchemiser-dev-pre-traffic")
    monkeypatch.setenv("HEALTH_TARGETS", f"{TRADING},{ROUTER}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    new_container()
    yield
    new_container()


def client(service: str) -> Any:
    make: Any = boto3.client  # typed per service; any of two services here
    return make(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def health(commit: str = COMMIT, **changes: object) -> dict[str, Any]:
    report = HealthReport.model_validate(
        {
            "status": "ok",
            "function": "f",
            "function_version": "8",
            "stage": "dev",
            "function_commit": commit,
            "layer_commit": commit,
            "imports_ok": True,
            "config_ok": True,
            **changes,
        }
    )
    body = report.model_dump_json().encode()
    return {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body))}


def expect_probe(stubber: Stubber, target: str, answer: dict[str, Any]) -> None:
    stubber.add_response(
        "invoke",
        answer,
        {"FunctionName": target, "InvocationType": "RequestResponse", "Payload": PROBE_PAYLOAD},
    )


def expect_verdict(stubber: Stubber, status: str) -> None:
    stubber.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"]},
        {
            "deploymentId": EVENT["DeploymentId"],
            "lifecycleEventHookExecutionId": EVENT["LifecycleEventHookExecutionId"],
            "status": status,
        },
    )


def run(hook_dir: Path, lambda_answers: list[tuple[str, Any]], verdict: str | None) -> Any:
    lambda_client, codedeploy = client("lambda"), client("codedeploy")
    with Stubber(lambda_client) as lambdas, Stubber(codedeploy) as deployments:
        for target, answer in lambda_answers:
            if isinstance(answer, str):
                lambdas.add_client_error("invoke", service_error_code=answer, http_status_code=403)
            else:
                expect_probe(lambdas, target, answer)
        if verdict:
            expect_verdict(deployments, verdict)
        result = handle_lifecycle_event(
            EVENT if verdict else {"DeploymentId": "x"},
            Context(),
            function_dir=hook_dir,
            lambda_client=lambda_client,
            codedeploy_client=codedeploy,
        )
        lambdas.assert_no_pending_responses()
        deployments.assert_no_pending_responses()
    return result


def test_healthy_new_versions_of_this_build_let_the_deploy_go_on(hook_dir) -> None:
    result = run(hook_dir, [(TRADING, health()), (ROUTER, health())], "Succeeded")

    assert result == {"status": "Succeeded", "expected_commit": COMMIT, "problems": []}


def test_a_version_of_another_build_fails_the_deploy_naming_it(hook_dir) -> None:
    old = "fedcba9876543210fedcba9876543210fedcba98"

    result = run(hook_dir, [(TRADING, health()), (ROUTER, health(old))], "Failed")

    assert result["status"] == "Failed"
    assert result["problems"] == [
        f"{ROUTER}: function_commit is '{old}', expected {COMMIT}",
        f"{ROUTER}: layer_commit is '{old}', expected {COMMIT}",
    ]


def test_a_version_that_cannot_import_its_handler_fails_the_deploy(hook_dir) -> None:
    error = {"errorType": "Runtime.ImportModuleError", "errorMessage": "No module named 'x'"}
    body = json.dumps(error).encode()
    broken = {
        "StatusCode": 200,
        "FunctionError": "Unhandled",
        "Payload": StreamingBody(io.BytesIO(body), len(body)),
    }

    result = run(hook_dir, [(TRADING, broken), (ROUTER, health())], "Failed")

    assert result["problems"] == [
        f"{TRADING}: invocation failed: Runtime.ImportModuleError: No module named 'x'"
    ]


def test_a_version_the_hook_may_not_invoke_fails_the_deploy(hook_dir) -> None:
    result = run(hook_dir, [(TRADING, "AccessDeniedException"), (ROUTER, health())], "Failed")

    (problem,) = result["problems"]
    assert problem.startswith(f"{TRADING}: could not be invoked: ClientError")
    assert "AccessDeniedException" in problem


def test_an_event_that_is_not_codedeploys_is_rejected_without_a_verdict(hook_dir) -> None:
    result = run(hook_dir, [], None)

    assert result["status"] == "rejected"
    assert [d["field"] for d in result["error"]["details"]] == [
        "DeploymentId",
        "LifecycleEventHookExecutionId",
    ]


def test_the_hook_answers_the_health_probe_like_every_function(hook_dir) -> None:
    report = handle_lifecycle_event(HEALTH_PROBE, Context(), function_dir=hook_dir)

    assert (report["status"], report["function_commit"]) == ("ok", COMMIT)
