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
    from alchemiser_local.functions import Attempt, FunctionHost
    from alchemiser_local.stack import LocalStack, ScheduleSpec

__all__ = ["Deliveries", "SettleTimeoutError", "scheduler_input"]

_RECEIVE_BATCH = 10


class SettleTimeoutError(Exception):
    """Raised when events or tasks are still flowing after the time allowed."""


def scheduler_input(schedule: ScheduleSpec, at: datetime, *, schedule_arn: str) -> Any:  # noqa: ANN401
    """The payload Scheduler sends: the Input with its context attributes filled in."""
    filled = (
        schedule.input.replace(
            "<aws.scheduler.scheduled-time>", at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )
        .replace("<aws.scheduler.schedule-arn>", schedule_arn)
        .replace("<aws.scheduler.execution-id>", uuid.uuid4().hex[:16])
        .replace("<aws.scheduler.attempt-number>", "1")
    )
    return json.loads(filled)


@dataclass
class Deliveries:
    """Moves events from the emulator's queues into the functions, until all is quiet."""

    stack: LocalStack
    hosts: dict[str, FunctionHost]
    task_queue_urls: tuple[str, ...] = ()
    poll_seconds: float = 0.02
    delivered: list[Attempt] = field(default_factory=list)

    def fire(self, schedule: ScheduleSpec, at: datetime) -> Attempt:
        """What Scheduler does at ``at``: invoke the target asynchronously with the Input."""
        arn = f"arn:aws:scheduler:us-east-1:123456789012:schedule/default/{schedule.name}"
        return self.hosts[schedule.function].invoke_async(
            scheduler_input(schedule, at, schedule_arn=arn)
        )

    def deliver_pending(self) -> int:
        """One pass over every delivery queue; returns how many envelopes were delivered."""
        import boto3  # noqa: PLC0415

        sqs = boto3.client("sqs")
        count = 0
        for logical_id, host in self.hosts.items():
            url = self.stack.functions[logical_id].delivery_queue_url
            if not url:
                continue
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=_RECEIVE_BATCH).get(
                "Messages", []
            )
            for message in messages:
                self.delivered.append(host.invoke_async(json.loads(message["Body"])))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                count += 1
        return count

    def tasks_pending(self) -> bool:
        """Whether any task queue still holds a message (waiting, delayed or in flight)."""
        import boto3  # noqa: PLC0415

        sqs = boto3.client("sqs")
        for url in self.task_queue_urls:
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            counts = (
                attrs.get("ApproximateNumberOfMessages", "0"),
                attrs.get("ApproximateNumberOfMessagesNotVisible", "0"),
                attrs.get("ApproximateNumberOfMessagesDelayed", "0"),
            )
            if any(int(count) for count in counts):
                return True
        return False

    def settle(self, *, timeout_seconds: float = 60.0) -> None:
        """Deliver until no event is waiting and no task is left, twice in a row.

        Raises:
            SettleTimeoutError: something is still moving after ``timeout_seconds``.
        """
        deadline = time.monotonic() + timeout_seconds
        quiet_rounds = 0
        while quiet_rounds < 2:
            if time.monotonic() > deadline:
                raise SettleTimeoutError(f"still busy after {timeout_seconds:.0f} s")
            busy = self.deliver_pending() > 0 or self.tasks_pending()
            quiet_rounds = 0 if busy else quiet_rounds + 1
            if not busy:
                time.sleep(self.poll_seconds)
