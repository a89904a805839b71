"""Prove a deploy is live: each function's alias answers the health probe with this commit.

Run by the deploy workflow after `sam deploy`. `sam deploy` succeeding only says
CloudFormation accepted the template; it does not say the new code imports in Lambda
(``Runtime.ImportModuleError``) or that the alias runs the code just built (a skipped
upload leaves old code running). So each alias in the stack's outputs is invoked with
exactly ``{"mode": "health"}`` (see ``alchemiser/health.py``) and its report checked.
Stdlib and boto3 only.

Usage: scripts/verify_deploy.py --config-env dev --expected-commit <sha>
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_lambda import LambdaClient

__all__ = [
    "ALIAS_OUTPUTS",
    "PROBE_PAYLOAD",
    "DeployTarget",
    "Invocation",
    "VerifyError",
    "alias_arns",
    "deploy_target",
    "invoke_health",
    "judge",
    "main",
    "stack_outputs",
    "verify",
]

SAMCONFIG = Path(__file__).resolve().parents[1] / "samconfig.toml"
#: The exact probe both handlers answer without side effects.
PROBE_PAYLOAD = b'{"mode": "health"}'
#: Stack outputs naming each function's published alias, by function.
ALIAS_OUTPUTS = {
    "TradingSystemFunction": "TradingSystemFunctionAliasArn",
    "EventRoutingFunction": "EventRoutingFunctionAliasArn",
}
# Longer than the longest function timeout (120 s), so a slow cold start is not cut off;
# the trading function has one reserved instance, so throttling is retried a while.
_LAMBDA_CONFIG = Config(read_timeout=150, retries={"mode": "standard", "max_attempts": 8})


class VerifyError(Exception):
    """Raised when the stack to verify cannot be found or described."""


@dataclass(frozen=True)
class DeployTarget:
    """Where a samconfig environment deploys to."""

    stack_name: str
    region: str


@dataclass(frozen=True)
class Invocation:
    """One synchronous invoke's outcome: ``FunctionError`` (if any) and the raw payload."""

    function_error: str | None
    payload: bytes


def deploy_target(config_env: str, samconfig: Path = SAMCONFIG) -> DeployTarget:
    """The stack and region `sam deploy --config-env <config_env>` uses.

    Raises:
        VerifyError: when the environment or its stack_name/region is missing.
    """
    config = tomllib.loads(samconfig.read_text())
    env = config.get(config_env)
    if not isinstance(env, dict):
        raise VerifyError(f"{samconfig.name} has no environment {config_env!r}")
    parameters = {
        **env.get("global", {}).get("parameters", {}),
        **env.get("deploy", {}).get("parameters", {}),
    }
    missing = [key for key in ("stack_name", "region") if not parameters.get(key)]
    if missing:
        raise VerifyError(f"{samconfig.name} [{config_env}] lacks {', '.join(missing)}")
    return DeployTarget(stack_name=parameters["stack_name"], region=parameters["region"])


@cache
def _cloudformation(region: str) -> CloudFormationClient:
    return boto3.client("cloudformation", region_name=region)


@cache
def _lambda(region: str) -> LambdaClient:
    return boto3.client("lambda", region_name=region, config=_LAMBDA_CONFIG)


def stack_outputs(
    target: DeployTarget, *, client: CloudFormationClient | None = None
) -> dict[str, str]:
    """The stack's outputs, by key.

    Raises:
        VerifyError: when the stack does not exist.
    """
    client = client or _cloudformation(target.region)
    try:
        stacks = client.describe_stacks(StackName=target.stack_name)["Stacks"]
    except client.exceptions.ClientError as exc:
        raise VerifyError(f"stack {target.stack_name} in {target.region}: {exc}") from exc
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def alias_arns(outputs: Mapping[str, str]) -> dict[str, str]:
    """Each function's alias ARN from the stack outputs.

    Raises:
        VerifyError: naming every output that is missing.
    """
    missing = sorted(key for key in ALIAS_OUTPUTS.values() if not outputs.get(key))
    if missing:
        raise VerifyError(f"stack outputs lack {', '.join(missing)}")
    return {function: outputs[key] for function, key in ALIAS_OUTPUTS.items()}


def invoke_health(alias_arn: str, *, client: LambdaClient) -> Invocation:
    """Invoke the alias synchronously with the health probe."""
    response = client.invoke(
        FunctionName=alias_arn, InvocationType="RequestResponse", Payload=PROBE_PAYLOAD
    )
    return Invocation(
        function_error=response.get("FunctionError"), payload=response["Payload"].read()
    )


def _parse(payload: bytes) -> dict[str, Any] | None:
    try:
        parsed = json.loads(payload)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def judge(function: str, invocation: Invocation, expected_commit: str) -> list[str]:
    """Every reason this function's answer fails the deploy (empty when healthy)."""
    report = _parse(invocation.payload)
    if invocation.function_error:
        detail = report or {}
        kind = detail.get("errorType", invocation.function_error)
        message = detail.get("errorMessage", invocation.payload.decode(errors="replace"))
        return [f"{function}: invocation failed: {kind}: {message}"]
    if report is None:
        return [f"{function}: health answer is not a JSON object: {invocation.payload[:200]!r}"]
    problems = []
    if report.get("status") != "ok":
        details = "; ".join(report.get("problems") or ()) or "no details"
        problems.append(
            f"{function}: status {report.get('status')!r} (imports_ok={report.get('imports_ok')},"
            f" config_ok={report.get('config_ok')}): {details}"
        )
    for key in ("function_commit", "layer_commit"):
        if report.get(key) != expected_commit:
            problems.append(f"{function}: {key} is {report.get(key)!r}, expected {expected_commit}")
    return problems


def verify(
    target: DeployTarget,
    expected_commit: str,
    *,
    cloudformation: CloudFormationClient | None = None,
    lambda_client: LambdaClient | None = None,
) -> list[str]:
    """Probe every function alias of the stack; returns the problems (empty: all healthy)."""
    arns = alias_arns(stack_outputs(target, client=cloudformation))
    client = lambda_client or _lambda(target.region)
    problems = []
    for function, arn in arns.items():
        found = judge(function, invoke_health(arn, client=client), expected_commit)
        print(f"{'FAIL' if found else 'ok  '} {function} {arn}")
        problems += found
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Verify the stack of ``--config-env``; exit status 1 names every problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-env", required=True, help="samconfig.toml environment")
    parser.add_argument("--expected-commit", required=True, help="the commit just deployed")
    parser.add_argument("--samconfig", type=Path, default=SAMCONFIG)
    args = parser.parse_args(argv)
    try:
        target = deploy_target(args.config_env, args.samconfig)
        problems = verify(target, args.expected_commit)
    except VerifyError as exc:
        print(f"deploy verification failed: {exc}", file=sys.stderr)
        return 1
    for problem in problems:
        print(f"deploy verification failed: {problem}", file=sys.stderr)
    if not problems:
        print(f"{target.stack_name}: every function is healthy at {args.expected_commit}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
