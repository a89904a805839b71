"""Functions run in this process the way Lambda runs them, asynchronous invocations included.

Each function's handler module is imported from its code directory (as from /var/task),
with the environment Lambda would give it. An asynchronous invocation (what EventBridge
and Scheduler do) is retried ``MaximumRetryAttempts`` times when the handler raises,
then a destination record goes to the function's OnFailure queue, as Lambda does.

Each host plays one container of its function at a time: its first invocation, and the
first after ``new_container()``, is a cold start. The functions share this process, so the
layer's own notion of a cold start (one per process) is told of each one
(``expect_cold_start``), and the function's lines say ``cold_start`` as in Lambda.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from alchemiser.container import on_new_container
from alchemiser.logging import expect_cold_start
from alchemiser_local.crashes import InvocationKilled
from alchemiser_local.lambda_context import LocalLambdaContext

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from mypy_boto3_sqs import SQSClient

    from alchemiser_local.iam import FunctionCredentials
    from alchemiser_local.lambda_logs import LambdaLogs
    from alchemiser_local.stack import FunctionSpec

__all__ = ["Attempt", "EnvironmentConflictError", "FunctionHost", "shared_environment"]


#: Bumped by ``new_container()``: a container of an older generation is gone.
_generation = [0]


@on_new_container
def _next_generation() -> None:
    _generation[0] += 1


class EnvironmentConflictError(Exception):
    """Raised when two functions need different values of one variable in one process."""


def shared_environment(specs: Iterable[FunctionSpec]) -> dict[str, str]:
    """One process environment that is every function's environment at once.

    Settings are read once per "container"; in one process that only works if the
    functions agree on every variable they share (they do: the template's Globals).
    """
    merged: dict[str, str] = {}
    for spec in specs:
        for key, value in spec.environment.items():
            if merged.setdefault(key, value) != value:
                raise EnvironmentConflictError(
                    f"{key} is {merged[key]!r} for one function and {value!r} for "
                    f"{spec.logical_id}; they cannot share this process"
                )
    return merged


@dataclass(frozen=True)
class Attempt:
    """One invocation of a handler, as the timeline shows it."""

    function: str
    started: float
    seconds: float
    result: dict[str, Any] | None
    error: str | None
    attempt: int


@dataclass
class FunctionHost:
    """Runs one function's handler in-process, with Lambda's async retry semantics."""

    spec: FunctionSpec
    record: Callable[[Attempt, object], None]
    retry_delay_seconds: float = 0.0
    #: The client failure records go out with (made on the first one when not given).
    sqs: SQSClient | None = None
    #: Where each invocation's lines go, as Lambda sends them to CloudWatch Logs.
    logs: LambdaLogs | None = None
    #: With IAM enforced: the process runs as this function's role while it runs.
    credentials: FunctionCredentials | None = None
    _handler: Callable[[Any, Any], dict[str, Any]] | None = field(default=None, init=False)
    #: The generation of this host's container (None: no container yet).
    _container: int | None = field(default=None, init=False)

    def handler(self) -> Callable[[Any, Any], dict[str, Any]]:
        """Import the handler from the function's code directory (the first time only)."""
        if self._handler is None:
            module_name, function_name = self.spec.handler.rsplit(".", 1)
            code_dir = str(self.spec.code_dir.resolve())
            if code_dir not in sys.path:
                sys.path.insert(0, code_dir)
            self._handler = getattr(importlib.import_module(module_name), function_name)
        return self._handler

    def invoke(
        self, payload: object, *, attempt: int = 1, request_id: str | None = None
    ) -> Attempt:
        """One synchronous invocation; the handler's exception is captured, not raised.

        Its init (importing the handler, the first time) is timed for the REPORT line of
        a cold start. With IAM enforced it runs with its role's credentials (another
        function having run last, that is another container: a cold start).
        """
        if self.credentials is None:
            return self._invoke(payload, attempt=attempt, request_id=request_id)
        with self.credentials.running(self.spec.logical_id):
            return self._invoke(payload, attempt=attempt, request_id=request_id)

    def _invoke(self, payload: object, *, attempt: int, request_id: str | None) -> Attempt:
        cold = self._container != _generation[0]
        if cold:
            self._container = _generation[0]
            expect_cold_start()
        init_started = time.perf_counter()
        handler = self.handler()
        init_seconds = time.perf_counter() - init_started
        context = LocalLambdaContext(
            self.spec.name,
            timeout_seconds=self.spec.timeout_seconds,
            memory_limit_in_mb=self.spec.memory_mb,
        )
        if request_id:
            context.aws_request_id = request_id
        os.environ["AWS_LAMBDA_FUNCTION_NAME"] = self.spec.name
        logged = (
            self.logs.start(
                self.spec.logical_id, self.spec.log_group, context.aws_request_id, cold=cold
            )
            if self.logs is not None
            else None
        )
        started = time.perf_counter()
        result: dict[str, Any] | None = None
        error: str | None = None
        try:
            result = handler(payload, context)
        except Exception as exc:  # a function error, exactly what Lambda would record
            error = f"{type(exc).__name__}: {exc}"
        except InvocationKilled:  # Lambda stopped it: no handler code ran past this point
            error = f"Sandbox.Timedout: Task timed out after {context.timeout_seconds:.2f} seconds"
        seconds = time.perf_counter() - started
        if self.logs is not None and logged is not None:
            self.logs.finish(
                logged, seconds=seconds, memory_mb=self.spec.memory_mb, init_seconds=init_seconds
            )
        outcome = Attempt(
            function=self.spec.logical_id,
            started=started,
            seconds=seconds,
            result=result,
            error=error,
            attempt=attempt,
        )
        self.record(outcome, payload)
        return outcome

    def invoke_async(self, payload: object) -> Attempt:
        """Lambda's asynchronous invocation: retries on error, then the failure destination.

        Retries keep the request id, as Lambda's do (idempotency relies on it).
        """
        request_id = LocalLambdaContext(self.spec.name).aws_request_id
        for attempt in range(1, self.spec.max_retry_attempts + 2):
            outcome = self.invoke(payload, attempt=attempt, request_id=request_id)
            if outcome.error is None:
                return outcome
            if attempt <= self.spec.max_retry_attempts:
                time.sleep(self.retry_delay_seconds)
        self._send_to_failure_destination(payload, outcome, request_id)
        return outcome

    def _send_to_failure_destination(self, payload: object, last: Attempt, request_id: str) -> None:
        if not self.spec.on_failure_queue_url:
            return
        if self.sqs is None:
            import boto3  # noqa: PLC0415

            self.sqs = boto3.client("sqs")
        error_type, _, message = (last.error or "").partition(": ")
        record = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "requestId": request_id,
                "functionArn": f"{self.spec.name}:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": last.attempt,
            },
            "requestPayload": payload,
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "responsePayload": {"errorType": error_type, "errorMessage": message},
        }
        self.sqs.send_message(
            QueueUrl=self.spec.on_failure_queue_url, MessageBody=json.dumps(record, default=str)
        )
