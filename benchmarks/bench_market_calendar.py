"""First NYSE-calendar answer and first New York time in a cold router container.

Target: both together <= 0.1x ``import boto3``. The layer ships a closure table generated
from the holidays library instead of a calendar library (holidays' NYSE calendar alone
imports in about 0.85x ``import boto3``), and tzdata for zoneinfo; this is what they cost
where they are used. Each run is a fresh Lambda-like interpreter (the built layer and
the runtime's boto3 only, tests/support/lambda_runtime.py) that imports the router
handler, then times ``is_trading_day`` (import and first answer) and ``new_york_date``
(the zone loaded from the layer's tzdata, the system database hidden as Lambda's image
may have none). ``import boto3`` is measured the same way in the same run, interleaved.
Medians of ``--runs`` runs after one discarded warm-up run.

Usage: python benchmarks/bench_market_calendar.py [--build-dir DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import report

from tests.support.artifacts import built_functions, sam_build
from tests.support.lambda_runtime import (
    HandlerRun,
    find_python312,
    lambda_environment,
    provide_runtime_packages,
    run_handler,
)

TARGET_RATIO = 0.1
ROUTER = "EventRoutingFunction"

_PROBE = """
import time
import zoneinfo
from datetime import UTC, date, datetime

import event_router_handler  # noqa: F401 - a cold router container: what it imports first


def lambda_handler(event, context):
    zoneinfo.reset_tzpath(to=[])  # no system database: the layer's tzdata answers
    start = time.perf_counter()
    from alchemiser.trading import is_trading_day

    closed = not is_trading_day(date(2025, 1, 9))
    calendar = time.perf_counter()
    from alchemiser.clock import new_york_date

    new_york_date(datetime.now(UTC))
    zone = time.perf_counter()
    return {"calendar_s": calendar - start, "zone_s": zone - calendar, "closed": closed}
"""


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def measure(
    build_dir: Path, runtime: Path, python: str, runs: int, scratch: Path
) -> dict[str, object]:
    router = next(f for f in built_functions(build_dir) if f.logical_id == ROUTER)
    probe_dir = scratch / "CalendarProbe"
    probe_dir.mkdir()
    (probe_dir / "calendar_probe.py").write_text(_PROBE)
    env = lambda_environment(router)
    sys_path = [probe_dir, *router.sys_path(runtime)]
    boto3_runs: list[HandlerRun] = []
    probe_runs: list[HandlerRun] = []
    for round_ in range(runs + 1):
        boto3 = run_handler(python, router.sys_path(runtime), "boto3.client", env=env)
        probe = run_handler(python, sys_path, "calendar_probe.lambda_handler", env=env, event={})
        if not probe.ok:
            return {"error": probe.error, "meets_target": False}
        if round_:  # the first round warms the page cache
            boto3_runs.append(boto3)
            probe_runs.append(probe)
    boto3_ms = _ms([r.import_seconds or 0.0 for r in boto3_runs])
    calendar_ms = _ms([r.response["calendar_s"] for r in probe_runs])
    zone_ms = _ms([r.response["zone_s"] for r in probe_runs])
    return {
        "boto3_import_ms": boto3_ms,
        "first_calendar_answer_ms": calendar_ms,
        "first_new_york_time_ms": zone_ms,
        "vs_boto3": round((calendar_ms + zone_ms) / boto3_ms, 3),
        "closure_known": all(r.response["closed"] for r in probe_runs),
        "target_ratio": TARGET_RATIO,
        "runs": runs,
        "meets_target": calendar_ms + zone_ms <= TARGET_RATIO * boto3_ms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="an existing `sam build` output")
    parser.add_argument("--runs", type=int, default=7, help="timed runs (>= 5)")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    python = find_python312()
    with tempfile.TemporaryDirectory(prefix="bench-calendar-") as scratch:
        build_dir = args.build_dir or sam_build(Path(scratch) / "build")
        runtime = provide_runtime_packages(Path(scratch) / "runtime", python)
        report("market_calendar", **measure(build_dir, runtime, python, args.runs, Path(scratch)))


if __name__ == "__main__":
    main()
