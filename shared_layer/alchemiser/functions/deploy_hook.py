"""The deploy's pre-traffic hook: the new versions must be healthy before ``live`` moves.

``sam deploy`` publishes a new version of each function; CodeDeploy (the functions'
``DeploymentPreference``) shifts the ``live`` alias to it only after this hook has
answered ``Succeeded``. The hook invokes each new version (``HEALTH_TARGETS``) with the
health probe and judges the answer (``health.judge``): status ok, and the function and
layer built from the same commit as the hook itself (the same ``sam build``: its own
``build_info.json``). Anything else, an import error in Lambda or an artifact from
another build included, answers ``Failed``: CodeDeploy keeps the old version on the
alias, CloudFormation rolls the stack back and the deploy fails.

A failure to probe (a permission, a throttle) is a ``Failed`` verdict too; only a failure
to report the verdict raises, so Lambda's retries of the asynchronous invocation report
it again, and a hook that never reports makes CodeDeploy fail the deploy by timeout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from alchemiser.config import DeployHookSettings
from alchemiser.errors import InputRejectedError
from alchemiser.health import PROBE_PAYLOAD, HealthProbe, ProbeAnswer, build_commit, is_health_probe
from alchemiser.health import judge as judge_answer
from alchemiser.logging import get_logger
from alchemiser.runtime import lambda_invocation, record_rejection

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_lambda import LambdaClient

    from alchemiser.runtime import LambdaContext

__all__ = ["LifecycleEvent", "handle_lifecycle_event", "health", "probe_targets"]

#: The hook imports only these on a real run; the probe proves the layer has them.
health = HealthProbe(DeployHookSettings, ("alchemiser.aws", "boto3"))

_log = get_logger(__name__)
Verdict = Literal["Succeeded", "Failed"]


class LifecycleEvent(BaseModel):
    """What CodeDeploy invokes a lifecycle hook with."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    deployment_id: str = Field(alias="DeploymentId", pattern=r"^d-[A-Za-z0-9]+$", max_length=64)
    execution_id: str = Field(alias="LifecycleEventHookExecutionId", min_length=1, max_length=2048)


def probe_targets(
    targets: Sequence[str], expected_commit: str, *, client: LambdaClient
) -> list[str]:
    """Invoke each target with the health probe; every problem found (none: healthy)."""
    from alchemiser.aws import aws_errors  # noqa: PLC0415 - botocore on first use

    problems = []
    for target in targets:
        try:
            response = client.invoke(
                FunctionName=target, InvocationType="RequestResponse", Payload=PROBE_PAYLOAD
            )
        except aws_errors() as exc:
            problems.append(f"{target}: could not be invoked: {type(exc).__name__}: {exc}")
            continue
        answer = ProbeAnswer(response.get("FunctionError"), response["Payload"].read())
        problems += judge_answer(target, answer, expected_commit)
    return problems


def _report(client: CodeDeployClient, event: LifecycleEvent, verdict: Verdict) -> None:
    client.put_lifecycle_event_hook_execution_status(
        deploymentId=event.deployment_id,
        lifecycleEventHookExecutionId=event.execution_id,
        status=verdict,
    )


def handle_lifecycle_event(
    event: object,
    context: LambdaContext,
    *,
    function_dir: Path | None = None,
    lambda_client: LambdaClient | None = None,
    codedeploy_client: CodeDeployClient | None = None,
) -> dict[str, Any]:
    """Probe the new versions and report the verdict to CodeDeploy (see the module)."""
    if is_health_probe(event):
        return health(function_dir, context)
    from alchemiser import aws  # noqa: PLC0415 - boto3 on first use

    with lambda_invocation(context, DeployHookSettings) as settings:
        try:
            lifecycle = LifecycleEvent.model_validate(event)
        except ValidationError as exc:
            error = InputRejectedError.from_validation(exc, prefix=None)
            return {"status": "rejected", "error": record_rejection(error, event)}
        expected = build_commit(function_dir)
        problems = probe_targets(
            settings.health_targets, expected, client=lambda_client or aws.lambda_client()
        )
        verdict: Verdict = "Failed" if problems else "Succeeded"
        _report(codedeploy_client or aws.codedeploy_client(), lifecycle, verdict)
        log = _log.error if problems else _log.info
        log(
            "deploy_hook_verdict",
            verdict=verdict,
            deployment_id=lifecycle.deployment_id,
            expected_commit=expected,
            targets=list(settings.health_targets),
            problems=problems,
        )
        return {"status": verdict, "expected_commit": expected, "problems": problems}
