"""``alchemiser schedule fire NAME``: what EventBridge Scheduler does when a schedule fires.

The schedule is read from the stack (``GetSchedule``: its target and Input), the Input's
context attributes are filled as Scheduler fills them (``<aws.scheduler.scheduled-time>``
and the rest), and the target is invoked asynchronously (``InvocationType=Event``), as
Scheduler invokes it: Lambda's retries and the function's failure destination apply.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from alchemiser_local.delivery import scheduler_input
from alchemiser_local.ops.common import OpsError, add_target_arguments, print_json, target_of
from alchemiser_local.template import load_template, sub_stage

if TYPE_CHECKING:
    import argparse
    from pathlib import Path

__all__ = ["fire", "register", "schedule_name"]


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``schedule fire``."""
    schedule = commands.add_parser("schedule", help="EventBridge Scheduler schedules")
    actions = schedule.add_subparsers(dest="action", required=True)
    fire_parser = actions.add_parser(
        "fire", help="invoke a schedule's target with its Input, as Scheduler would"
    )
    fire_parser.add_argument("name", help="logical id (DailyTradeSchedule) or schedule name")
    fire_parser.add_argument(
        "--at",
        type=_instant,
        help="the scheduled time to fill in (ISO 8601 with a zone; default: now)",
    )
    add_target_arguments(fire_parser)
    fire_parser.set_defaults(handler=_fire)


def _instant(text: str) -> datetime:
    import argparse  # noqa: PLC0415 - only when --at is given

    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time: {exc}") from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} names no instant: give a zone (Z, +hh:mm)")
    return instant


def schedule_name(template: Path, name: str, stage: str) -> str:
    """The schedule ``name`` names in ``template`` (a logical id or a name) for ``stage``.

    Raises:
        OpsError: naming the schedules the template has.
    """
    resources = load_template(template)["Resources"]
    names = {
        logical_id: sub_stage(body["Properties"]["Name"], stage)
        for logical_id, body in resources.items()
        if body.get("Type") == "AWS::Scheduler::Schedule"
    }
    if name in names:
        return names[name]
    if name in names.values():
        return name
    raise OpsError(f"no schedule {name!r} in {template.name}; schedules: {', '.join(names)}")


def fire(target: Any, name: str, at: datetime) -> dict[str, Any]:  # noqa: ANN401 - a Target
    """Invoke schedule ``name``'s target with its Input, scheduled at ``at``.

    Raises:
        OpsError: the schedule does not exist in the stack.
    """
    scheduler = target.client("scheduler")
    try:
        schedule = scheduler.get_schedule(Name=name)
    except scheduler.exceptions.ResourceNotFoundException:
        raise OpsError(f"the stack {target.stack_name} has no schedule {name!r}") from None
    arn = schedule["Arn"]
    payload = scheduler_input(schedule["Target"]["Input"], at, schedule_arn=arn)
    response = target.client("lambda").invoke(
        FunctionName=schedule["Target"]["Arn"],
        InvocationType="Event",
        Payload=json.dumps(payload).encode(),
    )
    return {
        "schedule": name,
        "target": schedule["Target"]["Arn"],
        "scheduled_time": at.astimezone(UTC).isoformat(),
        "payload": payload,
        "status": response["StatusCode"],
    }


def _fire(args: argparse.Namespace) -> int:
    target = target_of(args)
    name = schedule_name(args.template, args.name, target.stage)
    print_json(fire(target, name, args.at or datetime.now(UTC)))
    return 0
