"""``alchemiser logs trace`` and ``logs tail``: the functions' CloudWatch logs for operators.

``trace CORRELATION_ID`` (or ``--date D``) prints one workflow's timeline across both log
groups, from the schedule to WorkflowCompleted: each invocation's function, what it
received, its step and outcome, its duration, cold starts and the errors with their
fields (``trace``). ``tail`` prints the latest lines of one or both functions, at or
above a level, and with ``--follow`` keeps printing new ones. Both read with
FilterLogEvents, every page, the same way on AWS and on the local stack.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import OpsError, add_target_arguments, print_json, target_of
from alchemiser_local.ops.log_records import (
    ALL_LOG_GROUP_OUTPUTS,
    LOG_GROUP_OUTPUTS,
    field_text,
    log_groups,
    read_records,
)
from alchemiser_local.ops.trace import find_workflows, format_trace, trace

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

    from alchemiser_local.ops.log_records import LogRecord
    from alchemiser_local.target import Target

__all__ = ["LEVELS", "format_record", "register", "since", "tail"]

#: Levels in order; ``--level L`` shows L and above. A platform or plain line is ``info``.
LEVELS = ("debug", "info", "warning", "error", "critical")
_AGO = re.compile(r"^(?P<amount>\d{1,6})(?P<unit>[smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
#: How often ``--follow`` asks for new lines (FilterLogEvents allows 5 calls a second).
FOLLOW_POLL_SECONDS = 2.0


def since(text: str) -> datetime:
    """``--since``: ``90s``, ``30m``, ``12h``, ``7d`` ago, or an ISO 8601 time with a zone."""
    import argparse  # noqa: PLC0415 - only to report a bad value

    match = _AGO.match(text)
    if match:
        ago = timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
        return datetime.now(UTC) - ago
    try:
        instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither a duration (30m, 12h, 7d) nor an ISO 8601 time"
        ) from None
    if instant.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} names no instant: give a zone (Z, +hh:mm)")
    return instant


def _ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``logs trace`` and ``logs tail``."""
    logs = commands.add_parser("logs", help="the functions' CloudWatch logs")
    actions = logs.add_subparsers(dest="action", required=True)
    trace_parser = actions.add_parser(
        "trace", help="one workflow's timeline across both functions' log groups"
    )
    trace_parser.add_argument(
        "correlation_id", nargs="?", help="the workflow's correlation id (or give --date)"
    )
    trace_parser.add_argument(
        "--date", type=date.fromisoformat, help="the workflows of this trading date instead"
    )
    trace_parser.add_argument(
        "--since", type=since, default="7d", help="how far back: 30m, 12h, 7d (default) or a time"
    )
    trace_parser.add_argument("--json", action="store_true", help="JSON instead of a table")
    add_target_arguments(trace_parser)
    trace_parser.set_defaults(handler=_trace)

    tail_parser = actions.add_parser("tail", help="the latest log lines; --follow for new ones")
    tail_parser.add_argument(
        "--function",
        choices=tuple(ALL_LOG_GROUP_OUTPUTS),
        help="one function (default: both of the workflow; the deploy hook only when named)",
    )
    tail_parser.add_argument("--level", choices=LEVELS, help="this level and above only")
    tail_parser.add_argument(
        "--since", type=since, default="10m", help="from when: 30m, 12h, 7d or a time (10m)"
    )
    tail_parser.add_argument(
        "--follow",
        type=float,
        nargs="?",
        const=0.0,
        metavar="SECONDS",
        help="keep printing new lines (for SECONDS; without a number until Ctrl-C)",
    )
    tail_parser.add_argument("--json", action="store_true", help="one JSON object per line")
    add_target_arguments(tail_parser)
    tail_parser.set_defaults(handler=_tail)


def _level_of(record: LogRecord) -> str:
    level = str(record.field("level") or "info").lower()
    return level if level in LEVELS else "error" if level == "exception" else "info"


def format_record(record: LogRecord) -> str:
    """One line for people: time, function, level, event and the other fields."""
    when = datetime.fromtimestamp(record.timestamp / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    head = f"{when[:-3]}Z  {record.function:22} {_level_of(record):8}"
    if record.fields is None:
        return f"{head} {record.message}"
    skipped = {"event", "level", "timestamp", "function", "stage"}
    rest = " ".join(
        f"{key}={field_text(value)}" for key, value in record.fields.items() if key not in skipped
    )
    return f"{head} {record.field('event')}  {rest}"


def _tail_once(
    target: Target,
    groups: dict[str, str],
    *,
    start_ms: int,
    seen: set[str],
) -> list[LogRecord]:
    """New records of every group since ``start_ms`` (``seen`` event ids left out)."""
    fresh = [
        record
        for function, group in groups.items()
        for record in read_records(target, function, group, start_ms=start_ms)
        if record.event_id not in seen
    ]
    seen.update(record.event_id for record in fresh)
    return sorted(fresh, key=lambda r: r.timestamp)


def tail(
    target: Target,
    *,
    functions: Sequence[str],
    level: str | None,
    since_ms: int,
    follow_seconds: float | None,
    out: Callable[[LogRecord], None],
) -> int:
    """Print the lines since ``since_ms``; with ``follow_seconds``, new ones as they come.

    ``follow_seconds`` 0 follows until interrupted. Returns how many lines were printed.
    """
    groups = log_groups(target, functions)
    lowest = LEVELS.index(level) if level else 0
    seen: set[str] = set()
    start_ms, printed = since_ms, 0
    deadline = time.monotonic() + follow_seconds if follow_seconds else None
    while True:
        for record in _tail_once(target, groups, start_ms=start_ms, seen=seen):
            start_ms = max(start_ms, record.timestamp)
            if LEVELS.index(_level_of(record)) >= lowest:
                out(record)
                printed += 1
        if follow_seconds is None or (deadline is not None and time.monotonic() >= deadline):
            return printed
        time.sleep(FOLLOW_POLL_SECONDS)


def _trace(args: argparse.Namespace) -> int:
    if (args.correlation_id is None) == (args.date is None):
        raise OpsError("give the workflow's correlation id or --date D (one of them)")
    target = target_of(args)
    since_ms = _ms(args.since)
    ids = (
        [args.correlation_id]
        if args.correlation_id
        else find_workflows(target, args.date, since_ms=since_ms)
    )
    traces = {
        correlation_id: trace(target, correlation_id, since_ms=since_ms) for correlation_id in ids
    }
    if args.json:
        print_json(
            [
                {"correlation_id": cid, "invocations": [a.as_json() for a in attempts]}
                for cid, attempts in traces.items()
            ]
        )
    else:
        for correlation_id, attempts in traces.items():
            print("\n".join(format_trace(correlation_id, attempts)))
    return 0


def _print_record(record: LogRecord, *, as_json: bool) -> None:
    if as_json:
        body: dict[str, Any] = {
            "function": record.function,
            "log_stream": record.stream,
            "timestamp_ms": record.timestamp,
        }
        body.update({"fields": record.fields} if record.fields else {"message": record.message})
        print(json.dumps(body), flush=True)
    else:
        print(format_record(record), flush=True)


def _tail(args: argparse.Namespace) -> int:
    target = target_of(args)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends --follow
        tail(
            target,
            functions=(args.function,) if args.function else tuple(LOG_GROUP_OUTPUTS),
            level=args.level,
            since_ms=_ms(args.since),
            follow_seconds=args.follow,
            out=lambda record: _print_record(record, as_json=args.json),
        )
    return 0
