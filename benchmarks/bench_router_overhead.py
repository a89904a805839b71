"""EventRoutingFunction's own cost per event, and its AWS calls per routed event.

Targets: warm overhead <= 200 us median (the median of five rounds' medians), excluding
the AWS calls and the domain work; idempotency <= 2 writes and publishing 1 call per
routed event.

Two passes over the same handler, in one run:
- against the local stack's emulator (a moto server in its own process): every AWS SDK
  call is counted by operation; the end-to-end latency is reported for context;
- with AWS answered in memory, instantly (the same calls, no network): what remains is
  the router's own work. The domain work, the step the routing table calls, is timed
  and subtracted too. Both passes route WorkflowFailed events: the lightest event whose
  step still publishes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import _repo  # noqa: F401 - repository root on sys.path
from _harness import report

from alchemiser_local.emulator import Emulator, running_emulator

TARGET_OVERHEAD_US = 200.0
EVENTS = 200
ROUNDS = 5
WARM_UP = 50
ENV = {
    "STAGE": "dev",
    "EVENT_BUS_NAME": "bench-bus",
    "IDEMPOTENCY_TABLE_NAME": "bench-idempotency",
    "ALLOWED_TARGET_ENVIRONMENTS": "dev",
    "PAPER_BROKER_TABLE_NAME": "unused",
    "TRADING_STATE_TABLE_NAME": "unused",
    "BAR_STORE_BUCKET": "unused",
    "AWS_LAMBDA_FUNCTION_NAME": "bench-router",
}


class CallCounter:
    """Counts every AWS SDK call of the process by operation (botocore's entry point)."""

    def __init__(self) -> None:
        from botocore.client import BaseClient

        self.calls: Counter[str] = Counter()
        make_api_call = getattr(BaseClient, "_make_api_call")  # noqa: B009 - private hook
        counter = self

        def counted(client: object, operation_name: str, api_params: object) -> object:
            counter.calls[operation_name] += 1
            return make_api_call(client, operation_name, api_params)

        setattr(BaseClient, "_make_api_call", counted)  # noqa: B010 - benchmark instrumentation


class InstantAws:
    """DynamoDB and EventBridge answering at once: the calls happen, the network doesn't."""

    class exceptions:  # noqa: N801 - the shape botocore clients have
        pass

    def put_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def update_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def delete_item(self, **_: Any) -> dict[str, Any]:
        return {}

    def put_events(self, Entries: list[Any]) -> dict[str, Any]:  # noqa: N803 - boto3 shape
        return {"FailedEntryCount": 0, "Entries": [{"EventId": str(uuid4())} for _ in Entries]}


class StepClock:
    """Time spent inside the routing table's steps (the domain work)."""

    seconds = 0.0


def time_steps() -> StepClock:
    """Wrap every step of the routing table with a timer."""
    from alchemiser.routing.table import ROUTES

    clock = StepClock()

    def timed(step: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def run(event: Any, services: Any) -> Any:
            start = time.perf_counter()
            try:
                return step(event, services)
            finally:
                clock.seconds += time.perf_counter() - start

        return run

    for detail_type, route in list(ROUTES.items()):
        ROUTES[detail_type] = dataclasses.replace(route, step=timed(route.step))
    return clock


def failed_workflows(count: int) -> list[dict[str, Any]]:
    """New WorkflowFailed envelopes (fresh ids), as the rule target receives them."""
    from tests.support.samples import load

    template = json.dumps(load("events/workflow-failed.json"))
    envelopes = []
    for _ in range(count):
        envelope = json.loads(template)
        envelope["detail"]["event_id"] = str(uuid4())
        envelope["detail"]["correlation_id"] = str(uuid4())
        envelopes.append(envelope)
    return envelopes


def route_all(envelopes: list[dict[str, Any]], steps: StepClock) -> list[tuple[float, float]]:
    """(total, of which in the step) seconds of each handler call."""
    import event_router_handler
    from alchemiser_local.lambda_context import LocalLambdaContext

    timings = []
    for envelope in envelopes:
        context = LocalLambdaContext("bench")
        steps.seconds = 0.0
        start = time.perf_counter()
        result = event_router_handler.lambda_handler(envelope, context)
        timings.append((time.perf_counter() - start, steps.seconds))
        assert result["status"] == "handled", result
    return timings


def against_the_emulator(steps: StepClock) -> tuple[dict[str, float], float]:
    """AWS calls per routed event, and the median end-to-end latency (us)."""
    import boto3

    from tests.support.aws import create_table

    create_table(boto3.client("dynamodb"), "IdempotencyTable", ENV["IDEMPOTENCY_TABLE_NAME"])
    boto3.client("events").create_event_bus(Name=ENV["EVENT_BUS_NAME"])
    counter = CallCounter()
    route_all(failed_workflows(WARM_UP), steps)
    counter.calls.clear()
    timings = route_all(failed_workflows(EVENTS), steps)
    per_event = {op: n / EVENTS for op, n in sorted(counter.calls.items())}
    return per_event, statistics.median(total for total, _ in timings) * 1e6


def with_instant_aws(steps: StepClock) -> list[list[tuple[float, float]]]:
    """(router's own, step's) seconds per event, per round, with AWS answered in memory.

    Several rounds, so one burst of noise on a shared machine moves one round's median.
    """
    from alchemiser import bus, idempotency

    instant = InstantAws()
    # The modules' client factories answer with the in-memory AWS (benchmark only).
    setattr(idempotency, "dynamodb_client", lambda: instant)  # noqa: B010
    setattr(bus, "events_client", lambda: instant)  # noqa: B010
    route_all(failed_workflows(WARM_UP), steps)
    return [
        [(total - step, step) for total, step in route_all(failed_workflows(EVENTS), steps)]
        for _ in range(ROUNDS)
    ]


def main() -> None:
    os.environ.update(ENV)
    from alchemiser.logging import configure_logging

    configure_logging(stream=io.StringIO(), force=True)  # JSON rendered, not printed
    steps = time_steps()
    with running_emulator(Emulator()) as emulator:
        emulator.wait_ready()
        per_event, latency_us = against_the_emulator(steps)
    rounds = with_instant_aws(steps)
    overheads = [own for one_round in rounds for own, _ in one_round]

    def median_of_rounds(index: int) -> float:
        return statistics.median(
            statistics.median(timing[index] for timing in one_round) for one_round in rounds
        )

    median_us = median_of_rounds(0) * 1e6
    idempotency_writes = per_event.get("PutItem", 0) + per_event.get("UpdateItem", 0)
    publish_calls = per_event.get("PutEvents", 0)
    report(
        "router_overhead",
        events=EVENTS,
        rounds=ROUNDS,
        overhead_us_median=round(median_us, 1),
        overhead_us_p90=round(statistics.quantiles(overheads, n=10)[-1] * 1e6, 1),
        target_us=TARGET_OVERHEAD_US,
        meets_target=median_us <= TARGET_OVERHEAD_US,
        # Same-run yardstick: on a slower moment of a shared machine both numbers grow.
        step_us_median=round(median_of_rounds(1) * 1e6, 1),
        emulator_latency_us_median=round(latency_us, 1),
        aws_calls_per_event=per_event,
        idempotency_writes_per_event=idempotency_writes,
        publish_calls_per_event=publish_calls,
        meets_call_targets=idempotency_writes <= 2 and publish_calls == 1,
    )


if __name__ == "__main__":
    main()
