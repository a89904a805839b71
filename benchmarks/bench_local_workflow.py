"""Wall time of the local stack: one workflow, and twenty trading days.

Target: one workflow <= 5 s, including the emulator's start. Each run is the operator's
command, ``alchemiser run``, in a fresh process, from process start to exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _repo
from _harness import report

TARGET_SECONDS = 5.0
START = "2026-10-01"


def timed_run(*args: str) -> tuple[float, dict[str, object]]:
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


def main() -> None:
    one_day = [timed_run() for _ in range(3)]
    twenty, twenty_report = timed_run("--days", "20")
    best = min(seconds for seconds, _ in one_day)
    report(
        "local_workflow",
        one_workflow_seconds=[round(seconds, 2) for seconds, _ in one_day],
        one_workflow_best_seconds=round(best, 2),
        target_seconds=TARGET_SECONDS,
        meets_target=best <= TARGET_SECONDS,
        twenty_days_seconds=round(twenty, 2),
        twenty_days_per_day_seconds=round((twenty - best) / 19, 2),
        all_completed=all(r["succeeded"] for _, r in one_day) and twenty_report["succeeded"],
    )


if __name__ == "__main__":
    main()
