"""Delivering events the way AWS would, with the gaps of the emulator closed.

EventBridge rules are evaluated by the emulator; a rule whose target is a function sends
to that function's delivery queue (see ``stack``), and this module invokes the function
with the real envelope (asynchronously: Lambda's retries and failure destination).
EventBridge Scheduler never fires in the emulator, so ``fire`` does what it would: the
schedule's Input with its context attributes filled, invoked asynchronously.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

    from alchemiser_local.functions import Attempt, FunctionHost
    from alchemiser_local.stack import LocalStack, ScheduleSpec
    from alchemiser_local.tasks import Doorbell

__all__ = ["Deliveries", "SettleTimeoutError", "scheduler_input"]

_RECEIVE_BATCH = 10
#: A task is waiting, delayed (a retry's back-off) or in a worker's hands.
_TASK_COUNTS: list[QueueAttributeNameType] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesDelayed",
    "ApproximateNumberOfMessagesNotVisible",
]


class SettleTimeoutError(Exception):
    """Raised when events or tasks are still flowing after the time allowed."""


def scheduler_input(text: str, at: datetime, *, schedule_arn: str) -> Any:  # noqa: ANN401
    """The payload Scheduler sends: the Input ``text`` with its context attributes filled."""
    filled = (
        text.replace(
            "<aws.scheduler.scheduled-time>", at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        .replace("<aws.scheduler.schedule-arn>", schedule_arn)
        .replace("<aws.scheduler.execution-id>", uuid.uuid4().hex[:16])
        .replace("<aws.scheduler.attempt-number>", "1")
    )
    return json.loads(filled)


def _sqs_client() -> SQSClient:
    import boto3  # noqa: PLC0415

    return boto3.client("sqs")


@dataclass
class Deliveries:
    """Moves events from the emulator's queues into the functions, until all is quiet.

    One SQS client for the whole run (a client costs milliseconds to build). Nothing here
    sleeps on a timer while work is under way: an event a function publishes is in its
    delivery queue when ``put_events`` returns (EventBridge's rules run inside the call),
    and the functions run in this thread, so after every invocation one receive finds
    whatever it caused; only tasks run elsewhere (the worker's threads), and their end
    rings the worker's ``tasks_done`` doorbell.
    """

    stack: LocalStack
    hosts: dict[str, FunctionHost]
    task_queue_urls: tuple[str, ...] = ()
    #: Rung by the task worker whenever a task is finished (see ``tasks``).
    tasks_done: Doorbell | None = None
    #: The longest wait for pending tasks between two looks at their queues.
    poll_seconds: float = 0.05
    delivered: list[Attempt] = field(default_factory=list)
    sqs: SQSClient = field(default_factory=_sqs_client)
    #: Told of every delivery (function logical id, payload) before it is made.
    on_delivery: Callable[[str, object], None] | None = None
    #: IAM enforced: a Lambda client of the schedules' role that only asks whether it may
    #: invoke (``Principals.authorizing_lambda``), as Scheduler invokes with that role.
    scheduler: LambdaClient | None = None

    def scheduled(self, schedule: ScheduleSpec, at: datetime) -> object:
        """The payload Scheduler sends at ``at``, once its role may invoke the target.

        Raises:
            botocore.exceptions.ClientError: the schedules' role may not invoke it.
        """
        arn = f"arn:aws:scheduler:us-east-1:123456789012:schedule/default/{schedule.name}"
        payload = scheduler_input(schedule.input, at, schedule_arn=arn)
        if self.scheduler is not None:
            self.scheduler.invoke(
                FunctionName=self.stack.functions[schedule.function].name,
                InvocationType="Event",
                Payload=json.dumps(payload).encode(),
            )
        return payload

    def fire(self, schedule: ScheduleSpec, at: datetime) -> Attempt:
        """What Scheduler does at ``at``: invoke the target asynchronously with the Input."""
        return self.deliver(schedule.function, self.scheduled(schedule, at))

    def deliver(self, function: str, payload: object) -> Attempt:
        """One asynchronous invocation of ``function`` (a logical id) with ``payload``."""
        if self.on_delivery is not None:
            self.on_delivery(function, payload)
        return self.hosts[function].invoke_async(payload)

    def deliver_pending(self) -> int:
        """One pass over every delivery queue; returns how many envelopes were delivered."""
        count = 0
        for logical_id in self.hosts:
            url = self.stack.functions[logical_id].delivery_queue_url
            if not url:
                continue
            received = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=_RECEIVE_BATCH, WaitTimeSeconds=0
            )
            for message in received.get("Messages", []):
                self.delivered.append(self.deliver(logical_id, json.loads(message["Body"])))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                count += 1
        return count

    def tasks_pending(self) -> bool:
        """Whether any task queue still holds a message (waiting, delayed or in flight)."""
        for url in self.task_queue_urls:
            attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_TASK_COUNTS)
            if any(int(attrs["Attributes"].get(name, "0")) for name in _TASK_COUNTS):
                return True
        return False

    def settle(self, *, timeout_seconds: float = 60.0) -> None:
        """Deliver until no event is waiting and no task is left.

        Raises:
            SettleTimeoutError: something is still moving after ``timeout_seconds``.
        """
        deadline = time.monotonic() + timeout_seconds
        while self.deliver_pending() or not self._quiet():
            if time.monotonic() > deadline:
                raise SettleTimeoutError(f"still busy after {timeout_seconds:.0f} s")

    def _quiet(self) -> bool:
        """No task left and, looked at afterwards, no event waiting.

        In that order: a task publishes before it is acknowledged, so once no task is left
        every event a task caused is already in a delivery queue.
        """
        seen = self.tasks_done.rings if self.tasks_done else 0
        if self.tasks_pending():
            if self.tasks_done is not None and not self.tasks_done.closed:
                self.tasks_done.wait(seen, self.poll_seconds)
            else:
                time.sleep(self.poll_seconds)
            return False
        return self.deliver_pending() == 0
