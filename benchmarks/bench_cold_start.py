"""Cold start of each handler in Lambda's Python 3.12: its import, and its first real invocation.

Targets, against ``import boto3`` (what every Python Lambda pays anyway) in the same run:
the handler's import <= 1.5x; a cold start's own cost, import plus first real invocation
with the emulator's latency taken out, <= 2x.

Each run is a fresh isolated interpreter whose sys.path is the built function, the built
layer and the runtime's boto3 (tests/support/lambda_runtime.py, the same construction as
the artifact import test). Timed inside the child with perf_counter:
(a) ``import <handler module>``;
(b) that import plus the health probe ``{"mode": "health"}`` with the function's template
    environment (placeholder resource names; the probe makes no AWS call);
(c) that import plus the first real invocation: the trade command (what the daily
    schedule sends) for TradingSystemFunction, a routed WorkflowStarted for
    EventRoutingFunction. AWS is the local stack's emulator (a moto server on loopback,
    the stack created from template.yaml by its CloudFormation, the bar store seeded),
    and the child has the function's environment as the emulator's Lambda reports it,
    its credentials and ``AWS_ENDPOINT_URL``. Every event is new (its own scheduled time,
    its own event id), so each run does the whole work, never an idempotent replay.

The emulator's latency: the emulator records the requests of each (c) run (moto's
recorder). Right after the run the benchmark sends the same requests again, as they were
recorded (raw HTTP, same bodies; the bar store's parallel reads in parallel again), and
times their round trips. That time is what the emulator and loopback took to answer, and
it is subtracted from (c): what remains is the cold path's own cost (imports on first
use, client creation, botocore's work per request, the handler's logic), which is what
the function pays whatever answers it. The requests it made are reported per operation.

Medians of ``--runs`` runs, after one discarded warm-up round, interleaved. Then
``--probe-runs`` diagnostic runs of (c) through benchmarks/_cold_path_probe.py report
where that time goes: imports on first use, each client creation, time in HTTP.

Usage: python benchmarks/bench_cold_start.py [--build-dir DIR] [--runs N] [--probe-runs N]
"""

from __future__ import annotations

import argparse
import base64
import functools
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import report

from alchemiser.health import HEALTH_PROBE
from alchemiser.logging import configure_logging
from alchemiser_local.emulator import EMULATOR_ENV, Emulator
from alchemiser_local.seed import seed_world, synthetic_world
from alchemiser_local.session import running_stack
from tests.support.artifacts import BuiltFunction, built_functions, sam_build
from tests.support.lambda_runtime import (
    HandlerRun,
    find_python312,
    lambda_environment,
    provide_runtime_packages,
    run_handler,
)
from tests.support.samples import load
from tests.support.template import ROOT, TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from alchemiser_local.stack import LocalStack

TARGET_RATIO = 1.5
COLD_PATH_TARGET_RATIO = 2.0
#: A trading day with bars in the seeded bar store.
TRADING_DAY = date(2026, 11, 20)
PROBE = Path(__file__).with_name("_cold_path_probe.py")
#: The bar store reads this many objects at once (``S3BarStore``), so the replay does too.
PARALLEL_READS = 8
#: Imports and client creations listed per function, the costliest first.
LISTED = 8
#: S3's object operations by HTTP method (S3 names its operations by path and method).
_S3_OBJECT_OPERATIONS = {
    "GET": "GetObject",
    "PUT": "PutObject",
    "HEAD": "HeadObject",
    "DELETE": "DeleteObject",
}


def _ms(seconds: list[float]) -> float:
    return round(statistics.median(seconds) * 1000, 2)


def trade_command(run: int) -> dict[str, Any]:
    """The schedule's Input for a new scheduled time (a new run, never a duplicate)."""
    scheduled = datetime(2026, 11, 20, 14, 35, tzinfo=UTC) + timedelta(seconds=run)
    return {**load("commands/trade-scheduler-input.json"), "scheduled_time": f"{scheduled:%FT%TZ}"}


def workflow_started(run: int) -> dict[str, Any]:
    """A WorkflowStarted envelope with new ids, as the rule target receives it."""
    del run  # the ids are random
    envelope: dict[str, Any] = load("events/workflow-started.json")
    envelope["detail"].update(event_id=str(uuid.uuid4()), correlation_id=str(uuid.uuid4()))
    envelope["detail"]["trading_date"] = TRADING_DAY.isoformat()
    return envelope


#: The first real invocation of each function: a new event per run.
FIRST_EVENTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "TradingSystemFunction": trade_command,
    "EventRoutingFunction": workflow_started,
}


class Recorder:
    """moto's request recorder, driven over its HTTP API."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint

    def _call(self, action: str, method: str = "POST") -> str:
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/recorder/{action}", method=method, data=b""
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return str(answer.read().decode())

    @contextmanager
    def recording(self) -> Iterator[list[dict[str, Any]]]:
        """Record the requests made inside the block; the list fills on exit."""
        entries: list[dict[str, Any]] = []
        self._call("reset-recording")
        self._call("start-recording")
        try:
            yield entries
        finally:
            self._call("stop-recording")
            text = self._call("download-recording", method="GET")
            entries.extend(json.loads(line) for line in text.splitlines() if line.strip())


def operation(entry: dict[str, Any]) -> str:
    """``service.Operation`` of a recorded request (from its signature and target)."""
    headers = {key.lower(): value for key, value in entry["headers"].items()}
    scope = headers.get("authorization", "").split("Credential=")[-1].split("/")
    service = scope[3] if len(scope) > 3 else "unknown"
    target = headers.get("x-amz-target")
    if target:
        return f"{service}.{target.rsplit('.', 1)[-1]}"
    path = urllib.parse.urlsplit(entry["url"]).path.strip("/")
    if service == "s3" and "/" in path:  # bucket/key: an object operation
        return f"s3.{_S3_OBJECT_OPERATIONS.get(entry['method'], entry['method'])}"
    return f"{service}.{entry['method']}"


def _send(entry: dict[str, Any]) -> float:
    """Send one recorded request again; seconds until its whole answer is read."""
    url = urllib.parse.urlsplit(entry["url"])
    body = entry.get("body") or ""
    payload = base64.b64decode(body) if entry.get("body_encoded") else body.encode()
    headers = {k: v for k, v in entry["headers"].items() if k.lower() != "transfer-encoding"}
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
    start = time.perf_counter()
    try:
        path = url.path + (f"?{url.query}" if url.query else "")
        connection.request(entry["method"], path, body=payload, headers=headers)
        connection.getresponse().read()
        return time.perf_counter() - start
    finally:
        connection.close()


def _batches(entries: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Consecutive object reads together (the bar store issues them at once), the rest alone."""
    batch: list[dict[str, Any]] = []
    for entry in entries:
        if operation(entry) == "s3.GetObject":
            batch.append(entry)
            continue
        if batch:
            yield batch
            batch = []
        yield [entry]
    if batch:
        yield batch


def replay_seconds(entries: list[dict[str, Any]]) -> float:
    """Wall time of the same requests sent again, each batch's requests at once."""
    total = 0.0
    with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
        for batch in _batches(entries):
            start = time.perf_counter()
            list(pool.map(_send, batch))
            total += time.perf_counter() - start
    return total


@dataclass(frozen=True)
class ColdRun:
    """One fresh child's import and first real invocation, and what AWS took of it."""

    run: HandlerRun
    aws_seconds: float
    operations: Counter[str]

    @property
    def total_seconds(self) -> float:
        """Import plus first invocation, as timed in the child."""
        return (self.run.import_seconds or 0.0) + (self.run.invoke_seconds or 0.0)


class Bench:
    """The children of one run: their paths, environments and events."""

    def __init__(
        self, build_dir: Path, runtime: Path, python: str, stack: LocalStack, endpoint: str
    ) -> None:
        # The workflow's functions; the deploy hook runs once per deploy, not daily.
        self.functions = [f for f in built_functions(build_dir) if f.logical_id in FIRST_EVENTS]
        self.runtime = runtime
        self.python = python
        self.stack = stack
        self.endpoint = endpoint
        self.recorder = Recorder(endpoint)

    def live_environment(self, function: BuiltFunction) -> dict[str, str]:
        """Lambda's variables, the deployed function's own, and the emulator's endpoint."""
        return {
            **lambda_environment(function),
            **self.stack.functions[function.logical_id].environment,
            **EMULATOR_ENV,
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def child(
        self, function: BuiltFunction, handler: str, event: object, _run: int = 0
    ) -> HandlerRun:
        """(a) or (b): the template environment, no AWS (``_run`` is not needed)."""
        return run_handler(
            self.python,
            function.sys_path(self.runtime),
            handler,
            env=lambda_environment(function),
            event=event,
        )

    def first_invocation(self, function: BuiltFunction, run: int) -> ColdRun:
        """(c), with the requests it made and the emulator's time for them."""
        event = FIRST_EVENTS[function.logical_id](run)
        with self.recorder.recording() as entries:
            result = run_handler(
                self.python,
                function.sys_path(self.runtime),
                function.handler,
                env=self.live_environment(function),
                event=event,
            )
        return ColdRun(
            run=result,
            aws_seconds=replay_seconds(entries),
            operations=Counter(operation(entry) for entry in entries),
        )

    def probed(self, function: BuiltFunction, run: int, probe_dir: Path) -> HandlerRun:
        """(c) through the diagnostic probe."""
        return run_handler(
            self.python,
            [probe_dir, *function.sys_path(self.runtime)],
            f"{PROBE.stem}.lambda_handler",
            env=self.live_environment(function),
            event={"handler": function.handler, "event": FIRST_EVENTS[function.logical_id](run)},
        )


def _first_failure(runs: list[HandlerRun]) -> HandlerRun | None:
    return next((r for r in runs if not r.ok), None)


def _cold_path(runs: list[ColdRun], boto3_ms: float) -> dict[str, Any]:
    response = runs[-1].run.response
    total_ms = _ms([r.total_seconds for r in runs])
    aws_ms = _ms([r.aws_seconds for r in runs])
    own_ms = _ms([r.total_seconds - r.aws_seconds for r in runs])
    return {
        "status": response.get("status") if isinstance(response, dict) else None,
        "import_and_first_invocation_ms": total_ms,
        "emulator_round_trips_ms": aws_ms,
        "aws_calls": dict(sorted(runs[-1].operations.items())),
        "cold_path_ms": own_ms,
        "cold_path_vs_boto3": round(own_ms / boto3_ms, 2),
    }


def _summary(
    imports: list[HandlerRun],
    healths: list[HandlerRun],
    firsts: list[ColdRun],
    boto3_ms: float,
) -> dict[str, Any]:
    """One function's medians, or the first failure (a broken handler is reported, not timed)."""
    failed = _first_failure([*imports, *healths, *(r.run for r in firsts)])
    if failed is not None:
        return {"error": failed.error, "meets_target": False}
    import_ms = _ms([r.import_seconds or 0.0 for r in imports])
    response = healths[-1].response
    first = _cold_path(firsts, boto3_ms)
    return {
        "import_ms": import_ms,
        "import_and_health_ms": _ms(
            [(r.import_seconds or 0.0) + (r.invoke_seconds or 0.0) for r in healths]
        ),
        "import_vs_boto3": round(import_ms / boto3_ms, 2),
        "health_status": response.get("status") if isinstance(response, dict) else None,
        "first_invocation": first,
        "meets_target": import_ms <= TARGET_RATIO * boto3_ms
        and first["cold_path_ms"] <= COLD_PATH_TARGET_RATIO * boto3_ms,
    }


def _median_by_name(samples: list[list[tuple[str, float]]]) -> dict[str, float]:
    """Per name, the median over runs of its summed seconds (0 in a run without it), in ms."""
    names = {name for sample in samples for name, _ in sample}
    totals = {
        name: statistics.median(sum(s for n, s in sample if n == name) for sample in samples)
        for name in names
    }
    costliest = sorted(totals.items(), key=lambda item: -item[1])[:LISTED]
    return {name: round(seconds * 1000, 2) for name, seconds in costliest}


def breakdown(probes: list[HandlerRun]) -> dict[str, Any]:
    """Where the first invocation's time goes, medians of the diagnostic runs."""
    failed = _first_failure(probes)
    if failed is not None:
        return {"error": failed.error}
    results = [r.response for r in probes]
    return {
        "invoke_ms": _ms([r["invoke_seconds"] for r in results]),
        "imports_on_first_use_ms": _median_by_name([r["imports_on_invoke"] for r in results]),
        "imports_on_first_use_total_ms": _ms(
            [sum(s for _, s in r["imports_on_invoke"]) for r in results]
        ),
        "import_time_by_package_ms": _median_by_name(
            [r["own_import_time_on_invoke"] for r in results]
        ),
        "client_creation_ms": _median_by_name([r["clients"] for r in results]),
        "in_http_ms": _ms([r["http_seconds"] for r in results]),
    }


def _children(bench: Bench) -> dict[str, Callable[[int], HandlerRun | ColdRun]]:
    """Every child a round runs, by name; each takes the round's number."""
    first = bench.functions[0]
    children: dict[str, Callable[[int], HandlerRun | ColdRun]] = {
        "boto3": functools.partial(bench.child, first, "boto3.client", None)
    }
    for f in bench.functions:
        children[f"{f.logical_id}.import"] = functools.partial(bench.child, f, f.handler, None)
        children[f"{f.logical_id}.health"] = functools.partial(
            bench.child, f, f.handler, HEALTH_PROBE
        )
        children[f"{f.logical_id}.first"] = functools.partial(bench.first_invocation, f)
    return children


def _sampled(bench: Bench, runs: int) -> dict[str, list[Any]]:
    """``runs`` interleaved rounds, after one that warms the page cache and the emulator."""
    children = _children(bench)
    samples: dict[str, list[Any]] = {name: [] for name in children}
    for round_ in range(runs + 1):
        for name, child in children.items():
            result = child(round_)
            if round_:
                samples[name].append(result)
    return samples


def measure(bench: Bench, runs: int, probe_runs: int, scratch: Path) -> dict[str, Any]:
    samples = _sampled(bench, runs)
    probe_dir = scratch / "probe"
    probe_dir.mkdir()
    shutil.copy2(PROBE, probe_dir / PROBE.name)
    boto3_ms = _ms([r.import_seconds or 0.0 for r in samples["boto3"]])
    per_function = {}
    for f in bench.functions:
        per_function[f.logical_id] = _summary(
            samples[f"{f.logical_id}.import"],
            samples[f"{f.logical_id}.health"],
            samples[f"{f.logical_id}.first"],
            boto3_ms,
        )
        probes = [bench.probed(f, runs + 1 + i, probe_dir) for i in range(probe_runs)]
        per_function[f.logical_id]["first_invocation_breakdown"] = breakdown(probes)
    return {
        "boto3_import_ms": boto3_ms,
        "functions": per_function,
        "target_ratio": TARGET_RATIO,
        "cold_path_target_ratio": COLD_PATH_TARGET_RATIO,
        "runs": runs,
        "meets_target": all(f["meets_target"] for f in per_function.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, help="an existing `sam build` output")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (>= 5)")
    parser.add_argument("--probe-runs", type=int, default=3, help="diagnostic runs per function")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    python = find_python312()
    with tempfile.TemporaryDirectory(prefix="bench-cold-start-") as scratch_dir:
        scratch = Path(scratch_dir)
        build_dir = args.build_dir or sam_build(scratch / "build")
        runtime = provide_runtime_packages(scratch / "runtime", python)
        # moto's recorder writes here (the emulator inherits the environment).
        os.environ["MOTO_RECORDER_FILEPATH"] = str(scratch / "recording.jsonl")
        world = synthetic_world(first_day=TRADING_DAY, last_day=TRADING_DAY, seed=7)
        configure_logging(stream=sys.stderr, force=True)  # stdout: the JSON line only
        with running_stack(template=TEMPLATE_PATH, root=ROOT, stage="dev", emulator=Emulator()) as (
            endpoint,
            stack,
        ):
            seed_world(stack, world)
            bench = Bench(build_dir, runtime, python, stack, endpoint)
            result = measure(bench, args.runs, args.probe_runs, scratch)
        report("cold_start", **result)


if __name__ == "__main__":
    main()
