"""``alchemiser up``: the local stack as a deployed stack, running until it is stopped.

The stack is created from template.yaml as a fresh deployment, Alpaca runs on loopback
(serving the synthetic bars through the last session before today), and the stack keeps
delivering whatever is fired at it (``service``). With ``--bare`` nothing more happens:
the bar store is empty and the paper account does not exist, exactly as after ``sam
deploy``, so the first-deploy runbook's commands can be run against it with ``--local``.
Without it, the market data refresh fires once at start, as its schedule would on a
weekday morning.

Operator commands find it through its state file (``target.local_state_path``): the
endpoint to send AWS calls to, the region and the stack's name.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from alchemiser_local.alpaca_local import local_alpaca
from alchemiser_local.emulator import EMULATOR_ENV, Emulator
from alchemiser_local.iam import UNCHECKED_REQUESTS
from alchemiser_local.lambda_logs import log_to_cloudwatch
from alchemiser_local.report import format_entry
from alchemiser_local.service import LocalService
from alchemiser_local.session import running_stack
from alchemiser_local.target import LocalCredentials, LocalStackState, local_state_path
from alchemiser_local.timeline import Timeline

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from alchemiser_local.stack import LocalStack

__all__ = ["UpOptions", "serve"]

#: The schedule fired at start unless ``--bare``.
MARKET_DATA_REFRESH = "MarketDataRefreshSchedule"


@dataclass(frozen=True)
class UpOptions:
    """What ``alchemiser up`` was asked to do."""

    root: Path
    template: Path
    out_dir: Path
    stage: str = "dev"
    port: int = 0
    endpoint_port: int = 0
    bare: bool = False
    seed: int = 7
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: The emulator enforces IAM; operator commands get OperatorRole's credentials.
    enforce_iam: bool = False


def _state(service: LocalService, stack: LocalStack) -> LocalStackState:
    operator = stack.principals.operator if stack.principals else None
    return LocalStackState(
        endpoint=service.endpoint.url,
        region=EMULATOR_ENV["AWS_REGION"],
        stage=stack.stage,
        stack_name=stack.stack_name,
        pid=os.getpid(),
        credentials=LocalCredentials.of(operator) if operator else None,
    )


def _announce(
    out: Callable[[str], None], service: LocalService, stack: LocalStack, state_file: Path
) -> None:
    out(f"AWS_ENDPOINT_URL={service.endpoint.url}")
    if stack.principals is None:
        out("AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_DEFAULT_REGION=us-east-1")
    else:
        out("IAM enforced: operator commands (--local) run as OperatorRole (the state file)")
        out(" ".join(f"{k}={v}" for k, v in stack.principals.operator.environ().items()))
    for key, value in sorted(stack.outputs.items()):
        out(f"{key:32} {value}")
    out(f"\nstate {state_file}")
    out("local stack running; operator commands take --local; Ctrl-C stops it")


def _stop_on_signals() -> threading.Event:
    stopped = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stopped.set())
    return stopped


def serve(options: UpOptions, *, out: Callable[[str], None] = print) -> int:
    """Run the local stack until SIGINT or SIGTERM; see the module docstring."""
    from alchemiser.trading.market_calendar import previous_trading_day  # noqa: PLC0415
    from alchemiser_local.seed import synthetic_world  # noqa: PLC0415

    stopped = _stop_on_signals()
    now = datetime.now(UTC)
    last_session = previous_trading_day(now.date())
    world = synthetic_world(first_day=last_session, last_day=last_session, seed=options.seed)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    state_file = local_state_path(options.stage)
    with (
        running_stack(
            template=options.template,
            root=options.root,
            stage=options.stage,
            emulator=Emulator(
                port=options.port,
                unchecked_requests=UNCHECKED_REQUESTS if options.enforce_iam else None,
            ),
            parameters=options.parameters,
        ) as (endpoint, stack),
        local_alpaca(stack, world) as alpaca,
        (options.out_dir / f"{options.stage}-lambda-logs.jsonl").open("w") as log_file,
        (options.out_dir / f"{options.stage}-task-worker.log").open("w") as worker_log,
        log_to_cloudwatch(
            log_file, stack.principals.log_group_clients(stack) if stack.principals else None
        ) as logs,
    ):
        alpaca.set_now(now)
        timeline = Timeline(started=time.perf_counter(), on_entry=lambda e: out(format_entry(e)))
        service = LocalService(
            stack,
            upstream=endpoint,
            record=timeline.record,
            port=options.endpoint_port,
            logs=logs,
            worker_log=worker_log,
            on_hook_status=lambda s: out(
                f"  CodeDeploy hook {s['lifecycleEventHookExecutionId']} of {s['deploymentId']}: "
                f"{s['status']}"
            ),
        )
        service.start()
        try:
            state_file.parent.mkdir(parents=True, exist_ok=True)
            state_file.write_text(_state(service, stack).model_dump_json() + "\n")
            _announce(out, service, stack, state_file)
            if not options.bare:
                service.fire(stack.schedule(MARKET_DATA_REFRESH), now)
            stopped.wait()
            out("\nstopping")
        finally:
            state_file.unlink(missing_ok=True)
            service.stop()
    return 0
