"""The stack's failure queues, what each message in them is, and where it was going.

Every path of the system ends in a queue when it fails for good (README, "Operating
it"). What a message means depends on who put it there, and the template says who:

- a Lambda failure destination (``EventInvokeConfig`` ``OnFailure``): Lambda's record of
  an asynchronous invocation that failed its retries, the original event in
  ``requestPayload``; it goes back by invoking the function again with that event;
- an EventBridge rule target's DLQ: the event envelope itself (EventBridge adds
  ``ERROR_CODE`` / ``ERROR_MESSAGE`` attributes); it goes back onto the bus (PutEvents);
- a schedule's DLQ: the payload Scheduler could not deliver (its ``TARGET_ARN``
  attribute names the target); it goes back by invoking that target;
- a task queue's DLQ (``RedrivePolicy``): a dramatiq-sqs message (base64 of the dramatiq
  message); it goes back to its task queue.

So the queues are read from template.yaml (the same file ``sam deploy`` deploys) and
their URLs from the stack, on AWS and locally alike.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from alchemiser_local.ops.common import OpsError

if TYPE_CHECKING:
    from alchemiser_local.target import Target

__all__ = [
    "FailedMessage",
    "FailureQueue",
    "QueueKind",
    "Redelivery",
    "UnreadableMessageError",
    "failure_queues",
    "redelivery_of",
]

QueueKind = Literal["lambda-destination", "eventbridge-dlq", "scheduler-dlq", "task-dlq"]
_DESCRIPTIONS: dict[QueueKind, str] = {
    "lambda-destination": "failed asynchronous invocations of {} (Lambda's failure destination)",
    "eventbridge-dlq": "events rule {} could not deliver (EventBridge's DLQ)",
    "scheduler-dlq": "invocations schedules {} could not make (Scheduler's DLQ)",
    "task-dlq": "tasks of {} that failed for good (the worker's DLQ)",
}


class UnreadableMessageError(Exception):
    """Raised when a failure queue's message is not what its queue's kind puts there."""


@dataclass(frozen=True)
class FailureQueue:
    """One failure queue of the stack: what feeds it, and its URL."""

    logical_id: str
    kind: QueueKind
    #: What fails into it: a function, a rule, schedules or a task queue (logical ids).
    sources: tuple[str, ...]
    url: str = ""

    @property
    def name(self) -> str:
        """The queue's name (the last part of its URL)."""
        return self.url.rsplit("/", 1)[-1]

    @property
    def description(self) -> str:
        """What the queue holds, for people."""
        return _DESCRIPTIONS[self.kind].format(", ".join(self.sources))


def _arn_of(node: Any) -> str | None:  # noqa: ANN401 - a template node
    """The logical id of ``{"Fn::GetAtt": [X, "Arn"]}``."""
    if isinstance(node, dict) and "Fn::GetAtt" in node:
        return str(node["Fn::GetAtt"][0])
    return None


def _found(resources: dict[str, Any]) -> dict[str, tuple[QueueKind, list[str]]]:
    found: dict[str, tuple[QueueKind, list[str]]] = {}

    def add(queue: str | None, kind: QueueKind, source: str) -> None:
        if queue:
            found.setdefault(queue, (kind, []))[1].append(source)

    for logical_id, body in resources.items():
        props, kind = body.get("Properties", {}), body["Type"]
        if kind == "AWS::Lambda::EventInvokeConfig":
            on_failure = props.get("DestinationConfig", {}).get("OnFailure", {})
            function = props["FunctionName"]["Ref"]
            add(_arn_of(on_failure.get("Destination")), "lambda-destination", function)
        elif kind == "AWS::Events::Rule":
            for target in props.get("Targets", []):
                dlq = target.get("DeadLetterConfig", {}).get("Arn")
                add(_arn_of(dlq), "eventbridge-dlq", logical_id)
        elif kind == "AWS::Scheduler::Schedule":
            dlq = props["Target"].get("DeadLetterConfig", {}).get("Arn")
            add(_arn_of(dlq), "scheduler-dlq", logical_id)
        elif kind == "AWS::SQS::Queue":
            dlq = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
            add(_arn_of(dlq), "task-dlq", logical_id)
    return found


def failure_queues(template: dict[str, Any], physical: dict[str, str]) -> list[FailureQueue]:
    """Every failure queue of the translated ``template``, with its URL from ``physical``.

    Raises:
        OpsError: the stack lacks a queue the template has (not deployed from it).
    """
    queues = []
    for logical_id, (kind, sources) in sorted(_found(template["Resources"]).items()):
        if logical_id not in physical:
            raise OpsError(f"the stack has no {logical_id}: was it deployed from this template?")
        queues.append(FailureQueue(logical_id, kind, tuple(sorted(sources)), physical[logical_id]))
    return queues


@dataclass(frozen=True)
class FailedMessage:
    """One message of a failure queue, as received (it stays until deleted)."""

    queue: FailureQueue
    message_id: str
    receipt_handle: str
    body: str
    sent_ms: int
    receive_count: int
    #: Message attributes' string values (EventBridge and Scheduler put the error there).
    attributes: dict[str, str]

    @classmethod
    def of(cls, queue: FailureQueue, message: dict[str, Any]) -> FailedMessage:
        """A ReceiveMessage message of ``queue``."""
        system = message.get("Attributes", {})
        return cls(
            queue=queue,
            message_id=message["MessageId"],
            receipt_handle=message["ReceiptHandle"],
            body=message.get("Body", ""),
            sent_ms=int(system.get("SentTimestamp", 0)),
            receive_count=int(system.get("ApproximateReceiveCount", 0)),
            attributes={
                key: str(value.get("StringValue", ""))
                for key, value in message.get("MessageAttributes", {}).items()
            },
        )

    def age_seconds(self, now: datetime | None = None) -> float:
        """How long the message has been waiting."""
        moment = now or datetime.now(UTC)
        return max(0.0, moment.timestamp() - self.sent_ms / 1000)


@dataclass(frozen=True)
class Redelivery:
    """Where a failed message was going, and with what: what a replay re-delivers."""

    action: Literal["invoke", "put_events", "send_message"]
    #: The function (name or ARN), nothing (the stack's bus), or the task queue's URL.
    destination: str
    payload: Any
    event_type: str | None
    correlation_id: str | None
    error: str | None

    def as_json(self) -> dict[str, Any]:
        """What ``dlq list --json`` prints about the message (the payload left out)."""
        return {
            "event_type": self.event_type,
            "correlation_id": self.correlation_id,
            "error": self.error,
            "redelivery": f"{self.action} {self.destination}".strip(),
        }


def _json(text: str | bytes, what: str) -> Any:  # noqa: ANN401 - any JSON value
    try:
        return json.loads(text)
    except ValueError as exc:
        raise UnreadableMessageError(f"{what} is not JSON: {exc}") from None


def _detail(envelope: dict[str, Any]) -> dict[str, Any]:
    detail = envelope.get("detail")
    if isinstance(detail, str):
        detail = _json(detail, "the event's detail")
    return detail if isinstance(detail, dict) else {}


def _of_payload(payload: Any, *, stage: str, request_id: str) -> tuple[str | None, str | None]:  # noqa: ANN401
    """Event type and correlation id of an event envelope, or of a command's run."""
    if isinstance(payload, dict) and "detail-type" in payload:
        return str(payload["detail-type"]), _detail(payload).get("correlation_id")
    from alchemiser.commands import parse_command  # noqa: PLC0415 - only for a command
    from alchemiser.commands.runs import RunIds  # noqa: PLC0415
    from alchemiser.errors import InputRejectedError  # noqa: PLC0415

    try:
        command = parse_command(payload)
    except InputRejectedError:
        return None, None
    ids = RunIds.of(command, stage=stage, request_id=request_id)
    return f"command {command.mode}", ids.correlation_id


def _error(attributes: dict[str, str]) -> str | None:
    code, message = attributes.get("ERROR_CODE"), attributes.get("ERROR_MESSAGE")
    return ": ".join(part for part in (code, message) if part) or None


def _lambda_record(message: FailedMessage, stage: str) -> Redelivery:
    record = _json(message.body, "the failure record")
    if not isinstance(record, dict) or "requestPayload" not in record:
        raise UnreadableMessageError("not a Lambda failure record (no requestPayload)")
    context, response = record.get("requestContext", {}), record.get("responsePayload") or {}
    payload = record["requestPayload"]
    event_type, correlation_id = _of_payload(
        payload, stage=stage, request_id=str(context.get("requestId", ""))
    )
    error = f"{response.get('errorType', '')}: {response.get('errorMessage', '')}".strip(": ")
    condition = context.get("condition")
    return Redelivery(
        action="invoke",
        destination=str(context.get("functionArn", "")),
        payload=payload,
        event_type=event_type,
        correlation_id=correlation_id,
        error=f"{error} ({condition})" if condition else error or None,
    )


def _eventbridge_event(message: FailedMessage) -> Redelivery:
    envelope = _json(message.body, "the event")
    if not isinstance(envelope, dict) or "detail-type" not in envelope:
        raise UnreadableMessageError("not an EventBridge event (no detail-type)")
    return Redelivery(
        action="put_events",
        destination="",
        payload=envelope,
        event_type=str(envelope["detail-type"]),
        correlation_id=_detail(envelope).get("correlation_id"),
        error=_error(message.attributes),
    )


def _scheduler_payload(message: FailedMessage, stage: str, default_target: str) -> Redelivery:
    if "<aws.scheduler." in message.body:
        raise UnreadableMessageError(
            "the payload still holds Scheduler's context attributes; fire the schedule for "
            "that time instead: alchemiser schedule fire NAME --at <its scheduled time>"
        )
    payload = _json(message.body, "the schedule's payload")
    event_type, correlation_id = _of_payload(payload, stage=stage, request_id="")
    return Redelivery(
        action="invoke",
        destination=message.attributes.get("TARGET_ARN") or default_target,
        payload=payload,
        event_type=event_type,
        correlation_id=correlation_id,
        error=_error(message.attributes),
    )


def _correlation_of(kwargs: dict[str, Any]) -> str | None:
    for value in kwargs.values():
        if isinstance(value, dict) and isinstance(value.get("correlation_id"), str):
            return str(value["correlation_id"])
    return None


def _task(message: FailedMessage, task_queue_url: str) -> Redelivery:
    try:
        decoded = base64.b64decode(message.body, validate=True)
    except binascii.Error:
        raise UnreadableMessageError("not a dramatiq-sqs message (not base64)") from None
    task = _json(decoded, "the dramatiq message")
    if not isinstance(task, dict) or "actor_name" not in task:
        raise UnreadableMessageError("not a dramatiq message (no actor_name)")
    return Redelivery(
        action="send_message",
        destination=task_queue_url,
        payload=message.body,  # as the worker received it
        event_type=f"task {task['actor_name']}",
        correlation_id=_correlation_of(task.get("kwargs") or {}),
        error="failed in the task worker (its log has the traceback)",
    )


def redelivery_of(message: FailedMessage, target: Target, physical: dict[str, str]) -> Redelivery:
    """What re-delivering ``message`` means for its queue's kind.

    Raises:
        UnreadableMessageError: the message is not what its queue holds.
    """
    kind = message.queue.kind
    if kind == "lambda-destination":
        return _lambda_record(message, target.stage)
    if kind == "eventbridge-dlq":
        return _eventbridge_event(message)
    if kind == "scheduler-dlq":
        default = target.outputs.get("TradingSystemFunctionAliasArn") or target.output(
            "TradingSystemFunctionName"
        )
        return _scheduler_payload(message, target.stage, default)
    return _task(message, physical[message.queue.sources[0]])
