"""What the stack does, path by path, run on an enforced local stack (``World``).

Each path is what a deployed stack does on its own (the schedules' workflow, the PnL
task, the worker), what goes wrong in it (a failed refresh ending in its failure queue),
or what an operator or a deploy does to it (the CLI's commands, the pre-traffic hook).
A step that fails is recorded and the path goes on: what the emulator refused is the
evidence (``harness``), whatever the code did with the refusal.
"""

from __future__ import annotations

import base64
import functools
import json
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser_local.alpaca_emulator_faults import Fault
from alchemiser_local.alpaca_local import new_york_at
from alchemiser_local.environment import patched_environ
from alchemiser_local.iam import denials
from alchemiser_local.ops import bars, deploy, dlq, paper, replay, risk, schedule
from alchemiser_local.ops.log_records import log_groups, read_records
from alchemiser_local.runner import DAILY_TRADE, FIRES_AT, MARKET_DATA_REFRESH, WEEKLY_PNL
from alchemiser_local.target import Target
from alchemiser_local.tasks import WorkerProcess

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from alchemiser_local.alpaca_emulator import AlpacaEmulator
    from alchemiser_local.lambda_logs import LambdaLogs
    from alchemiser_local.seed import SyntheticWorld
    from alchemiser_local.service import LocalService
    from alchemiser_local.stack import LocalStack

__all__ = ["PATHS", "Path_", "World"]

#: What CodeDeploy sends the pre-traffic hook.
HOOK_EVENT = {"DeploymentId": "d-LOCAL0001", "LifecycleEventHookExecutionId": "hook-1"}
#: Alpaca throttles every order (429, retry at once): the execution step fails its
#: retries and gives up, without the client's backoff between them.
ORDER_FAULT = Fault(
    kind="rate_limit", retry_after=0, path="/v2/orders*", method="POST", times=10_000
)
#: ...and every market data request: the refresh fails, retries, gives up.
DATA_FAULT = Fault(kind="rate_limit", retry_after=0, path="/v2/stocks*", times=10_000)
_TASK_WAIT_SECONDS = 20.0


@dataclass
class World:
    """One enforced stack, running as ``alchemiser up`` runs it, with no worker."""

    stack: LocalStack
    service: LocalService
    alpaca: AlpacaEmulator
    logs: LambdaLogs
    synthetic: SyntheticWorld
    template: Path
    day: date
    failures: list[str] = field(default_factory=list)
    #: Every delivery made (function logical id, payload), envelopes included.
    delivered: list[tuple[str, object]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        """The emulator's endpoint."""
        assert self.stack.principals is not None
        return self.stack.principals.endpoint

    def admin(self, service: str) -> Any:
        """A client of the local stack's admin (seeding what a path needs)."""
        assert self.stack.principals is not None
        return self.stack.principals.admin.client(service, self.endpoint)

    def step(self, name: str, action: Callable[[], object]) -> None:
        """Run one step; a failure is recorded and the path goes on."""
        try:
            action()
        except Exception as exc:
            self.failures.append(f"{name}: {type(exc).__name__}: {exc}")


def fire(world: World, logical_id: str, day: date | None = None) -> None:
    """A schedule fires at its time on ``day`` (``world.day``); all it causes settles."""
    instant = new_york_at(day or world.day, FIRES_AT[logical_id])
    world.alpaca.set_now(instant)
    world.step(
        f"fire {logical_id}", lambda: world.service.fire(world.stack.schedule(logical_id), instant)
    )
    world.step(f"settle {logical_id}", lambda: world.service.settle(timeout_seconds=30))


def setup(world: World) -> None:
    """Nothing beyond creating the stack and assuming its roles (the world's making)."""
    del world


def refresh(world: World) -> None:
    """08:00: the market data refresh fills the empty bar store from Alpaca."""
    fire(world, MARKET_DATA_REFRESH)


def workflow(world: World) -> None:
    """The refresh, then 09:35: the daily trade and its whole workflow."""
    refresh(world)
    fire(world, DAILY_TRADE)


def pnl(world: World) -> None:
    """The workflow, then 16:30: the weekly PnL command queues its task."""
    workflow(world)
    fire(world, WEEKLY_PNL)


def _depth(world: World, url: str) -> int:
    attributes = world.admin("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return sum(int(value) for value in attributes.values())


def _worker_busy(world: World) -> bool:
    """Tasks still queued, and nothing refused to the worker (which ends its work)."""
    queued = sum(
        _depth(world, world.stack.outputs[o]) for o in ("PnlReportsQueueUrl", "TradeLedgerQueueUrl")
    )
    return bool(queued) and not any(
        "-TaskWorkerRole-" in d["principal"] for d in denials(world.endpoint)
    )


def tasks(world: World) -> None:
    """The task worker (its own process, TaskWorkerRole) on a PnL task that fails (no
    equity history yet: it goes to its DLQ), then on the workflow's and the PnL's tasks."""
    from alchemiser.trading.market_calendar import previous_trading_day

    assert world.stack.principals is not None
    with tempfile.TemporaryFile("w+") as log:
        worker = WorkerProcess(world.stack.principals.worker.environ(), log=log)
        worker.start()
        try:
            fire(world, WEEKLY_PNL, previous_trading_day(world.day))
            pnl(world)
            deadline = time.monotonic() + _TASK_WAIT_SECONDS
            while _worker_busy(world) and worker.running and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
    failed = {
        q: _depth(world, world.stack.physical_ids[q]) for q in ("PnlReportsDLQ", "TradeLedgerDLQ")
    }
    if failed != {"PnlReportsDLQ": 1, "TradeLedgerDLQ": 0}:
        world.failures.append(f"task DLQs hold {failed}, not the one PnL task without history")


def failed_refresh(world: World) -> None:
    """Alpaca's market data down: the refresh fails its retries, into its failure queue."""
    world.alpaca.fail(DATA_FAULT)
    refresh(world)


def failed_execution(world: World) -> None:
    """Alpaca refusing every order: the execution step fails its retries, into its queue."""
    refresh(world)
    world.alpaca.fail(ORDER_FAULT)
    fire(world, DAILY_TRADE)


def missing_bars(world: World) -> None:
    """The trade with a symbol's bars gone from the bar store (S3 must say 404, not 403)."""
    from alchemiser.trading.bar_store import bar_key

    refresh(world)
    symbol = sorted(world.synthetic.bars)[0]
    world.admin("s3").delete_object(
        Bucket=world.stack.outputs["BarStoreBucketName"], Key=bar_key(symbol)
    )
    fire(world, DAILY_TRADE)


def deploy_hook(world: World) -> None:
    """CodeDeploy's pre-traffic hook probing both functions through the local endpoint."""
    url = world.service.endpoint.url
    hook = world.service.deliveries.hosts["DeployHookFunction"]
    with patched_environ({"AWS_ENDPOINT_URL_LAMBDA": url, "AWS_ENDPOINT_URL_CODEDEPLOY": url}):
        attempt = hook.invoke(HOOK_EVENT)
    if attempt.error or (attempt.result or {}).get("status") != "Succeeded":
        world.failures.append(f"deploy hook: {attempt.error or attempt.result}")


def operator_target(world: World) -> Target:
    """The stack as the CLI's ``--local`` sees it, with OperatorRole's credentials."""
    assert world.stack.principals is not None
    session = world.stack.principals.operator.session()
    cloudformation = session.client("cloudformation", endpoint_url=world.service.endpoint.url)
    stacks = cloudformation.describe_stacks(StackName=world.stack.stack_name)["Stacks"]
    return Target(
        stage=world.stack.stage,
        stack_name=world.stack.stack_name,
        session=session,
        endpoint_url=world.service.endpoint.url,
        outputs={o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])},
    )


def _bars_file(directory: Path, symbol: str, day: date) -> Path:
    path = directory / f"{symbol}.csv"
    path.write_text(f"date,open,high,low,close,volume\n{day},10,11,9,10.5,1000\n")
    return path


def _failed_messages(world: World) -> None:
    """One message in each kind of failure queue, as the stack's failures leave them."""
    sqs = world.admin("sqs")
    envelope = next(p for _, p in world.delivered if isinstance(p, dict) and "detail-type" in p)
    sqs.send_message(
        QueueUrl=world.stack.outputs["DomainEventsDLQUrl"], MessageBody=json.dumps(envelope)
    )
    record = {
        "requestContext": {
            "requestId": "proof-1",
            "functionArn": f"{world.stack.functions['TradingSystemFunction'].name}:$LATEST",
            "condition": "RetriesExhausted",
        },
        "requestPayload": {"mode": "health"},
        "responsePayload": {"errorType": "Proof", "errorMessage": "a replay"},
    }
    sqs.send_message(
        QueueUrl=world.stack.outputs["TradingFailuresQueueUrl"], MessageBody=json.dumps(record)
    )
    task = {
        "queue_name": "trade_ledger",
        "actor_name": "trade_ledger_entry",
        "args": [],
        "kwargs": {},
    }
    task_dlq = world.stack.physical_ids["TradeLedgerDLQ"]
    sqs.send_message(
        QueueUrl=task_dlq, MessageBody=base64.b64encode(json.dumps(task).encode()).decode()
    )


def operator(world: World) -> None:
    """Every operator command of the CLI, ``--local`` with OperatorRole's credentials."""
    target = operator_target(world)
    at = new_york_at(world.day, FIRES_AT[DAILY_TRADE])
    world.alpaca.set_now(datetime.now(UTC))  # an operator acts now (up's clock)
    world.step("verify-deploy", lambda: deploy.verify(target, "unbuilt", out=lambda _: None))
    world.step("bars backfill", lambda: bars.backfill(target))
    with tempfile.TemporaryDirectory() as scratch:
        for symbol in ("SPY", "ZZZZ"):  # a series merged into, and a new one
            path = _bars_file(Path(scratch), symbol, world.day)
            world.step(
                f"bars import {symbol}", functools.partial(bars.import_file, target, path, None)
            )
    daily = world.stack.schedule(DAILY_TRADE).name
    world.step("schedule fire", lambda: schedule.fire(target, daily, at))
    world.step("settle", lambda: world.service.settle(timeout_seconds=30))
    world.step("paper reset", lambda: paper.reset(target, Decimal(100_000)))
    world.step("risk resume", lambda: risk.resume(target, "paper", "an IAM proof"))
    world.step("flush logs", world.logs.flush)
    for function, group in log_groups(target).items():
        read = functools.partial(read_records, target, function, group, start_ms=0)
        world.step(f"logs {function}", functools.partial(_all, read))
    world.step("failed messages", lambda: _failed_messages(world))
    world.step("dlq list", lambda: dlq.list_queues(target, world.template, limit=10))
    for queue in ("DomainEventsDLQ", "TradingFailuresQueue", "TradeLedgerDLQ"):
        replay_queue = functools.partial(
            dlq.replay_queue, target, world.template, queue, dry_run=False, limit=None
        )
        world.step(f"dlq replay {queue}", functools.partial(_replayed, replay_queue))
    world.step("settle replays", lambda: world.service.settle(timeout_seconds=30))
    world.step("replay", lambda: _archive_replay(target))


def _all(read: Callable[[], Iterable[object]]) -> list[object]:
    return list(read())


def _replayed(replay_queue: Callable[[], dict[str, Any]]) -> None:
    result = replay_queue()
    if result["left"]:
        raise RuntimeError(f"messages left: {result['messages']}")


def _archive_replay(target: Target) -> None:
    """Today's events (the archive keeps them as they are put, at the wall clock's time)."""
    from alchemiser.clock import new_york_today

    started = replay.start_replay(target, new_york_today())
    replay.wait_for_replay(
        target, started["replay"], out=lambda _: None, sleep=lambda _: time.sleep(0.05)
    )


@dataclass(frozen=True)
class Path_:  # noqa: N801 - ``Path`` is pathlib's
    """A path: what it runs, on a stack of which parameters."""

    run: Callable[[World], None]
    parameters: dict[str, str] = field(default_factory=dict)
    #: What it is, for the table (default: the first line of ``run``'s docstring).
    about: str = ""

    @property
    def description(self) -> str:
        """What the path does."""
        return self.about or (self.run.__doc__ or "").strip().splitlines()[0]


_ALPACA = {"BrokerBackend": "alpaca"}

#: Every path by name.
PATHS: dict[str, Path_] = {
    "setup": Path_(setup),
    "refresh": Path_(refresh),
    "workflow": Path_(workflow),
    "pnl": Path_(pnl),
    "tasks": Path_(tasks),
    "failed-refresh": Path_(failed_refresh),
    "failed-execution": Path_(failed_execution, _ALPACA),
    "alpaca-workflow": Path_(workflow, _ALPACA, "The workflow with BrokerBackend=alpaca."),
    "missing-bars": Path_(missing_bars),
    "deploy-hook": Path_(deploy_hook),
    "operator": Path_(operator),
}
