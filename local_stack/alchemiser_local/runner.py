"""``alchemiser run``: the whole serverless workflow on one machine.

Emulator up, stack created from template.yaml as a fresh deployment (empty bar store,
no paper account), and Alpaca on loopback serving the synthetic bars. Then for each
weekday, as the schedules do on AWS (their crons are MON-FRI): at 08:00 New York the
market data refresh fills the bar store from Alpaca, at 09:35 the daily trade starts
the workflow, and every event is delivered as AWS would deliver it, until the workflow
and its tasks are done. The paper account opens itself on the first trade.

Every delivery is saved to ``envelopes.jsonl`` (``envelopes``). With ``replay``, a fresh
stack over the same market (the recorded seed and days) is fed those envelopes instead
of the schedules: the same orders and the same final portfolio come out.
"""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from typing import IO, TYPE_CHECKING, Any

from alchemiser_local.alpaca_local import local_alpaca, new_york_at
from alchemiser_local.emulator import Emulator
from alchemiser_local.envelopes import EnvelopeRecorder, RecordedRun, read_recording
from alchemiser_local.iam import UNCHECKED_REQUESTS, denials
from alchemiser_local.lambda_logs import log_to_cloudwatch
from alchemiser_local.report import (
    DayResult,
    IamReport,
    Laps,
    RunReport,
    format_entry,
    print_summary,
)
from alchemiser_local.service import build_deliveries, task_worker
from alchemiser_local.session import running_stack
from alchemiser_local.timeline import Timeline

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from decimal import Decimal
    from pathlib import Path

    from mypy_boto3_sqs import SQSClient

    from alchemiser_local.alpaca_emulator import AlpacaEmulator
    from alchemiser_local.delivery import Deliveries
    from alchemiser_local.envelopes import Delivered
    from alchemiser_local.stack import LocalStack
    from alchemiser_local.timeline import TimelineEntry

__all__ = [
    "DAILY_TRADE",
    "FIRES_AT",
    "MARKET_DATA_REFRESH",
    "WEEKLY_PNL",
    "RunOptions",
    "iam_report",
    "new_york_open",
    "run",
    "run_emulator",
]

#: The schedule whose firing starts a trading day's workflow, and when it fires.
DAILY_TRADE = "DailyTradeSchedule"
_TRADE_TIME = wall_time(9, 35)
#: The schedule that fills the bar store before the trade, and when it fires.
MARKET_DATA_REFRESH = "MarketDataRefreshSchedule"
_REFRESH_TIME = wall_time(8, 0)
#: The weekly PnL report's schedule (IAM enforced, fired once at the end), and its time.
WEEKLY_PNL = "WeeklyPnlSchedule"
_PNL_TIME = wall_time(16, 30)
#: When each schedule fires, New York time (template.yaml's crons).
FIRES_AT = {MARKET_DATA_REFRESH: _REFRESH_TIME, DAILY_TRADE: _TRADE_TIME, WEEKLY_PNL: _PNL_TIME}
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
    #: Template parameter overrides (``BrokerBackend=alpaca``).
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: An ``envelopes.jsonl`` to feed through the stack (its days, seed and parameters).
    replay: Path | None = None
    #: The emulator enforces IAM; each part runs with its own role (``iam``).
    enforce_iam: bool = False


def new_york_open(day: date) -> datetime:
    """09:35 New York time on ``day``, as an aware UTC instant (the trade schedule's)."""
    return new_york_at(day, _TRADE_TIME)


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


def _steps(timeline: Timeline, correlation_id: str | None) -> list[TimelineEntry]:
    """The workflow's steps: a duplicate delivery (a replayed envelope) is only answered."""
    workflow = timeline.events(correlation_id) if correlation_id else []
    return [entry for entry in workflow if entry.outcome != "duplicate"]


def _day_result(
    day: date, correlation_id: str | None, timeline: Timeline, equity: Decimal
) -> DayResult:
    entries = _steps(timeline, correlation_id)
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


class _Clock:
    """Where the run is: the day and the Alpaca time (also what a recording notes)."""

    def __init__(self, alpaca: AlpacaEmulator, recorder: EnvelopeRecorder | None) -> None:
        self.alpaca, self.recorder = alpaca, recorder
        self.now: datetime | None = None

    def set(self, day: date, instant: datetime) -> None:
        if instant != self.now:
            self.alpaca.set_now(instant)
            self.now = instant
        if self.recorder is not None:
            self.recorder.day, self.recorder.clock = day, instant


def _run_day(
    day: date, deliveries: Deliveries, clock: _Clock, say: Callable[[str], None]
) -> str | None:
    """One weekday as the schedules make it; returns the trade's correlation id."""
    stack = deliveries.stack
    for name, at in ((MARKET_DATA_REFRESH, _REFRESH_TIME), (DAILY_TRADE, _TRADE_TIME)):
        schedule = stack.schedule(name)
        instant = new_york_at(day, at)
        clock.set(day, instant)
        say(f"{day} {at:%H:%M} America/New_York: {schedule.name} fires")
        fired = deliveries.fire(schedule, instant)
        deliveries.settle()
    return (fired.result or {}).get("correlation_id")


def _replay_day(
    day: date, delivered: list[Delivered], deliveries: Deliveries, clock: _Clock
) -> str | None:
    """The recorded deliveries of ``day``, in order; returns the trade's correlation id."""
    correlation_id = None
    for entry in (e for e in delivered if e.day == day):
        clock.set(day, entry.clock)
        attempt = deliveries.deliver(entry.function, entry.payload)
        deliveries.settle()
        if isinstance(entry.payload, dict) and entry.payload.get("mode") == "trade":
            correlation_id = (attempt.result or {}).get("correlation_id")
    return correlation_id


def _plan(options: RunOptions) -> tuple[RecordedRun, list[Delivered] | None]:
    """The run's world and, when replaying, the deliveries to feed it.

    Raises:
        RecordingError: the replayed file is not a recording of ``run``.
    """
    if options.replay is not None:
        return read_recording(options.replay)
    dates = schedule_days(options.days, options.start)
    world = RecordedRun(
        stage=options.stage,
        seed=options.seed,
        dates=tuple(dates),
        parameters=dict(options.parameters),
    )
    return world, None


def run(
    options: RunOptions, *, out: Callable[[str], None] = print, emulator: Emulator | None = None
) -> RunReport:
    """Run the workflow on ``options.days`` weekdays (or replay ``options.replay``).

    ``emulator`` may be started already (its start is the slowest part: start it first).

    Raises:
        RecordingError: ``options.replay`` is not a recording of ``run``.
    """
    from alchemiser_local.seed import account_view, synthetic_world  # noqa: PLC0415

    started = time.perf_counter()
    lap = Laps()

    def say(line: str) -> None:
        out(f"[{time.perf_counter() - started:5.2f}s] {line}")

    plan, delivered = _plan(options)
    options.out_dir.mkdir(parents=True, exist_ok=True)
    log_path = options.out_dir / "lambda-logs.jsonl"
    report = RunReport(stage=plan.stage, seconds=0.0, log_file=str(log_path))
    world = synthetic_world(first_day=plan.dates[0], last_day=plan.dates[-1], seed=plan.seed)
    with (
        running_stack(
            template=options.template,
            root=options.root,
            stage=plan.stage,
            emulator=emulator or run_emulator(options),
            parameters=plan.parameters,
        ) as (endpoint, stack),
        local_alpaca(stack, world) as alpaca,
        log_path.open("w") as log_file,
        log_to_cloudwatch(log_file, _log_clients(stack)) as logs,
        _worker_log(options, stack) as worker_log,
        _recorder(options, plan, report, replaying=delivered is not None) as recorder,
    ):
        report.timings.stack = lap()
        say(f"emulator {endpoint}: stack {stack.stack_name}, {len(stack.physical_ids)} resources")
        say(f"Alpaca emulator {alpaca.url}: {len(world.bars)} symbols of bars")
        if stack.principals is not None:
            say("IAM enforced: each function, the task worker and the operator with its own role")
        account = account_view(stack, world, alpaca)
        timeline = Timeline(started=time.perf_counter(), on_entry=lambda e: out(format_entry(e)))
        worker = task_worker(stack, log=worker_log)
        worker.start()
        deliveries = build_deliveries(
            stack,
            worker,
            timeline.record,
            retry_delay_seconds=options.retry_delay_seconds,
            logs=logs,
        )
        deliveries.on_delivery = recorder.record if recorder else None
        clock = _Clock(alpaca, recorder)
        report.timings.seed = lap()
        try:
            for day in plan.dates:
                if delivered is None:
                    correlation_id = _run_day(day, deliveries, clock, say)
                else:
                    correlation_id = _replay_day(day, delivered, deliveries, clock)
                report.days.append(_day_result(day, correlation_id, timeline, account.equity(day)))
                report.timings.days.append(lap())
            if stack.principals is not None:
                _weekly_pnl(plan.dates[-1], deliveries, clock, say)
        finally:
            worker.stop()
        report.positions, report.cash = account.positions(plan.dates[-1])
        if stack.principals is not None:
            report.iam = iam_report(stack, deliveries.sqs)
        say("done; stopping the emulator")
    report.timings.stop = lap()
    report.seconds = time.perf_counter() - started
    print_summary(report, out)
    return report


def run_emulator(options: RunOptions) -> Emulator:
    """The emulator ``options`` ask for (enforcing IAM or not); not started yet."""
    unchecked = UNCHECKED_REQUESTS if options.enforce_iam else None
    return Emulator(port=options.port, unchecked_requests=unchecked)


def _log_clients(stack: LocalStack) -> dict[str, Any] | None:
    """IAM enforced: each log group's lines go out with its function's role, as Lambda's."""
    return stack.principals.log_group_clients(stack) if stack.principals else None


@contextmanager
def _worker_log(options: RunOptions, stack: LocalStack) -> Iterator[IO[str] | int]:
    """Where a worker process writes (IAM enforced); the in-process one logs with the run."""
    if stack.principals is None:
        yield subprocess.DEVNULL
        return
    with (options.out_dir / "task-worker.log").open("w") as log:
        yield log


def _weekly_pnl(
    day: date, deliveries: Deliveries, clock: _Clock, say: Callable[[str], None]
) -> None:
    """The weekly PnL schedule, fired after the last day's close whatever the weekday.

    Its cron is Fridays 16:30; IAM enforced, the run fires it once at the end, so the
    PnL command and its task run under their roles too.
    """
    schedule = deliveries.stack.schedule(WEEKLY_PNL)
    instant = new_york_at(day, _PNL_TIME)
    clock.set(day, instant)
    say(f"{day} {_PNL_TIME:%H:%M} America/New_York: {schedule.name} fires")
    deliveries.fire(schedule, instant)
    deliveries.settle()


def iam_report(stack: LocalStack, sqs: SQSClient) -> IamReport:
    """What the emulator refused, and the tasks in the task DLQs (``sqs``: the stack's own)."""
    assert stack.principals is not None  # only called with IAM enforced
    failed = 0
    for logical_id in ("PnlReportsDLQ", "TradeLedgerDLQ"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack.physical_ids[logical_id], AttributeNames=["ApproximateNumberOfMessages"]
        )
        failed += int(attributes["Attributes"].get("ApproximateNumberOfMessages", "0"))
    return IamReport(denials=tuple(denials(stack.principals.endpoint)), failed_tasks=failed)


@contextmanager
def _recorder(
    options: RunOptions, plan: RecordedRun, report: RunReport, *, replaying: bool
) -> Iterator[EnvelopeRecorder | None]:
    """The run's recording (none when it replays one)."""
    if replaying:
        report.envelopes_file = str(options.replay)
        yield None
        return
    path = options.out_dir / "envelopes.jsonl"
    report.envelopes_file = str(path)
    with EnvelopeRecorder(path, plan) as recorder:
        yield recorder
