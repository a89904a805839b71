"""One chaos scenario on a fresh local stack: the workflow under a fault, and what it left.

The stack is ``alchemiser run``'s (bare, Alpaca on loopback, the schedules fired at
08:00 and 09:35 New York): the first run opens the paper account and the stack fills
its own bar store. Every boto3 client of the functions and of the task worker goes
through a ``FaultProxy`` in front of the emulator; the local stack's own plumbing (the
delivery queues, the failure destinations) talks to the emulator directly, as AWS's
does. Faults are armed for the last day's trade only, so what they do is the
difference from a fault-free run of the same days.

``Observation`` is what the run left: every invocation with its payload, every request
through the proxy, the broker's orders, the ledger, what ended in a failure
destination, and the account.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from alchemiser_local.alpaca_local import local_alpaca, new_york_at
from alchemiser_local.crashes import CrashPlan
from alchemiser_local.emulator import Emulator
from alchemiser_local.environment import patched_environ
from alchemiser_local.fault_proxy import FaultProxy, running_proxy
from alchemiser_local.runner import DAILY_TRADE, MARKET_DATA_REFRESH, schedule_days
from alchemiser_local.service import build_deliveries
from alchemiser_local.session import running_stack
from alchemiser_local.tasks import InProcessWorker

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser_local.alpaca_emulator import AlpacaEmulator
    from alchemiser_local.chaos_scenarios import Scenario
    from alchemiser_local.delivery import Deliveries
    from alchemiser_local.fault_proxy import ProxiedRequest
    from alchemiser_local.functions import Attempt
    from alchemiser_local.seed import SyntheticWorld
    from alchemiser_local.stack import LocalStack

__all__ = [
    "FIRST_DAY",
    "Invocation",
    "Observation",
    "StackPaths",
    "direct_client",
    "failure_records",
    "ledger_orders",
    "logging_to",
    "observe",
    "paper_orders",
    "record_into",
    "scan",
    "sent_bodies",
    "through",
    "working",
]

#: The first simulated trading day (a Monday; bars are synthetic, seed 7).
FIRST_DAY = date(2026, 11, 16)
_REFRESH_TIME = (8, 0)
_TRADE_TIME = (9, 35)
#: The setting that caps how long an idempotency claim stays in progress.
IN_PROGRESS_EXPIRY = "IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS"
#: Long enough for a task's retry (Dramatiq backs off 15 s and more).
_SETTLE_SECONDS = 120.0
_QUEUE_COUNTS = ("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")
#: The crash plan is process-wide (boto3's default session carries its hooks).
_CRASHES = CrashPlan()


@dataclass(frozen=True)
class StackPaths:
    """Where the template and the code are, and where the functions' logs go."""

    root: Path
    template: Path
    logs: Path

    def log_file(self, scenario: str) -> Path:
        """The JSON log lines of ``scenario``'s functions and worker."""
        self.logs.mkdir(parents=True, exist_ok=True)
        return self.logs / f"{scenario}.jsonl"


@dataclass(frozen=True)
class Invocation:
    """One handler call (``FunctionHost``'s record of it) and what it received."""

    record: Attempt
    payload: Any

    @property
    def function(self) -> str:
        """The function's logical id."""
        return self.record.function

    @property
    def attempt(self) -> int:
        """1 for the first attempt of a delivery, 2 and 3 for Lambda's retries."""
        return self.record.attempt

    @property
    def error(self) -> str | None:
        """The function error (``Type: message``), if it failed."""
        return self.record.error

    @property
    def seconds(self) -> float:
        """How long the handler ran."""
        return self.record.seconds

    @property
    def detail_type(self) -> str | None:
        """The envelope's detail-type (None for a command)."""
        return self.payload.get("detail-type") if isinstance(self.payload, dict) else None

    @property
    def event_id(self) -> str | None:
        """The delivered event's id (None for a command)."""
        detail = self.payload.get("detail") if isinstance(self.payload, dict) else None
        return detail.get("event_id") if isinstance(detail, dict) else None

    @property
    def status(self) -> str:
        """``handled``, ``duplicate``, ... or ``error`` (see the router's outcomes)."""
        return "error" if self.error else str((self.record.result or {}).get("status", "ok"))


@dataclass
class Observation:
    """What one scenario's run left behind (see the module docstring)."""

    scenario: str
    invocations: list[Invocation] = field(default_factory=list)
    requests: list[ProxiedRequest] = field(default_factory=list)
    orders: list[dict[str, str]] = field(default_factory=list)
    ledger_orders: int = 0
    failure_records: int = 0
    positions: dict[str, str] = field(default_factory=dict)
    cash: str = "0"
    #: Programmed faults met (proxy, Alpaca emulator and crashes).
    faults_fired: int = 0
    seconds: float = 0.0


def record_into(observation: Observation) -> Any:  # noqa: ANN401 - FunctionHost's hook
    """The ``FunctionHost`` hook that keeps each invocation in ``observation``."""

    def record(attempt: Attempt, payload: object) -> None:
        observation.invocations.append(Invocation(attempt, payload))

    return record


@dataclass(frozen=True)
class _Session:
    """One scenario's running parts."""

    scenario: Scenario
    observation: Observation
    dates: list[date]
    stack: LocalStack
    endpoint: str
    alpaca: AlpacaEmulator
    proxy: FaultProxy
    deliveries: Deliveries
    worker: InProcessWorker
    world: SyntheticWorld


def observe(scenario: Scenario, paths: StackPaths) -> Observation:
    """Run ``scenario`` on a fresh stack (see the module docstring)."""
    from alchemiser_local.seed import synthetic_world  # noqa: PLC0415

    started = time.perf_counter()
    observation = Observation(scenario=scenario.name)
    dates = schedule_days(scenario.days, FIRST_DAY)
    world = synthetic_world(first_day=dates[0], last_day=dates[-1], seed=7)
    with (
        running_stack(
            template=paths.template,
            root=paths.root,
            stage="dev",
            emulator=Emulator(),
            parameters={"BrokerBackend": scenario.backend},
        ) as (endpoint, stack),
        local_alpaca(stack, world) as alpaca,
        running_proxy(upstream=endpoint) as proxy,
        logging_to(paths.log_file(scenario.name)),
    ):
        worker = InProcessWorker(environment=stack.stage)
        deliveries = build_deliveries(
            stack,
            worker,
            record_into(observation),
            retry_delay_seconds=scenario.timing.retry_delay_seconds,
        )
        session = _Session(
            scenario, observation, dates, stack, endpoint, alpaca, proxy, deliveries, worker, world
        )
        settings = _scale(deliveries, scenario.timing.scale)
        _CRASHES.install()
        with through(proxy, settings), working(worker):
            _run_days(session)
            if scenario.redeliver:
                _redeliver_after_expiry(session)
        _collect(session)
    observation.seconds = time.perf_counter() - started
    return observation


def _scale(deliveries: Deliveries, scale: float | None) -> dict[str, str]:
    """Each function's timeout and the in-progress expiry times ``scale``: the settings.

    A function's context then has a deadline of its ``Timeout`` scaled, as if deployed so.
    """
    if scale is None:
        return {}
    settings = {}
    for host in deliveries.hosts.values():
        spec = host.spec
        host.spec = dataclasses.replace(spec, timeout_seconds=spec.timeout_seconds * scale)
        expiry = spec.environment.get(IN_PROGRESS_EXPIRY)
        if expiry is not None:
            settings[IN_PROGRESS_EXPIRY] = f"{float(expiry) * scale:.3f}"
    return settings


@contextmanager
def through(proxy: FaultProxy, settings: Mapping[str, str]) -> Iterator[None]:
    """The functions' and the worker's clients point at the proxy, with ``settings``."""
    from alchemiser.runtime import new_container  # noqa: PLC0415

    with patched_environ({"AWS_ENDPOINT_URL": proxy.url, **settings}):
        new_container()
        try:
            yield
        finally:
            new_container()


@contextmanager
def logging_to(path: Path) -> Iterator[None]:
    """The package's JSON lines, and the task worker's own log (its retries), to ``path``."""
    from alchemiser.logging import configure_logging  # noqa: PLC0415

    dramatiq = logging.getLogger("dramatiq")
    with path.open("w") as stream:
        handler = logging.StreamHandler(stream)
        configure_logging(stream=stream, force=True)
        dramatiq.addHandler(handler)
        dramatiq.propagate = False
        try:
            yield
        finally:
            dramatiq.removeHandler(handler)
            dramatiq.propagate = True
            configure_logging(force=True)


@contextmanager
def working(worker: InProcessWorker) -> Iterator[None]:
    """The task worker consuming while the block runs."""
    worker.start()
    try:
        yield
    finally:
        worker.stop()


def _run_days(session: _Session) -> None:
    for day in session.dates:
        _fire(session, MARKET_DATA_REFRESH, new_york_at(day, _wall(_REFRESH_TIME)))
        _router_container(session)
        if day == session.dates[-1]:
            _arm(session)
        try:
            _fire(session, DAILY_TRADE, new_york_at(day, _wall(_TRADE_TIME)))
        finally:
            _disarm(session)


def _router_container(session: _Session) -> None:
    """What the trade meets next runs in its own container, as on AWS (a cold bar cache).

    One process plays both functions, so the refresh would otherwise leave its bars in
    the router's cache and a fault on the bar store would never be met.
    """
    from alchemiser.runtime import new_container  # noqa: PLC0415
    from alchemiser.taskqueue import ensure_broker  # noqa: PLC0415

    new_container()
    stage = session.stack.stage
    ensure_broker(stage, allowed=(stage,)).add_middleware(session.worker.signals)


def _wall(hour_minute: tuple[int, int]) -> Any:  # noqa: ANN401 - datetime.time
    from datetime import time as wall_time  # noqa: PLC0415

    return wall_time(*hour_minute)


def _fire(session: _Session, schedule: str, at: datetime) -> None:
    session.alpaca.set_now(at)
    session.deliveries.fire(session.stack.schedule(schedule), at)
    session.deliveries.settle(timeout_seconds=_SETTLE_SECONDS)


def _arm(session: _Session) -> None:
    for fault in session.scenario.faults:
        session.proxy.fail(fault)
    for alpaca_fault in session.scenario.alpaca_faults:
        session.alpaca.fail(alpaca_fault)
    for crash in session.scenario.crashes:
        _CRASHES.add(crash)


def _disarm(session: _Session) -> None:
    armed = sum(fault.times for fault in session.scenario.alpaca_faults)
    left = sum(fault["left"] for fault in session.alpaca.faults.pending())
    session.observation.faults_fired += armed - left
    session.proxy.clear()
    session.alpaca.faults.clear()
    _CRASHES.clear()


# --- re-delivery after the idempotency records expired -----------------------------------

#: What a re-delivery after expiry sends again: each step that leads to orders.
REDELIVERED = ("WorkflowStarted", "SignalGenerated", "RebalancePlanned")
#: How far the clock has moved when the records have expired (TTL: a day and more).
_EXPIRED_AFTER = timedelta(days=2)


def _redeliver_after_expiry(session: _Session) -> None:
    """Deliver each of the first day's ``REDELIVERED`` events again, after expiry.

    Before each delivery every idempotency record is deleted (as TTL deletes them) and
    time has passed for the durable records too: every per-day record of the trading
    state is dated back by ``_EXPIRED_AFTER``, as if the event came two days later.
    """
    outputs = session.stack.outputs
    dynamodb = direct_client("dynamodb", session.endpoint)
    router = session.deliveries.hosts["EventRoutingFunction"]
    for envelope in _first_workflow(session.observation):
        _delete_all(dynamodb, outputs["IdempotencyTableName"])
        _age_day_records(dynamodb, outputs["TradingStateTableName"])
        router.invoke_async(envelope)
        session.deliveries.settle(timeout_seconds=_SETTLE_SECONDS)


def _first_workflow(observation: Observation) -> list[Any]:
    """The first workflow's envelopes of ``REDELIVERED``, in the order they were delivered."""
    seen: dict[str, Any] = {}
    correlation = None
    for invocation in observation.invocations:
        payload = invocation.payload
        if invocation.detail_type in REDELIVERED and invocation.event_id not in seen:
            workflow = payload["detail"]["correlation_id"]
            correlation = correlation or workflow
            if workflow == correlation:
                seen[str(invocation.event_id)] = payload
    return list(seen.values())


def direct_client(service: str, endpoint: str) -> Any:  # noqa: ANN401 - boto3 client
    """A client of the emulator itself (what the chaos run reads, past the proxy)."""
    import boto3  # noqa: PLC0415

    return boto3.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def scan(dynamodb: DynamoDBClient, table: str) -> Iterator[dict[str, Any]]:
    """Every item of ``table``."""
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        yield from page.get("Items", [])


def _delete_all(dynamodb: DynamoDBClient, table: str) -> None:
    for item in list(scan(dynamodb, table)):
        dynamodb.delete_item(TableName=table, Key={"id": item["id"]})


def _age_day_records(dynamodb: DynamoDBClient, table: str) -> None:
    from alchemiser.trading.trading_state import timestamp  # noqa: PLC0415

    for item in list(scan(dynamodb, table)):
        started = item.get("started_at", {}).get("S")
        if not started:
            continue
        earlier = datetime.fromisoformat(started) - _EXPIRED_AFTER
        dynamodb.update_item(
            TableName=table,
            Key={"pk": item["pk"], "sk": item["sk"]},
            UpdateExpression="SET started_at = :at",
            ExpressionAttributeValues={":at": {"S": timestamp(earlier)}},
        )


# --- what the run left ---------------------------------------------------------------------


def _collect(session: _Session) -> None:
    from alchemiser_local.seed import account_view  # noqa: PLC0415

    observation, stack = session.observation, session.stack
    dynamodb = direct_client("dynamodb", session.endpoint)
    observation.orders = _orders(stack, dynamodb, session.alpaca)
    observation.ledger_orders = ledger_orders(stack, dynamodb)
    observation.failure_records = failure_records(stack, direct_client("sqs", session.endpoint))
    with patched_environ({"AWS_ENDPOINT_URL": session.endpoint}):
        view = account_view(stack, session.world, session.alpaca)
        positions, cash = view.positions(session.dates[-1])
    observation.positions = {symbol: p["quantity"] for symbol, p in positions.items()}
    observation.cash = str(cash)
    observation.requests = session.proxy.requests
    observation.faults_fired += len(_CRASHES.fired) + sum(
        1 for r in observation.requests if r.fault
    )
    _CRASHES.fired.clear()


def _orders(
    stack: LocalStack, dynamodb: DynamoDBClient, alpaca: AlpacaEmulator
) -> list[dict[str, str]]:
    if stack.functions["EventRoutingFunction"].environment.get("BROKER_BACKEND") != "alpaca":
        return paper_orders(stack, dynamodb)
    return [
        {
            "client_order_id": o["client_order_id"],
            "symbol": o["symbol"],
            "side": o["side"],
            "day": o["submitted_at"][:10],
        }
        for o in alpaca.state()["orders"]
    ]


def paper_orders(stack: LocalStack, dynamodb: DynamoDBClient) -> list[dict[str, str]]:
    """Every order of the paper account: client order id, symbol, side, trading day."""
    return [
        {
            "client_order_id": item["sk"]["S"],
            "symbol": item["symbol"]["S"],
            "side": item["side"]["S"],
            "day": item["trading_date"]["S"],
        }
        for item in scan(dynamodb, stack.outputs["PaperBrokerTableName"])
        if item["pk"]["S"].startswith("ORDER#")
    ]


def ledger_orders(stack: LocalStack, dynamodb: DynamoDBClient) -> int:
    """Order outcomes the trade ledger holds."""
    return sum(
        1
        for item in scan(dynamodb, stack.outputs["LedgerTableName"])
        if item["pk"]["S"].startswith("ORDERS#")
    )


def failure_records(stack: LocalStack, sqs: Any) -> int:  # noqa: ANN401 - SQS client
    """Messages in the failure destinations and dead-letter queues: deliveries given up."""
    urls = [
        url for key, url in stack.outputs.items() if key.endswith(("FailuresQueueUrl", "DLQUrl"))
    ]
    urls += [f"{stack.outputs[key]}_dlq" for key in ("TradeLedgerQueueUrl", "PnlReportsQueueUrl")]
    total = 0
    for url in urls:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=list(_QUEUE_COUNTS))
        total += sum(int(attributes["Attributes"].get(name, "0")) for name in _QUEUE_COUNTS)
    return total


def sent_bodies(observation: Observation, operation: str) -> Iterator[tuple[ProxiedRequest, Any]]:
    """Each applied request of ``operation`` with its JSON body (what the emulator took)."""
    for request in observation.requests:
        if request.applied and request.call.operation == operation:
            yield request, json.loads(request.body or b"{}")
