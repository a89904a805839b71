"""``alchemiser dlq list`` and ``dlq replay QUEUE``: failure queues an operator can act on.

``list`` shows every failure queue of the stack (``failure_queues``) with its depth and,
per message, what it was (event type or command), its workflow's correlation id, the
error and how long it has waited. Reading a message hides it for a moment only: each is
made visible again before the command ends.

``replay QUEUE`` re-delivers each message to where it was going, through the same public
APIs AWS itself uses (``lambda.invoke`` asynchronously, ``events.put_events``,
``sqs.send_message``), and deletes a message only once its re-delivery was accepted; a
message that could not be re-delivered stays, with the reason printed. The handlers are
idempotent (per event id, per scheduled run, per ledger entry), so a message replayed
after its work was somehow done anyway does nothing twice.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import (
    OpsError,
    add_target_arguments,
    physical_ids,
    print_json,
    target_of,
)
from alchemiser_local.ops.failure_queues import (
    FailedMessage,
    FailureQueue,
    UnreadableMessageError,
    failure_queues,
    redelivery_of,
)

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeNameType

    from alchemiser_local.ops.failure_queues import Redelivery
    from alchemiser_local.target import Target

__all__ = [
    "describe_queue",
    "format_queues",
    "list_queues",
    "register",
    "replay",
    "replay_queue",
]

#: How long a listed message stays hidden before it is released (it is released at once).
_LIST_VISIBILITY_SECONDS = 30
#: How long a message being replayed stays hidden: its re-delivery's time, with room.
_REPLAY_VISIBILITY_SECONDS = 300
_RECEIVE_BATCH = 10
_WAITING: QueueAttributeNameType = "ApproximateNumberOfMessages"
_IN_FLIGHT: QueueAttributeNameType = "ApproximateNumberOfMessagesNotVisible"


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``dlq list`` and ``dlq replay``."""
    dlq = commands.add_parser("dlq", help="the failure queues and DLQs")
    actions = dlq.add_subparsers(dest="action", required=True)
    list_parser = actions.add_parser("list", help="every failure queue, its depth and messages")
    list_parser.add_argument(
        "--limit", type=_positive, default=50, help="messages shown per queue (default 50)"
    )
    list_parser.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_target_arguments(list_parser)
    list_parser.set_defaults(handler=_list)
    replay_parser = actions.add_parser(
        "replay", help="re-deliver a queue's messages to where they were going"
    )
    replay_parser.add_argument(
        "queue", help="a failure queue: logical id (EventRoutingFailuresQueue) or name"
    )
    replay_parser.add_argument(
        "--dry-run", action="store_true", help="say what would be re-delivered; change nothing"
    )
    replay_parser.add_argument("--limit", type=_positive, help="re-deliver at most N messages")
    add_target_arguments(replay_parser)
    replay_parser.set_defaults(handler=_replay)


def _positive(text: str) -> int:
    import argparse  # noqa: PLC0415 - only to report a bad value

    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def _queues(target: Target, template: Path) -> tuple[list[FailureQueue], dict[str, str]]:
    from alchemiser_local.template import translate_template  # noqa: PLC0415

    physical = physical_ids(target)
    translated = translate_template(template, parameters={"Stage": target.stage})
    return failure_queues(translated, physical), physical


def _depth(sqs: SQSClient, queue: FailureQueue) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=[_WAITING, _IN_FLIGHT])
    found = attributes["Attributes"]
    return int(found.get(_WAITING, "0")), int(found.get(_IN_FLIGHT, "0"))


def _receive(
    sqs: SQSClient, queue: FailureQueue, *, limit: int, visible: int, seconds: int
) -> list[FailedMessage]:
    """Up to ``limit`` of the queue's ``visible`` messages, hidden for ``seconds``."""
    received: dict[str, FailedMessage] = {}
    while len(received) < min(limit, visible):
        response = sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=min(_RECEIVE_BATCH, limit - len(received)),
            VisibilityTimeout=seconds,
            WaitTimeSeconds=1,  # asks every SQS server, not a sample of them
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        messages = response.get("Messages", [])
        if not messages:
            break
        for message in messages:
            received.setdefault(message["MessageId"], FailedMessage.of(queue, dict(message)))
    return list(received.values())


def _release(sqs: SQSClient, messages: list[FailedMessage]) -> None:
    """Make ``messages`` visible again at once (they stay in their queue)."""
    for start in range(0, len(messages), _RECEIVE_BATCH):
        chunk = messages[start : start + _RECEIVE_BATCH]
        sqs.change_message_visibility_batch(
            QueueUrl=chunk[0].queue.url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m.receipt_handle, "VisibilityTimeout": 0}
                for i, m in enumerate(chunk)
            ],
        )


def _describe(message: FailedMessage, target: Target, physical: dict[str, str]) -> dict[str, Any]:
    head = {
        "message_id": message.message_id,
        "age_seconds": round(message.age_seconds()),
        "receive_count": message.receive_count,
    }
    try:
        return {**head, **redelivery_of(message, target, physical).as_json()}
    except UnreadableMessageError as exc:
        return {**head, "unreadable": str(exc)}


def describe_queue(
    target: Target, queue: FailureQueue, physical: dict[str, str], *, limit: int
) -> dict[str, Any]:
    """``queue``'s depth and (up to ``limit``) messages, each made visible again after."""
    sqs = target.client("sqs")
    visible, in_flight = _depth(sqs, queue)
    messages = _receive(sqs, queue, limit=limit, visible=visible, seconds=_LIST_VISIBILITY_SECONDS)
    _release(sqs, messages)
    return {
        "queue": queue.logical_id,
        "name": queue.name,
        "kind": queue.kind,
        "holds": queue.description,
        "depth": visible,
        "in_flight": in_flight,
        "messages": [_describe(m, target, physical) for m in messages],
    }


def list_queues(target: Target, template: Path, *, limit: int) -> list[dict[str, Any]]:
    """Every failure queue of the stack, described (``describe_queue``)."""
    queues, physical = _queues(target, template)
    return [describe_queue(target, queue, physical, limit=limit) for queue in queues]


def _age(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def format_queues(states: list[dict[str, Any]]) -> list[str]:
    """``dlq list`` for people."""
    lines = []
    for state in states:
        flight = f" (+{state['in_flight']} in flight)" if state["in_flight"] else ""
        lines.append(f"{state['queue']:27} {state['depth']:4}{flight}  {state['holds']}")
        for message in state["messages"]:
            what = message.get("event_type") or "?"
            detail = message.get("unreadable") or message.get("error") or ""
            lines.append(
                f"    {what:24} {message.get('correlation_id') or '-':36}  "
                f"waiting {_age(message['age_seconds'])}  {detail}"
            )
    return lines


def _find(queues: list[FailureQueue], name: str) -> FailureQueue:
    for queue in queues:
        if name in (queue.logical_id, queue.name):
            return queue
    known = ", ".join(q.logical_id for q in queues)
    raise OpsError(f"no failure queue {name!r} in the stack; failure queues: {known}")


def _redeliver(target: Target, redelivery: Redelivery) -> None:
    """Send the message where it was going; raises if that was not accepted."""
    if redelivery.action == "invoke":
        response = target.client("lambda").invoke(
            FunctionName=redelivery.destination,
            InvocationType="Event",
            Payload=json.dumps(redelivery.payload).encode(),
        )
        if response["StatusCode"] != 202:
            raise OpsError(f"Lambda answered {response['StatusCode']}, not 202")
    elif redelivery.action == "put_events":
        from alchemiser.bus import publish_events  # noqa: PLC0415
        from alchemiser.events import from_envelope  # noqa: PLC0415

        event = from_envelope(redelivery.payload)
        publish_events(
            [event], bus_name=target.output("EventBusArn"), client=target.client("events")
        )
    else:
        target.client("sqs").send_message(
            QueueUrl=redelivery.destination, MessageBody=str(redelivery.payload)
        )


def _replay_one(
    message: FailedMessage, target: Target, physical: dict[str, str], *, dry_run: bool
) -> dict[str, Any]:
    """Re-deliver one message (delete it only then); what happened to it."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    from alchemiser.errors import AlchemiserError  # noqa: PLC0415

    outcome: dict[str, Any] = {"message_id": message.message_id}
    try:
        redelivery = redelivery_of(message, target, physical)
        outcome.update(redelivery.as_json())
        if dry_run:
            return {**outcome, "status": "would replay"}
        _redeliver(target, redelivery)
    except (UnreadableMessageError, OpsError, AlchemiserError, ClientError, BotoCoreError) as exc:
        return {**outcome, "status": "left", "reason": f"{type(exc).__name__}: {exc}"}
    target.client("sqs").delete_message(
        QueueUrl=message.queue.url, ReceiptHandle=message.receipt_handle
    )
    return {**outcome, "status": "replayed"}


def replay(
    target: Target,
    queue: FailureQueue,
    physical: dict[str, str],
    *,
    dry_run: bool,
    limit: int | None,
) -> dict[str, Any]:
    """Re-deliver (up to ``limit`` of) ``queue``'s messages; what became of each."""
    sqs = target.client("sqs")
    visible, _ = _depth(sqs, queue)
    messages = _receive(
        sqs,
        queue,
        limit=limit or visible,
        visible=visible,
        seconds=_LIST_VISIBILITY_SECONDS if dry_run else _REPLAY_VISIBILITY_SECONDS,
    )
    outcomes = [_replay_one(m, target, physical, dry_run=dry_run) for m in messages]
    _release(
        sqs,
        [m for m, o in zip(messages, outcomes, strict=True) if o["status"] != "replayed"],
    )
    return {
        "queue": queue.logical_id,
        "dry_run": dry_run,
        "replayed": sum(o["status"] == "replayed" for o in outcomes),
        "left": sum(o["status"] == "left" for o in outcomes),
        "messages": outcomes,
    }


def replay_queue(
    target: Target, template: Path, name: str, *, dry_run: bool, limit: int | None
) -> dict[str, Any]:
    """Re-deliver the messages of the stack's failure queue ``name`` (``replay``).

    Raises:
        OpsError: the stack has no such failure queue.
    """
    queues, physical = _queues(target, template)
    return replay(target, _find(queues, name), physical, dry_run=dry_run, limit=limit)


def _list(args: argparse.Namespace) -> int:
    states = list_queues(target_of(args), args.template, limit=args.limit)
    if args.json:
        print_json(states)
    else:
        print("\n".join(format_queues(states)))
    return 0


def _replay(args: argparse.Namespace) -> int:
    result = replay_queue(
        target_of(args), args.template, args.queue, dry_run=args.dry_run, limit=args.limit
    )
    print_json(result)
    return 1 if result["left"] else 0
