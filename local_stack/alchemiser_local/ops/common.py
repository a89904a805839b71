"""What every operator command shares: its target options and how it reports."""

from __future__ import annotations

import getpass
import json
import socket
import sys
from typing import TYPE_CHECKING, Any

from alchemiser_local.target import Target, resolve_target

if TYPE_CHECKING:
    import argparse

__all__ = [
    "OpsError",
    "add_target_arguments",
    "operator",
    "physical_ids",
    "print_json",
    "target_of",
]


class OpsError(Exception):
    """A problem the operator can fix; printed without a traceback (exit code 2)."""


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """``--stage S`` (a deployed stack, the caller's AWS credentials) or ``--local``."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--stage",
        dest="target_stage",
        metavar="S",
        help="the deployed stack of samconfig.toml environment S (your AWS credentials)",
    )
    where.add_argument("--local", action="store_true", help="the running `alchemiser up` stack")


def target_of(args: argparse.Namespace) -> Target:
    """The stack ``args`` names (``--local`` means the running ``up`` of ``--stage``'s stage).

    Raises:
        TargetError: it cannot be found; the message says what to do.
    """
    from alchemiser.logging import configure_logging  # noqa: PLC0415

    # The library's log lines go to stderr; stdout carries the command's result.
    configure_logging(stream=sys.stderr, fmt="console", force=True)
    return resolve_target(stage=args.target_stage, local=args.local, local_stage=args.stage)


def operator() -> str:
    """Who ran the command, for the records it leaves (``reset_by``, ``resumed_by``)."""
    return f"{getpass.getuser()}@{socket.gethostname()}"


def print_json(value: Any) -> None:  # noqa: ANN401 - any JSON-like result
    """One result as indented JSON on stdout (Decimal and dates as text)."""
    print(json.dumps(value, indent=2, default=str))


def physical_ids(target: Target) -> dict[str, str]:
    """What the stack created: logical id -> physical id (a queue's URL, a table's name).

    Every page of ``ListStackResources``, on AWS as on the local stack.
    """
    paginator = target.client("cloudformation").get_paginator("list_stack_resources")
    return {
        summary["LogicalResourceId"]: summary["PhysicalResourceId"]
        for page in paginator.paginate(StackName=target.stack_name)
        for summary in page.get("StackResourceSummaries", [])
        if summary.get("PhysicalResourceId")
    }
