"""A running local stack: the emulator, the stack from template.yaml, the functions' env."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING

from alchemiser.runtime import new_container
from alchemiser_local.emulator import Emulator, running_emulator
from alchemiser_local.environment import patched_environ
from alchemiser_local.functions import FunctionHost, shared_environment
from alchemiser_local.iam import bootstrap_admin, principals_of
from alchemiser_local.stack import create, prepare

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from alchemiser_local.functions import Attempt
    from alchemiser_local.iam import Credentials
    from alchemiser_local.stack import LocalStack, PreparedStack

__all__ = [
    "created_stack",
    "invoke_function",
    "process_environment",
    "running_stack",
    "warm_up",
]

STACK_NAME = "alchemiser-{stage}"


def process_environment(stack: LocalStack) -> dict[str, str]:
    """Both functions' environment plus the task worker's (one process runs them all)."""
    return {
        **shared_environment(stack.functions.values()),
        "LEDGER_TABLE_NAME": stack.outputs["LedgerTableName"],
        "TARGET_ENVIRONMENT": stack.stage,
    }


def warm_up() -> None:
    """What the first invocations would load: done while the emulator starts.

    The functions' lazily imported modules (the health probes' lists) and boto3's
    service models, which every later client of a service shares.
    """
    import importlib  # noqa: PLC0415

    import boto3  # noqa: PLC0415

    from alchemiser import aws  # noqa: PLC0415
    from alchemiser.functions.routing import health as router_probe  # noqa: PLC0415
    from alchemiser.functions.trading import health as trading_probe  # noqa: PLC0415

    for module in (*trading_probe.modules, *router_probe.modules):
        importlib.import_module(module)
    # The container's own clients (they point at the emulator already), and the models
    # of the services only the local stack itself calls.
    for factory in (aws.events_client, aws.dynamodb_client, aws.s3_client):
        factory()
    for service in ("sqs", "cloudformation", "lambda", "logs"):
        boto3.client(service)


@contextmanager
def running_stack(
    *,
    template: Path,
    root: Path,
    stage: str,
    emulator: Emulator,
    parameters: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, LocalStack]]:
    """The emulator with the stack created; this process has the functions' environment.

    ``parameters`` override the template's parameters (``BrokerBackend=alpaca``). Yields
    the endpoint URL and the stack; everything stops on exit.

    Raises:
        TemplateError, StackError, EmulatorError: see ``stack`` and ``emulator``.
    """
    with running_emulator(emulator):
        new_container()  # this emulator's clients, this stack's settings
        prepared = prepare(
            root=root,
            template_path=template,
            stage=stage,
            stack_name=STACK_NAME.format(stage=stage),
            parameters=parameters,
        )
        warm_up()
        emulator.wait_ready()
        with created_stack(prepared, emulator) as stack:
            yield emulator.endpoint, stack


@contextmanager
def created_stack(prepared: PreparedStack, emulator: Emulator) -> Iterator[LocalStack]:
    """``prepared`` created in the running ``emulator``; this process has its environment.

    With IAM enforced, the local stack's admin creates it and every role is assumed
    (``stack.principals``). On exit the container's caches are forgotten.
    """
    with _as_admin(emulator) as admin:
        stack = create(prepared)
        if admin is not None:
            stack = replace(stack, principals=principals_of(stack, admin, emulator.endpoint))
        with patched_environ(process_environment(stack)):
            try:
                yield stack
            finally:
                new_container()


@contextmanager
def _as_admin(emulator: Emulator) -> Iterator[Credentials | None]:
    """With IAM enforced, the local stack's own admin signs what the process calls.

    Its credentials are the environment's (and boto3's default session's) until a
    function runs (``iam.FunctionCredentials``); on exit boto3 forgets them.
    """
    if not emulator.enforces_iam:
        yield None
        return
    import boto3  # noqa: PLC0415

    admin = bootstrap_admin(emulator.endpoint)
    with patched_environ(admin.environ()):
        boto3.setup_default_session()
        try:
            yield admin
        finally:
            boto3.DEFAULT_SESSION = None


def invoke_function(
    *, template: Path, root: Path, stage: str, port: int, function: str, event: object
) -> Attempt:
    """What ``sam local invoke`` does, without Docker: one synchronous invocation.

    The function runs against a fresh local stack (seeded like ``run``), so whatever it
    reads or writes exists.

    Raises:
        LookupError: ``function`` is not a function of the template.
    """
    from datetime import UTC, datetime  # noqa: PLC0415

    from alchemiser_local.seed import seed_world, synthetic_world  # noqa: PLC0415
    from alchemiser_local.template import load_template  # noqa: PLC0415

    functions = sorted(
        logical_id
        for logical_id, body in load_template(template)["Resources"].items()
        if body.get("Type") == "AWS::Serverless::Function"
    )
    if function not in functions:
        raise LookupError(
            f"no function {function!r} in {template}; functions: {', '.join(functions)}"
        )
    today = datetime.now(UTC).date()
    world = synthetic_world(first_day=today, last_day=today, seed=7)
    emulator = Emulator(port=port)
    with running_stack(template=template, root=root, stage=stage, emulator=emulator) as (_, stack):
        seed_world(stack, world)
        return FunctionHost(stack.functions[function], record=lambda *_: None).invoke(event)
