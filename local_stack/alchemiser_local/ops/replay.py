"""``alchemiser replay --date D``: replay one day of the bus from the stack's event archive.

The template's ``EventArchive`` keeps every ``alchemiser.*`` event of the bus for 30 days.
A replay sends the archived events of a window back onto the bus (EventBridge marks them
with ``replay-name``; the rules match them as they did the first time), so a step that
failed quietly can be run again after a fix. The window is the trading day in New York
time (00:00 to 24:00 America/New_York, or until now for today). Every handler is
idempotent per event id: events that were handled the first time are answered as
duplicates, and only what never happened happens now.

The local stack's EventBridge (moto) replays the whole archive whatever the window; the
result is the same (what was handled is a duplicate), only slower on a long archive.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import TYPE_CHECKING, Any

from alchemiser_local.alpaca_local import new_york_at
from alchemiser_local.ops.common import OpsError, add_target_arguments, print_json, target_of

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from alchemiser_local.target import Target

__all__ = ["day_window", "find_archive", "register", "start_replay", "wait_for_replay"]

#: Replay states after which nothing more happens.
_FINAL_STATES = frozenset({"COMPLETED", "FAILED", "CANCELLED"})
_POLL_SECONDS = 5.0


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``replay --date D``."""
    replay = commands.add_parser(
        "replay", help="replay one trading day of events from the stack's EventBridge archive"
    )
    replay.add_argument(
        "--date", type=date.fromisoformat, required=True, help="the day (New York), YYYY-MM-DD"
    )
    replay.add_argument(
        "--follow", action="store_true", help="wait until the replay has finished, printing it"
    )
    add_target_arguments(replay)
    replay.set_defaults(handler=_replay)


def day_window(day: date, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """``day`` from 00:00 to 24:00 New York time (DST included), as UTC; today: until now.

    Raises:
        OpsError: the day has not begun yet.
    """
    start = new_york_at(day, wall_time(0))
    end = new_york_at(day + timedelta(days=1), wall_time(0))
    moment = now or datetime.now(UTC)
    if start >= moment:
        raise OpsError(f"{day} has not begun in New York yet: nothing is archived for it")
    return start, min(end, moment)


def find_archive(target: Target) -> str:
    """The ARN of the archive of the stack's bus.

    Raises:
        OpsError: the bus has no archive, or more than one.
    """
    events = target.client("events")
    bus_arn = target.output("EventBusArn")
    archives = events.list_archives(EventSourceArn=bus_arn).get("Archives", [])
    if len(archives) != 1:
        names = ", ".join(a["ArchiveName"] for a in archives) or "none"
        raise OpsError(f"expected one archive of {bus_arn}, found: {names}")
    described = events.describe_archive(ArchiveName=archives[0]["ArchiveName"])
    return str(described["ArchiveArn"])


def start_replay(target: Target, day: date, *, now: datetime | None = None) -> dict[str, Any]:
    """Start the replay of ``day``'s archived events onto the bus; what was started."""
    start, end = day_window(day, now=now)
    events = target.client("events")
    name = f"alchemiser-{target.stage}-{day}-{uuid.uuid4().hex[:8]}"
    started = events.start_replay(
        ReplayName=name,
        Description=f"alchemiser replay of {day} (New York)",
        EventSourceArn=find_archive(target),
        EventStartTime=start,
        EventEndTime=end,
        Destination={"Arn": target.output("EventBusArn")},
    )
    return {
        "replay": name,
        "state": started["State"],
        "from": start.isoformat(),
        "to": end.isoformat(),
        "follow": f"aws events describe-replay --replay-name {name}",
    }


def wait_for_replay(
    target: Target,
    name: str,
    *,
    out: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Poll the replay until it is over; its final state."""
    events = target.client("events")
    last = ""
    while True:
        state = str(events.describe_replay(ReplayName=name)["State"])
        if state != last:
            out(f"{name}: {state}")
            last = state
        if state in _FINAL_STATES:
            return state
        sleep(_POLL_SECONDS)


def _replay(args: argparse.Namespace) -> int:
    target = target_of(args)
    started = start_replay(target, args.date)
    print_json(started)
    if not args.follow:
        return 0
    final = wait_for_replay(target, started["replay"], out=print)
    return 0 if final == "COMPLETED" else 1
