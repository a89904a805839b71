"""Cold start of each handler in Lambda's Python 3.12 (target: import <= 1.5x `import boto3`).

Each run is a fresh isolated interpreter whose sys.path is the built function, the
built layer and the runtime's boto3 (tests/support/lambda_runtime.py, the same
construction as the artifact import test). Timed inside the child with perf_counter:
(a) ``import <handler module>``; (b) that import plus the first call of the health probe
``{"mode": "health"}`` with the function's template environment (placeholder resource
names; the probe makes no AWS call). ``import boto3`` is measured the same way in the same
run, interleaved, as the yardstick: it is what every Python Lambda pays anyway.
Medians of ``--runs`` runs after one discarded warm-up run each.

Usage: python benchmarks/bench_cold_start.py [--build-dir DIR] [--runs N]
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import TYPE_CHECKING, Any

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import report
from _lambda import lambda_bench

from alchemiser.health import HEALTH_PROBE
from tests.support.artifacts import BuiltFunction, built_functions
from tests.support.lambda_runtime import (
    HandlerRun,
    lambda_environment,
    run_handler,
)

if TYPE_CHECKING:
    from collections.abc import Callable

TARGET_RATIO = 1.5


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 2)


def _summary(
    imports: list[HandlerRun], healths: list[HandlerRun], boto3_ms: float
) -> dict[str, Any]:
    """One function's medians, or the first failure (a broken handler is reported, not timed)."""
    failed = next((r for r in [*imports, *healths] if not r.ok), None)
    if failed is not None:
        return {"error": failed.error, "meets_target": False}
    import_ms = _ms([r.import_seconds or 0.0 for r in imports])
    response = healths[-1].response
    return {
        "import_ms": import_ms,
        "import_and_health_ms": _ms(
            [(r.import_seconds or 0.0) + (r.invoke_seconds or 0.0) for r in healths]
        ),
        "import_vs_boto3": round(import_ms / boto3_ms, 2),
        "meets_target": import_ms <= TARGET_RATIO * boto3_ms,
        "health_status": response.get("status") if isinstance(response, dict) else None,
    }


def measure(build_dir: Path, runtime: Path, python: str, runs: int) -> dict[str, Any]:
    functions = built_functions(build_dir)

    def probe(function: BuiltFunction, handler: str, event: object) -> Callable[[], HandlerRun]:
        env = lambda_environment(function)
        sys_path = function.sys_path(runtime)
        return lambda: run_handler(python, sys_path, handler, env=env, event=event)

    probes = {"boto3": probe(functions[0], "boto3.client", None)}
    for f in functions:
        probes[f"{f.logical_id}.import"] = probe(f, f.handler, None)
        probes[f"{f.logical_id}.health"] = probe(f, f.handler, HEALTH_PROBE)
    samples: dict[str, list[HandlerRun]] = {name: [] for name in probes}
    for round_ in range(runs + 1):
        for name, run in probes.items():
            result = run()
            if round_:  # the first round warms the page cache
                samples[name].append(result)

    boto3_ms = _ms([r.import_seconds or 0.0 for r in samples["boto3"]])
    per_function = {
        f.logical_id: _summary(
            samples[f"{f.logical_id}.import"], samples[f"{f.logical_id}.health"], boto3_ms
        )
        for f in functions
    }
    return {
        "boto3_import_ms": boto3_ms,
        "functions": per_function,
        "target_ratio": TARGET_RATIO,
        "runs": runs,
        "meets_target": all(f["meets_target"] for f in per_function.values()),
    }


def main() -> None:
    with lambda_bench(__doc__.splitlines()[0], prefix="bench-cold-start-") as bench:
        report("cold_start", **measure(bench.build_dir, bench.runtime, bench.python, bench.runs))


if __name__ == "__main__":
    main()
