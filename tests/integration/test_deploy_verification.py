"""`alchemiser verify-deploy` against the moto server: stack outputs, alias invokes, exit status.

moto cannot run Lambda code without Docker, so its Docker-free Lambda backend answers
each invoke with a queued payload (what the deployed handler would have answered); the
CloudFormation outputs, the alias ARNs and the invoke calls themselves are real API calls.
"""

from __future__ import annotations

import io
import json
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from alchemiser.health import HealthReport
from alchemiser_local.ops.deploy import ALIAS_OUTPUTS, report
from alchemiser_local.target import TargetError, resolve_target
from tests.integration.conftest import REGION

COMMIT = "0123456789abcdef0123456789abcdef01234567"
ACCOUNT = "123456789012"


def _moto_api(endpoint: str, path: str, body: object) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:
        response.read()


@pytest.fixture
def queue_answers(aws_env: str) -> Iterator[Callable[..., None]]:
    """Switch moto to its Docker-free Lambda; the returned function queues invoke answers."""
    _moto_api(aws_env, "/config", {"lambda": {"use_docker": False}})

    def queue(*payloads: str) -> None:
        _moto_api(
            aws_env,
            "/static/lambda-simple/response",
            {"results": list(payloads), "region": REGION, "account_id": ACCOUNT},
        )

    yield queue
    _moto_api(aws_env, "/config", {"lambda": {"use_docker": True}})


def write_samconfig(directory: Path, stack_name: str) -> Path:
    """A samconfig.toml whose ``dev`` environment deploys ``stack_name`` (here: to moto)."""
    samconfig = directory / "samconfig.toml"
    samconfig.write_text(
        f'version = 0.1\n[dev.deploy.parameters]\nstack_name = "{stack_name}"\n'
        f'region = "{REGION}"\n'
    )
    return samconfig


@dataclass(frozen=True)
class DeployedStack:
    samconfig: Path
    stack_name: str


@pytest.fixture
def deployed_stack(queue_answers: Callable[..., None], uid: str, tmp_path: Path) -> DeployedStack:
    """A stack whose outputs name two published function aliases, and a samconfig for it."""
    iam = boto3.client("iam", region_name=REGION)
    lam = boto3.client("lambda", region_name=REGION)
    role = iam.create_role(RoleName=f"verify-{uid}", AssumeRolePolicyDocument="{}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    return {}\n")
    outputs = []
    for function, output_key in ALIAS_OUTPUTS.items():
        name = f"{function}-{uid}"
        lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="handler.lambda_handler",
            Code={"ZipFile": code.getvalue()},
            Publish=True,
        )
        alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        outputs.append((output_key, alias["AliasArn"]))
    stack_name = f"alchemiser-{uid}"
    template = {
        "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
        "Outputs": {key: {"Value": arn} for key, arn in outputs},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=stack_name, TemplateBody=json.dumps(template)
    )
    return DeployedStack(samconfig=write_samconfig(tmp_path, stack_name), stack_name=stack_name)


def health_json(*, commit: str = COMMIT) -> str:
    return HealthReport(
        status="ok",
        function="alchemiser-trading-dev",
        function_version="1",
        stage="dev",
        function_commit=commit,
        layer_commit=commit,
        imports_ok=True,
        config_ok=True,
    ).model_dump_json()


def verify(stack: DeployedStack) -> int:
    target = resolve_target(stage="dev", local=False, samconfig=stack.samconfig)
    return report(target, COMMIT)


def test_verify_passes_when_every_alias_runs_the_commit(
    deployed_stack: DeployedStack,
    queue_answers: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given both aliases answer the probe healthy, built from the deployed commit
    queue_answers(health_json(), health_json())

    # When the deploy is verified
    status = verify(deployed_stack)

    # Then it passes and says so
    assert status == 0
    assert (
        f"{deployed_stack.stack_name}: every function is healthy at {COMMIT}"
        in capsys.readouterr().out
    )


def test_verify_fails_when_aliases_run_an_older_commit(
    deployed_stack: DeployedStack,
    queue_answers: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given both aliases still run code from an earlier commit (an upload was skipped)
    old = "fedcba9876543210fedcba9876543210fedcba98"
    queue_answers(health_json(commit=old), health_json(commit=old))

    # When the deploy is verified
    status = verify(deployed_stack)

    # Then it fails, naming each function and artifact
    assert status == 1
    errors = capsys.readouterr().err
    for function in ALIAS_OUTPUTS:
        for key in ("function_commit", "layer_commit"):
            assert f"{function}: {key} is '{old}', expected {COMMIT}" in errors


def test_verify_fails_clearly_when_the_stack_does_not_exist(tmp_path: Path, uid: str) -> None:
    # Given a samconfig environment whose stack was never deployed
    samconfig = write_samconfig(tmp_path, f"missing-{uid}")

    # When the deploy is verified / Then it fails with the stack named
    with pytest.raises(TargetError, match=f"stack missing-{uid}"):
        resolve_target(stage="dev", local=False, samconfig=samconfig)
