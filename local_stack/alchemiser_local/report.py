"""The run's results for people (tables on the terminal) and for machines (JSON, PNG)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from datetime import date
    from decimal import Decimal
    from pathlib import Path

    from alchemiser_local.timeline import TimelineEntry

__all__ = [
    "DayResult",
    "IamReport",
    "Laps",
    "RunReport",
    "Timings",
    "format_entry",
    "print_summary",
    "write_equity_curve",
]


@dataclass(frozen=True)
class DayResult:
    """One trading day's workflow: how it ended and what it left in the account."""

    trading_date: date
    correlation_id: str | None
    outcome: str
    equity: Decimal
    orders: tuple[dict[str, Any], ...]
    events: tuple[str, ...]

    @property
    def completed(self) -> bool:
        """Whether the workflow ended in WorkflowCompleted."""
        return self.events[-1:] == ("WorkflowCompleted",)


@dataclass
class Timings:
    """Where a run's time went, in seconds: what to look at when a run gets slower."""

    #: From the start of the run until the stack exists (the emulator's start included).
    stack: float = 0.0
    #: Bar store and paper account written, task worker started.
    seed: float = 0.0
    #: Each trading day: the schedule fired and everything it caused settled.
    days: list[float] = field(default_factory=list)
    #: The final positions read, the task worker and the emulator stopped.
    stop: float = 0.0


class Laps:
    """Seconds since the previous lap (the first: since it was made)."""

    def __init__(self) -> None:
        self._last = time.perf_counter()

    def __call__(self) -> float:
        """The lap that ends now."""
        now = time.perf_counter()
        seconds, self._last = now - self._last, now
        return seconds


@dataclass(frozen=True)
class IamReport:
    """What a run with IAM enforced found: every refusal, and the tasks that failed."""

    #: Each refusal the emulator answered (principal, action, resource, code).
    denials: tuple[dict[str, str], ...]
    #: Tasks in the task DLQs when the run ended (a PnL report or ledger entry not made).
    failed_tasks: int

    @property
    def clean(self) -> bool:
        """Nothing was refused and every task completed."""
        return not self.denials and not self.failed_tasks

    def lines(self) -> list[str]:
        """The summary for people: the count, then each refusal."""
        lines = [
            f"\nIAM enforced: {len(self.denials)} AccessDenied, {self.failed_tasks} failed tasks"
        ]
        lines += [
            f"  {d['code']}: {d['principal']} {d['action']} on {d['resource']}"
            for d in self.denials
        ]
        return lines


@dataclass
class RunReport:
    """Everything ``alchemiser run`` learned, as written to report.json."""

    stage: str
    seconds: float
    days: list[DayResult] = field(default_factory=list)
    positions: dict[str, dict[str, str]] = field(default_factory=dict)
    cash: Decimal | None = None
    log_file: str = ""
    #: The deliveries the run saved, or the recording it replayed.
    envelopes_file: str = ""
    timings: Timings = field(default_factory=Timings)
    #: With IAM enforced (``--enforce-iam``): what the emulator refused.
    iam: IamReport | None = None

    @property
    def succeeded(self) -> bool:
        """Every day's workflow completed (and, IAM enforced, nothing was refused)."""
        completed = bool(self.days) and all(day.completed for day in self.days)
        return completed and (self.iam is None or self.iam.clean)

    def to_json(self) -> str:
        """The report as JSON (Decimal and dates as text)."""
        body = {
            "stage": self.stage,
            "seconds": round(self.seconds, 3),
            "succeeded": self.succeeded,
            "log_file": self.log_file,
            "envelopes_file": self.envelopes_file,
            "cash": self.cash,
            "positions": self.positions,
            "days": [{**asdict(day), "completed": day.completed} for day in self.days],
            "timings": asdict(self.timings),
        }
        if self.iam is not None:
            body["iam"] = {
                "access_denied": len(self.iam.denials),
                "denials": list(self.iam.denials),
                "failed_tasks": self.iam.failed_tasks,
            }
        return json.dumps(body, default=str, indent=2)


def format_entry(entry: TimelineEntry) -> str:
    """One line of the live progress view."""
    return (
        f"  +{entry.offset_seconds:6.2f}s  {entry.function:<22} {entry.received:<22} "
        f"{entry.step:<19} {entry.outcome:<10} {entry.milliseconds:7.1f} ms"
    )


def _table(rows: Sequence[Sequence[object]], header: Sequence[str]) -> list[str]:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return lines


def print_summary(report: RunReport, out: Callable[[str], None]) -> None:
    """Orders, the resulting portfolio and each day's outcome."""
    for day in report.days:
        out(f"\n{day.trading_date}  {day.outcome}  equity {day.equity}  ({day.correlation_id})")
        out("  events: " + " -> ".join(day.events))
        if day.orders:
            rows: list[tuple[object, ...]] = [
                (o["symbol"], o["side"], o["quantity"], o["status"], o.get("average_price") or "-")
                for o in day.orders
            ]
            out("\n".join(_table(rows, ("symbol", "side", "quantity", "status", "avg price"))))
    if report.positions:
        out("\nPortfolio")
        held: list[tuple[object, ...]] = [
            (s, p["quantity"], p["price"], p["value"]) for s, p in report.positions.items()
        ]
        out("\n".join(_table(held, ("symbol", "quantity", "last close", "value"))))
    out(f"  cash {report.cash}")
    if report.iam is not None:
        out("\n".join(report.iam.lines()))


def write_equity_curve(days: Sequence[DayResult], path: Path) -> None:
    """A PNG of account equity after each trading day."""
    import matplotlib as mpl  # noqa: PLC0415 - only for --days

    mpl.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axes = plt.subplots(figsize=(9, 4.5))
    dates: Any = [d.trading_date for d in days]  # matplotlib's stubs know no dates
    axes.plot(dates, [float(d.equity) for d in days], marker="o")
    axes.set_title("Paper account equity after each trading day")
    axes.set_ylabel("equity (USD)")
    axes.grid(visible=True, alpha=0.3)
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
