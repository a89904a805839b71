"""``alchemiser run``: the whole serverless workflow on one machine.

Emulator up, stack created from template.yaml, paper account and bar store seeded, then
for each weekday the daily schedule fires at 09:35 New York time (its cron is MON-FRI)
and every event is delivered as AWS would deliver it, until the workflow and its tasks
are done.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from alchemiser_local.delivery import Deliveries
from alchemiser_local.emulator import Emulator
from alchemiser_local.functions import FunctionHost
from alchemiser_local.report import DayResult, Laps, RunReport, format_entry, print_summary
from alchemiser_local.session import running_stack
from alchemiser_local.tasks import InProcessWorker
from alchemiser_local.timeline import Timeline

if TYPE_CHECKING:
    from collections.abc import Callable
    from decimal import Decimal
    from pathlib import Path

    from alchemiser_local.stack import LocalStack, ScheduleSpec

__all__ = ["DAILY_TRADE_SCHEDULE", "RunOptions", "run"]

#: The schedule whose firing starts a trading day's workflow.
DAILY_TRADE_SCHEDULE = "daily-trade"
_SATURDAY = 5


@dataclass(frozen=True)
class RunOptions:
    """What ``alchemiser run`` was asked to do."""

    root: Path
    template: Path
    out_dir: Path
    days: int = 1
    start: date | None = None
    stage: str = "dev"
    port: int = 0
    seed: int = 7
    retry_delay_seconds: float = 0.0


def new_york_open(day: date) -> datetime:
    """09:35 New York time on ``day``, as an aware UTC instant (the schedule's time)."""
    from alchemiser.clock import NEW_YORK  # noqa: PLC0415

    return datetime.combine(day, wall_time(9, 35), ZoneInfo(NEW_YORK)).astimezone(UTC)


def schedule_days(days: int, start: date | None) -> list[date]:
    """The ``days`` weekdays the daily schedule fires on, oldest first.

    From ``start``, or ending on the last trading day before today. The cron is
    ``MON-FRI``, not "trading days": on a closed weekday (a holiday, a day of mourning) the
    schedule still fires and the workflow records ``market_closed``.

    Raises:
        CalendarRangeError: for days outside the calendar's range (never OverflowError).
    """
    from alchemiser.trading.market_calendar import previous_trading_day  # noqa: PLC0415
    from alchemiser.trading.market_calendar.sessions import check_supported  # noqa: PLC0415

    day = start or previous_trading_day(datetime.now(UTC).date())
    step = timedelta(days=1 if start else -1)
    chosen: list[date] = []
    while len(chosen) < days:
        check_supported(day)
        if day.weekday() < _SATURDAY:
            chosen.append(day)
        day += step
    return sorted(chosen)


def _daily_schedule(stack: LocalStack) -> ScheduleSpec:
    for schedule in stack.schedules:
        if schedule.name.endswith(DAILY_TRADE_SCHEDULE):
            return schedule
    raise LookupError(f"template.yaml has no schedule named *{DAILY_TRADE_SCHEDULE}")


def _day_result(
    day: date, correlation_id: str | None, timeline: Timeline, equity: Decimal
) -> DayResult:
    entries = timeline.events(correlation_id) if correlation_id else []
    events = tuple(e.received for e in entries if not e.received.startswith("command"))
    orders: tuple[dict[str, Any], ...] = ()
    outcome = "incomplete"
    for entry in entries:
        detail = entry.detail or {}
        if entry.received == "TradeExecuted":
            orders = tuple(detail.get("orders", ()))
        if entry.received == "WorkflowCompleted":
            outcome = str(detail.get("outcome"))
        if entry.received == "WorkflowFailed":
            outcome = f"failed at {detail.get('failure_step')}: {detail.get('failure_reason')}"
    return DayResult(
        trading_date=day,
        correlation_id=correlation_id,
        outcome=outcome,
        equity=equity,
        orders=orders,
        events=events,
    )


def run(
    options: RunOptions, *, out: Callable[[str], None] = print, emulator: Emulator | None = None
) -> RunReport:
    """Run the workflow on ``options.days`` weekdays; see the module docstring.

    ``emulator`` may be started already (its start is the slowest part: start it first).
    """
    from alchemiser.logging import configure_logging  # noqa: PLC0415
    from alchemiser_local.seed import seed_world, synthetic_world  # noqa: PLC0415

    started = time.perf_counter()
    lap = Laps()

    def say(line: str) -> None:
        out(f"[{time.perf_counter() - started:5.2f}s] {line}")

    options.out_dir.mkdir(parents=True, exist_ok=True)
    log_path = options.out_dir / "lambda-logs.jsonl"
    dates = schedule_days(options.days, options.start)
    report = RunReport(stage=options.stage, seconds=0.0, log_file=str(log_path))
    world = synthetic_world(first_day=dates[0], last_day=dates[-1], seed=options.seed)
    with (
        running_stack(
            template=options.template,
            root=options.root,
            stage=options.stage,
            emulator=emulator or Emulator(port=options.port),
        ) as (endpoint, stack),
        log_path.open("w") as log_file,
    ):
        report.timings.stack = lap()
        say(f"emulator {endpoint}: stack {stack.stack_name}, {len(stack.physical_ids)} resources")
        configure_logging(stream=log_file, force=True)
        account = seed_world(stack, world)
        say(f"seeded {account.describe()}")
        timeline = Timeline(started=time.perf_counter(), on_entry=lambda e: out(format_entry(e)))
        worker = InProcessWorker(environment=stack.stage)
        worker.start()
        deliveries = _deliveries(stack, timeline, options.retry_delay_seconds, worker)
        report.timings.seed = lap()
        try:
            for day in dates:
                say(f"{day} 09:35 America/New_York: {_daily_schedule(stack).name} fires")
                fired = deliveries.fire(_daily_schedule(stack), new_york_open(day))
                deliveries.settle()
                correlation_id = (fired.result or {}).get("correlation_id")
                report.days.append(_day_result(day, correlation_id, timeline, account.equity(day)))
                report.timings.days.append(lap())
        finally:
            worker.stop()
        report.positions, report.cash = account.positions(dates[-1])
        configure_logging(force=True)
        say("done; stopping the emulator")
    report.timings.stop = lap()
    report.seconds = time.perf_counter() - started
    print_summary(report, out)
    return report


def _deliveries(
    stack: LocalStack, timeline: Timeline, retry_delay_seconds: float, worker: InProcessWorker
) -> Deliveries:
    deliveries = Deliveries(
        stack=stack,
        hosts={},
        task_queue_urls=(stack.outputs["PnlReportsQueueUrl"], stack.outputs["TradeLedgerQueueUrl"]),
        tasks_done=worker.signals.done,
    )
    for logical_id, spec in stack.functions.items():
        deliveries.hosts[logical_id] = FunctionHost(
            spec,
            record=timeline.record,
            retry_delay_seconds=retry_delay_seconds,
            sqs=deliveries.sqs,
        )
    return deliveries
