"""The local stack as a service: it keeps delivering events until it is stopped.

What AWS does on its own after ``sam deploy``, this does while ``alchemiser up`` runs:
rules deliver to the functions (their delivery queues), asynchronous invocations are
retried and end in their failure destinations, and the task worker consumes the task
queues. Operator commands reach it through one endpoint (``lambda_endpoint``): Lambda's
Invoke API runs a function here; every other call goes to the emulator.

One invocation runs at a time in this process: the functions share it (their settings
and container caches are process-wide), as ``alchemiser run`` shares it.
"""

from __future__ import annotations

import queue
import subprocess
import threading
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from alchemiser_local.delivery import Deliveries
from alchemiser_local.functions import FunctionHost
from alchemiser_local.iam import FunctionCredentials
from alchemiser_local.lambda_endpoint import InvokeResult, LambdaEndpoint
from alchemiser_local.tasks import InProcessWorker, WorkerProcess

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from alchemiser_local.functions import Attempt
    from alchemiser_local.lambda_logs import LambdaLogs
    from alchemiser_local.stack import LocalStack, ScheduleSpec
    from alchemiser_local.tasks import TaskWorker

__all__ = ["LocalService", "build_deliveries", "function_name", "task_worker"]

#: How long the delivery loop waits for an asynchronous invocation between passes.
_IDLE_SECONDS = 0.1


def function_name(name_or_arn: str) -> str:
    """The function a ``FunctionName`` names: a name, an ARN, either with a qualifier."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn.split(":")[6]
    return name_or_arn.split(":", maxsplit=1)[0]


def build_deliveries(
    stack: LocalStack,
    worker: TaskWorker | None,
    record: Callable[[Attempt, object], None],
    *,
    retry_delay_seconds: float = 0.0,
    logs: LambdaLogs | None = None,
) -> Deliveries:
    """Every function's host, delivering from the stack's queues, settling on the worker.

    With ``logs``, each invocation's lines go to its function's log group (``lambda_logs``).
    With no ``worker``, tasks wait in their queues and settling does not wait for them.
    With IAM enforced (``stack.principals``), each function runs with its role's
    credentials and sends its failure records with them (as Lambda sends to a function's
    destination with its role), and firing a schedule first asks whether the schedules'
    role may invoke the target, as Scheduler's invoke would.
    """
    principals = stack.principals
    deliveries = Deliveries(
        stack=stack,
        hosts={},
        task_queue_urls=(
            (stack.outputs["PnlReportsQueueUrl"], stack.outputs["TradeLedgerQueueUrl"])
            if worker is not None
            else ()
        ),
        tasks_done=worker.tasks_done if worker is not None else None,
        scheduler=principals.authorizing_lambda(principals.scheduler) if principals else None,
    )
    credentials = FunctionCredentials(principals.functions) if principals else None
    for logical_id, spec in stack.functions.items():
        deliveries.hosts[logical_id] = FunctionHost(
            spec,
            record=record,
            retry_delay_seconds=retry_delay_seconds,
            sqs=principals.function_client(logical_id, "sqs") if principals else deliveries.sqs,
            logs=logs,
            credentials=credentials,
        )
    return deliveries


def task_worker(stack: LocalStack, *, log: IO[str] | int = subprocess.DEVNULL) -> TaskWorker:
    """The stack's task worker: in this process, or (IAM enforced) as its own process.

    The worker process gets what ``dramatiq alchemiser.worker`` reads (this process's
    environment: the stack's settings and endpoint) and ``TaskWorkerRole``'s credentials.
    """
    if stack.principals is None:
        return InProcessWorker(environment=stack.stage)
    return WorkerProcess(stack.principals.worker.environ(), log=log)


@dataclass
class LocalService:
    """The running stack's delivery loop, task worker and operator endpoint."""

    stack: LocalStack
    upstream: str
    record: Callable[[Attempt, object], None]
    port: int = 0
    #: Where the functions' lines go (the emulator's CloudWatch Logs), if anywhere.
    logs: LambdaLogs | None = None
    #: Where a worker process's output goes (IAM enforced: the worker is a process).
    worker_log: IO[str] | int = subprocess.DEVNULL
    #: Told of each CodeDeploy hook verdict reported to the endpoint (``lambda_endpoint``).
    on_hook_status: Callable[[dict[str, str]], None] = lambda _: None
    #: Run a task worker (none: tasks wait in their queues, as with no worker host).
    run_tasks: bool = True
    hook_statuses: list[dict[str, str]] = field(default_factory=list, init=False)
    #: What a queued invocation raised (beyond the function's own errors, which Lambda's
    #: retries and destination handle): a failure record that could not be sent, say.
    errors: list[str] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _invocations: queue.Queue[tuple[FunctionHost, object]] = field(
        default_factory=queue.Queue, init=False
    )
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)

    def __post_init__(self) -> None:
        self.worker = task_worker(self.stack, log=self.worker_log) if self.run_tasks else None
        self.deliveries = build_deliveries(self.stack, self.worker, self.record, logs=self.logs)
        self.endpoint = LambdaEndpoint(
            upstream=self.upstream,
            invoke=self.invoke,
            port=self.port,
            hook_status=self._hook_status,
            authorize_invokes=self.stack.principals is not None,
        )
        self._loop = threading.Thread(target=self._deliver, name="deliveries", daemon=True)

    def start(self) -> None:
        """Consume tasks, deliver events and answer operators, each on its own thread."""
        if self.worker is not None:
            self.worker.start()
        self._loop.start()
        self.endpoint.start()

    def stop(self) -> None:
        """Stop answering, finish the invocation in hand, stop the worker."""
        self.endpoint.stop()
        self._stopping.set()
        self._loop.join(timeout=30)
        if self.worker is not None:
            self.worker.stop()

    def host(self, name_or_arn: str) -> FunctionHost:
        """The host of the function ``name_or_arn`` names (name, ARN, qualified or not).

        Raises:
            LookupError: no function of the stack has that name.
        """
        name = function_name(name_or_arn)
        for host in self.deliveries.hosts.values():
            if host.spec.name == name:
                return host
        known = ", ".join(h.spec.name for h in self.deliveries.hosts.values())
        raise LookupError(f"Function not found: {name} (functions: {known})")

    def invoke(self, name_or_arn: str, payload: object, asynchronous: bool) -> InvokeResult | None:
        """Lambda's Invoke: ``Event`` is queued (None); ``RequestResponse`` is answered."""
        host = self.host(name_or_arn)
        if asynchronous:
            self._invocations.put((host, payload))
            return None
        with self._lock:
            attempt = host.invoke(payload)
        if attempt.error is None:
            return InvokeResult(attempt.result)
        error_type, _, message = attempt.error.partition(": ")
        return InvokeResult({"errorType": error_type, "errorMessage": message}, "Unhandled")

    def fire(self, schedule: ScheduleSpec, at: datetime) -> None:
        """What Scheduler does at ``at``: the target invoked asynchronously with the Input."""
        payload = self.deliveries.scheduled(schedule, at)
        self._invocations.put((self.deliveries.hosts[schedule.function], payload))

    def _hook_status(self, status: dict[str, str]) -> None:
        self.hook_statuses.append(status)
        self.on_hook_status(status)

    def settle(self, *, timeout_seconds: float = 60.0) -> None:
        """Return once what was fired or invoked asynchronously, and all it caused, is done.

        Raises:
            SettleTimeoutError: something is still moving after ``timeout_seconds``.
        """
        self._invocations.join()
        with self._lock:
            self.deliveries.settle(timeout_seconds=timeout_seconds)

    def _deliver(self) -> None:
        while not self._stopping.is_set():
            try:
                host, payload = self._invocations.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                pass
            else:
                try:
                    with self._lock:
                        host.invoke_async(payload)
                except Exception as exc:  # the loop must outlive a failed delivery
                    self.errors.append(f"{host.spec.logical_id}: {type(exc).__name__}: {exc}")
                finally:
                    self._invocations.task_done()
            with self._lock:
                self.deliveries.deliver_pending()
