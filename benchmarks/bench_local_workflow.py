"""Wall time of the local stack: one workflow, and twenty trading days.

Targets: one workflow <= 2.5 s, including the emulator's start, and each further trading
day <= 0.25 s. Each run is the operator's command, ``alchemiser run``, in a fresh
process, from process start to exit. Per day: (twenty days - best single day) / 19, so
only what a day adds counts (the equity chart a multi-day run draws included).

Per phase, from each run's report.json (``timings``): ``process`` is what the report
cannot see (interpreter start, imports before the run, writing the report, exit);
``stack``, the emulator ready and the stack created; ``seed``, the bar store, the
paper account and the task worker; ``days``, each day's schedule and everything it
caused, settled; ``stop``, the worker and the emulator stopped. Medians of the single
day runs; for the twenty days, the median of the days after the first (a warm day).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _repo
from _harness import report

TARGET_SECONDS = 2.5
TARGET_PER_DAY_SECONDS = 0.25
START = "2026-10-01"
SINGLE_DAY_RUNS = 3
DAYS = 20


def timed_run(*args: str) -> tuple[float, dict[str, Any]]:
    """Seconds from process start to exit, and the run's report.json."""
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "alchemiser_local.cli",
                "run",
                "--start",
                START,
                "--out",
                out,
                *args,
            ],
            check=True,
            capture_output=True,
            cwd=_repo.ROOT,
        )
        seconds = time.perf_counter() - start
        return seconds, json.loads((Path(out) / "report.json").read_text())


def phases(seconds: float, run_report: dict[str, Any]) -> dict[str, float]:
    """One run's phases (see the module docstring)."""
    timings = run_report["timings"]
    return {
        "process": seconds - run_report["seconds"],
        "stack": timings["stack"],
        "seed": timings["seed"],
        "days": sum(timings["days"]),
        "stop": timings["stop"],
    }


def _median_phases(runs: list[tuple[float, dict[str, Any]]]) -> dict[str, float]:
    each = [phases(seconds, run_report) for seconds, run_report in runs]
    return {name: round(statistics.median(p[name] for p in each), 3) for name in each[0]}


def main() -> None:
    one_day = [timed_run() for _ in range(SINGLE_DAY_RUNS)]
    twenty, twenty_report = timed_run("--days", str(DAYS))
    best = min(seconds for seconds, _ in one_day)
    per_day = (twenty - best) / (DAYS - 1)
    report(
        "local_workflow",
        one_workflow_seconds=[round(seconds, 2) for seconds, _ in one_day],
        one_workflow_best_seconds=round(best, 2),
        one_workflow_phases_seconds=_median_phases(one_day),
        target_seconds=TARGET_SECONDS,
        twenty_days_seconds=round(twenty, 2),
        twenty_days_per_day_seconds=round(per_day, 3),
        twenty_days_warm_day_seconds=round(
            statistics.median(twenty_report["timings"]["days"][1:]), 3
        ),
        twenty_days_phases_seconds=_median_phases([(twenty, twenty_report)]),
        target_per_day_seconds=TARGET_PER_DAY_SECONDS,
        meets_target=best <= TARGET_SECONDS and per_day <= TARGET_PER_DAY_SECONDS,
        all_completed=all(r["succeeded"] for _, r in one_day) and twenty_report["succeeded"],
    )


if __name__ == "__main__":
    main()
