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

import statistics

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import report
from _lambda import LambdaBench, lambda_bench

from tests.support.artifacts import built_functions
from tests.support.lambda_runtime import (
    HandlerRun,
    lambda_environment,
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


def _runs(bench: LambdaBench) -> tuple[list[HandlerRun], list[HandlerRun]]:
    """``import boto3`` and the probe, interleaved; the first (warm-up) round dropped."""
    router = next(f for f in built_functions(bench.build_dir) if f.logical_id == ROUTER)
    probe_dir = bench.scratch / "CalendarProbe"
    probe_dir.mkdir()
    (probe_dir / "calendar_probe.py").write_text(_PROBE)
    env = lambda_environment(router)
    sys_path = [probe_dir, *router.sys_path(bench.runtime)]
    rounds = [
        (
            run_handler(bench.python, sys_path[1:], "boto3.client", env=env),
            run_handler(bench.python, sys_path, "calendar_probe.lambda_handler", env=env, event={}),
        )
        for _ in range(bench.runs + 1)
    ]
    return [boto3 for boto3, _ in rounds[1:]], [probe for _, probe in rounds[1:]]


def measure(bench: LambdaBench) -> dict[str, object]:
    boto3_runs, probe_runs = _runs(bench)
    failed = next((r for r in probe_runs if not r.ok), None)
    if failed is not None:
        return {"error": failed.error, "meets_target": False}
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
        "runs": bench.runs,
        "meets_target": calendar_ms + zone_ms <= TARGET_RATIO * boto3_ms,
    }


def main() -> None:
    with lambda_bench(__doc__.splitlines()[0], prefix="bench-calendar-") as bench:
        report("market_calendar", **measure(bench))


if __name__ == "__main__":
    main()
