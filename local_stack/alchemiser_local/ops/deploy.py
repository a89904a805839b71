"""``alchemiser verify-deploy --commit SHA``: prove a deploy is live, after ``sam deploy``.

``sam deploy`` succeeding says CloudFormation accepted the template, and the pre-traffic
hook (``alchemiser.functions.deploy_hook``) saw the new versions healthy before the
``live`` aliases moved. This checks the end state the schedules and rules see: each
function's alias (``<Function>AliasArn`` in the stack's outputs) invoked with exactly
``{"mode": "health"}`` answers healthy, with the function and the layer built from
``SHA`` (``health.judge``, the hook's judge too). The deploy workflow runs it after every
deploy; it fails naming every problem. Locally there are no aliases: each function is
invoked by name (and reports the commit of the working tree it runs from: ``unbuilt``).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import OpsError, add_target_arguments, target_of

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Mapping

    from alchemiser.health import ProbeAnswer
    from alchemiser_local.target import Target

__all__ = ["ALIAS_OUTPUTS", "alias_arns", "invoke_health", "register", "report", "verify"]

#: Stack outputs naming each function's published alias, by function.
ALIAS_OUTPUTS = {
    "TradingSystemFunction": "TradingSystemFunctionAliasArn",
    "EventRoutingFunction": "EventRoutingFunctionAliasArn",
}
# Longer than the longest function timeout (120 s), so a slow cold start is not cut off;
# the trading function has one reserved instance, so throttling is retried a while.
_LAMBDA_CONFIG: dict[str, Any] = {
    "read_timeout": 150,
    "retries": {"mode": "standard", "max_attempts": 8},
}


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``verify-deploy``."""
    verify_parser = commands.add_parser(
        "verify-deploy", help="each function's alias answers the health probe at the commit"
    )
    verify_parser.add_argument("--commit", required=True, help="the commit just deployed")
    add_target_arguments(verify_parser)
    verify_parser.set_defaults(handler=_verify)


def alias_arns(outputs: Mapping[str, str], *, local: bool = False) -> dict[str, str]:
    """Each function's alias ARN from the stack outputs (locally: its name).

    Raises:
        OpsError: naming every output that is missing.
    """
    if local:
        names = {f: outputs.get(f"{f}Name", "") for f in ALIAS_OUTPUTS}
        missing = sorted(f"{f}Name" for f, name in names.items() if not name)
    else:
        names = {f: outputs.get(key, "") for f, key in ALIAS_OUTPUTS.items()}
        missing = sorted(key for key in ALIAS_OUTPUTS.values() if not outputs.get(key))
    if missing:
        raise OpsError(f"stack outputs lack {', '.join(missing)}")
    return names


def invoke_health(target: Target, function: str) -> ProbeAnswer:
    """Invoke ``function`` (name or ARN) synchronously with the health probe."""
    from alchemiser.health import PROBE_PAYLOAD, ProbeAnswer  # noqa: PLC0415

    client = target.client("lambda", **_LAMBDA_CONFIG)
    response = client.invoke(
        FunctionName=function, InvocationType="RequestResponse", Payload=PROBE_PAYLOAD
    )
    return ProbeAnswer(response.get("FunctionError"), response["Payload"].read())


def verify(target: Target, expected_commit: str, *, out: Callable[[str], None]) -> list[str]:
    """Probe every function alias of the stack; the problems (none: all healthy)."""
    from alchemiser.health import judge  # noqa: PLC0415

    problems = []
    for function, arn in alias_arns(target.outputs, local=target.is_local).items():
        found = judge(function, invoke_health(target, arn), expected_commit)
        out(f"{'FAIL' if found else 'ok  '} {function} {arn}")
        problems += found
    return problems


def report(target: Target, expected_commit: str) -> int:
    """Verify and say so: 0 when every alias is healthy at the commit, 1 naming each problem."""
    problems = verify(target, expected_commit, out=print)
    for problem in problems:
        print(f"deploy verification failed: {problem}", file=sys.stderr)
    if not problems:
        print(f"{target.stack_name}: every function is healthy at {expected_commit}")
    return 1 if problems else 0


def _verify(args: argparse.Namespace) -> int:
    return report(target_of(args), args.commit)
