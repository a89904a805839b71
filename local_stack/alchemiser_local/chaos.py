"""``make chaos``: the workflow on the local stack under each fault, and what it cost.

Each scenario (``chaos_scenarios``) runs on a fresh stack and is compared with a
fault-free run of the same days on the same backend. Per fault, ``figures`` reports:

- ``attempts``: function invocations (retries included), and how many were retries;
- ``events_lost``: events the fault-free run handled that this run never handled
  (must be 0), and ``failure_records``: deliveries given up (failure destinations, DLQs);
- ``orders_placed_twice``: orders beyond one per trading day, symbol and side, and
  ``orders_beyond_fault_free``: orders the fault-free run did not place (both must be 0);
- ``duplicate_copies_published``: extra copies of an event put on the bus and of a task
  put on a queue; downstream must absorb them: ``duplicates_absorbed`` says the effects
  (orders, ledger entries, completed workflows) are exactly the fault-free run's;
- ``portfolio_matches_fault_free`` with ``portfolio_diff``: positions and cash after;
- ``first_retry_proceeds`` (crash faults): the first retry after each killed invocation
  did the work, instead of waiting out the dead invocation's claim;
- ``alerts``: ErrorNotificationRequested published (a fault a retry fixes is no bug).

Prints one JSON object: every fault's figures and the totals.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser_local.chaos_run import (
    Observation,
    StackPaths,
    observe,
    sent_bodies,
)
from alchemiser_local.chaos_scenarios import FAST, SCENARIOS, baseline_of

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from alchemiser_local.chaos_scenarios import Scenario

__all__ = ["figures", "main", "run_chaos"]

_TASK_QUEUES = ("_trade_ledger", "_pnl_reports")
_TIMED_OUT = "Sandbox.Timedout"


def handled_events(observation: Observation) -> set[tuple[str, str]]:
    """(detail-type, event id) of every event a function handled (not a duplicate)."""
    return {
        (str(i.detail_type), str(i.event_id))
        for i in observation.invocations
        if i.detail_type and i.status == "handled"
    }


def event_copies(observation: Observation) -> Counter[str]:
    """How many copies of each event id the bus took."""
    copies: Counter[str] = Counter()
    for request, body in sent_bodies(observation, "PutEvents"):
        answered = json.loads(request.upstream_body or b"{}").get("Entries", [])
        for entry, result in zip(body.get("Entries", []), answered, strict=False):
            if "ErrorCode" not in result:
                copies[json.loads(entry["Detail"])["event_id"]] += 1
    return copies


def task_copies(observation: Observation) -> Counter[str]:
    """How many task messages each (actor, event id) got on the task queues."""
    copies: Counter[str] = Counter()
    for request, body in sent_bodies(observation, "SendMessage"):
        if not any(r.endswith(_TASK_QUEUES) for r in request.call.resources):
            continue
        message = json.loads(base64.b64decode(body["MessageBody"]))  # dramatiq-sqs's encoding
        event = message.get("kwargs", {}).get("event", {})
        # A task's own retry (Dramatiq sends it again, counted in its options) is no copy.
        retry = message.get("options", {}).get("retries", 0)
        copies[
            f"{message['actor_name']}:{event.get('event_id', message['message_id'])}:{retry}"
        ] += 1
    return copies


def _twice(orders: Sequence[dict[str, str]]) -> int:
    per_order = Counter((o["day"], o["symbol"], o["side"]) for o in orders)
    return sum(count - 1 for count in per_order.values())


def _portfolio_diff(observation: Observation, baseline: Observation) -> dict[str, Any]:
    symbols = sorted(set(observation.positions) | set(baseline.positions))
    diff: dict[str, Any] = {
        s: {"fault_free": baseline.positions.get(s), "this_run": observation.positions.get(s)}
        for s in symbols
        if observation.positions.get(s) != baseline.positions.get(s)
    }
    if observation.cash != baseline.cash:
        diff["cash"] = {"fault_free": baseline.cash, "this_run": observation.cash}
    return diff


def _first_retry_proceeds(observation: Observation) -> bool | None:
    """Whether the attempt after each killed one succeeded (None: nothing was killed)."""
    killed = [
        (index, i)
        for index, i in enumerate(observation.invocations)
        if i.error and i.error.startswith(_TIMED_OUT)
    ]
    if not killed:
        return None
    later = observation.invocations
    return all(
        any(
            n.payload == i.payload and n.attempt == i.attempt + 1 and n.error is None
            for n in later[index + 1 :]
        )
        for index, i in killed
    )


def _alerts(observation: Observation) -> int:
    alerts = set()
    for _, body in sent_bodies(observation, "PutEvents"):
        for entry in body.get("Entries", []):
            if entry.get("DetailType") == "ErrorNotificationRequested":
                alerts.add(json.loads(entry["Detail"])["event_id"])
    return len(alerts)


def _completions(observation: Observation) -> Counter[str]:
    return Counter(
        str((i.payload["detail"]).get("outcome"))
        for i in observation.invocations
        if i.detail_type == "WorkflowCompleted" and i.status == "handled"
    )


def _effects(observation: Observation, baseline: Observation) -> dict[str, Any]:
    """Orders, duplicates and whether downstream absorbed them (see the module docstring)."""
    baseline_orders = {o["client_order_id"] for o in baseline.orders}
    new_orders = [o for o in observation.orders if o["client_order_id"] not in baseline_orders]
    absorbed = (
        len(observation.orders) == len(baseline.orders)
        and observation.ledger_orders == baseline.ledger_orders
        and _completions(observation)["traded"] == _completions(baseline)["traded"]
    )
    return {
        "orders_placed_twice": _twice(observation.orders),
        "orders_beyond_fault_free": len(new_orders),
        "duplicate_copies_published": {
            "events": sum(n - 1 for n in event_copies(observation).values()),
            "tasks": sum(n - 1 for n in task_copies(observation).values()),
        },
        "duplicates_absorbed": absorbed,
        "ledger_orders": observation.ledger_orders,
    }


def figures(scenario: Scenario, observation: Observation, baseline: Observation) -> dict[str, Any]:
    """One fault's figures (see the module docstring)."""
    diff = _portfolio_diff(observation, baseline)
    result: dict[str, Any] = {
        "description": scenario.description,
        "backend": scenario.backend,
        "attempts": len(observation.invocations),
        "retries": sum(1 for i in observation.invocations if i.attempt > 1),
        "fault_free_attempts": len(baseline.invocations),
        "events_lost": len(handled_events(baseline) - handled_events(observation)),
        "failure_records": observation.failure_records,
        **_effects(observation, baseline),
        "portfolio_matches_fault_free": not diff,
        "portfolio_diff": diff,
        "alerts": _alerts(observation),
        "faults_fired": observation.faults_fired,
        "seconds": round(observation.seconds, 2),
    }
    if scenario.crashing:
        result["first_retry_proceeds"] = _first_retry_proceeds(observation)
    if scenario.redeliver:
        result["redelivered_outcomes"] = dict(_completions(observation))
    return result


#: Totals: figures summed, and faults for which a condition held.
_SUMMED = ("events_lost", "orders_placed_twice", "orders_beyond_fault_free", "alerts")
_COUNTED: dict[str, Callable[[dict[str, Any]], bool]] = {
    "duplicates_not_absorbed": lambda r: not r["duplicates_absorbed"],
    "portfolio_mismatches": lambda r: not r["portfolio_matches_fault_free"],
    "first_retry_blocked": lambda r: r.get("first_retry_proceeds") is False,
}


def totals(results: dict[str, dict[str, Any]], seconds: float) -> dict[str, Any]:
    """The figures every fault must meet, summed."""
    rows = list(results.values())
    copies = [sum(r["duplicate_copies_published"].values()) for r in rows]
    return {
        "faults": len(rows),
        **{name: sum(r[name] for r in rows) for name in _SUMMED},
        "duplicate_copies_published": sum(copies),
        **{name: sum(map(held, rows)) for name, held in _COUNTED.items()},
        "seconds": round(seconds, 1),
    }


def run_chaos(
    scenarios: Iterable[Scenario],
    paths: StackPaths,
    *,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Every scenario and its fault-free baseline; the figures and their totals."""
    started = time.perf_counter()
    baselines: dict[str, Observation] = {}
    results: dict[str, dict[str, Any]] = {}
    for scenario in scenarios:
        base = baseline_of(scenario)
        if base.name not in baselines:
            baselines[base.name] = observe(base, paths)
            say(f"{base.name}: {baselines[base.name].seconds:.1f} s")
        results[scenario.name] = figures(scenario, observe(scenario, paths), baselines[base.name])
        say(f"{scenario.name}: {json.dumps(results[scenario.name])}")
    return {"chaos": results, "totals": totals(results, time.perf_counter() - started)}


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures as one JSON object; exit 1 when an invariant is broken."""
    parser = argparse.ArgumentParser(prog="alchemiser-chaos", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--fast", action="store_true", help="only the make-test profile")
    parser.add_argument("--only", action="append", default=[], help="a scenario by name")
    args = parser.parse_args(argv)
    chosen = [
        s
        for s in SCENARIOS
        if (not args.only or s.name in args.only) and (not args.fast or s.name in FAST)
    ]
    paths = StackPaths(
        root=args.root, template=args.root / "template.yaml", logs=args.root / "out" / "chaos"
    )
    report = run_chaos(chosen, paths, say=lambda line: print(line, file=sys.stderr))
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    totals = report["totals"]
    return int(
        any(totals[k] for k in ("events_lost", "orders_placed_twice", "orders_beyond_fault_free"))
    )


if __name__ == "__main__":
    raise SystemExit(main())
