"""A workflow's timeline is assembled from log events: invocations, attempts, durations, errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from alchemiser_local.ops.log_records import LogRecord
from alchemiser_local.ops.logs import since
from alchemiser_local.ops.trace import assemble, format_trace

WORKFLOW = "fee4d3dc-6c2e-5b24-9f8b-3ea62882ebf9"
OTHER = "0b8a3e9c-0000-4000-8000-000000000000"
ROUTER = "EventRoutingFunction"


class Stream:
    """Log events of one container's stream, in the order Lambda wrote them."""

    def __init__(self, function: str, name: str) -> None:
        self.function, self.name = function, name
        self.events: list[LogRecord] = []
        self.clock = 1_000

    def _add(self, message: str) -> None:
        self.clock += 5
        event = {
            "logStreamName": self.name,
            "timestamp": self.clock,
            "eventId": f"{self.name}-{len(self.events)}",
            "message": message,
        }
        self.events.append(LogRecord.of(self.function, event))

    def invocation(
        self,
        request_id: str,
        *lines: dict[str, Any],
        duration: float = 10.0,
        init: float | None = None,
    ) -> None:
        self._add(f"START RequestId: {request_id} Version: $LATEST")
        for line in lines:
            self._add(json.dumps({"request_id": request_id, "level": "info", **line}))
        self._add(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: 1 ms"
        )
        self._add(report + (f"\tInit Duration: {init:.2f} ms" if init is not None else ""))


def outcome(
    event_type: str, step: str, status: str, correlation_id: str = WORKFLOW
) -> dict[str, Any]:
    return {
        "event": "event_outcome",
        "event_type": event_type,
        "step": step,
        "outcome": status,
        "correlation_id": correlation_id,
    }


def test_each_invocation_of_the_workflow_becomes_one_step_with_its_duration() -> None:
    # Given a router container that handled two events of the workflow and one of another
    router = Stream(ROUTER, "2026/11/16/[$LATEST]aa")
    router.invocation("r1", outcome("WorkflowStarted", "signal_generation", "handled"), init=3.5)
    router.invocation("r2", outcome("WorkflowStarted", "signal_generation", "handled", OTHER))
    router.invocation("r3", outcome("SignalGenerated", "portfolio_planning", "handled"), duration=7)

    # When the workflow's timeline is assembled
    steps = assemble(router.events, WORKFLOW)

    # Then it has the workflow's two invocations, in order, with REPORT's figures
    assert [(s.request_id, s.received, s.step, s.outcome) for s in steps] == [
        ("r1", "WorkflowStarted", "signal_generation", "handled"),
        ("r3", "SignalGenerated", "portfolio_planning", "handled"),
    ]
    assert [(s.duration_ms, s.cold_start, s.init_ms) for s in steps] == [
        (10.0, True, 3.5),
        (7.0, False, None),
    ]


def test_async_retries_of_one_request_id_are_separate_attempts_with_their_errors() -> None:
    # Given Lambda retried a failing invocation (a retry keeps the request id)
    router = Stream(ROUTER, "2026/11/16/[$LATEST]bb")
    failed = {
        "event": "event_outcome",
        "outcome": "raised",
        "level": "error",
        "error_type": "BrokerApiError",
        "correlation_id": WORKFLOW,
        "event_type": "RebalancePlanned",
    }
    router.invocation("r9", failed)
    router.invocation("r9", failed)
    router.invocation("r9", outcome("RebalancePlanned", "execution", "handled"))

    # When assembled
    steps = assemble(router.events, WORKFLOW)

    # Then three attempts, the failed ones with the error's fields
    assert [s.outcome for s in steps] == ["raised", "raised", "handled"]
    assert steps[0].errors == [
        {"event": "event_outcome", "outcome": "raised", "error_type": "BrokerApiError"}
    ]
    assert steps[2].errors == []


def test_an_invocation_whose_start_fell_before_the_window_is_still_shown() -> None:
    router = Stream(ROUTER, "2026/11/16/[$LATEST]cc")
    router.invocation("r1", outcome("TradeExecuted", "workflow_monitor", "handled"))
    del router.events[0]  # its START line

    (step,) = assemble(router.events, WORKFLOW)

    assert (step.step, step.duration_ms) == ("workflow_monitor", 10.0)


def test_the_command_invocation_is_shown_by_its_scope() -> None:
    trading = Stream("TradingSystemFunction", "2026/11/16/[$LATEST]dd")
    completed = {
        "event": "command_completed",
        "scope": "trading.start_workflow",
        "duplicate": False,
        "correlation_id": WORKFLOW,
    }
    trading.invocation("t1", completed)

    steps = assemble(trading.events, WORKFLOW)

    lines = format_trace(WORKFLOW, steps)
    assert [(s.received, s.step, s.outcome) for s in steps] == [
        ("command", "start_workflow", "completed")
    ]
    assert lines[0].startswith(f"workflow {WORKFLOW}: 1 invocations")
    assert "start_workflow" in lines[1]
    assert lines[1].rstrip().endswith("10.00 ms")


@pytest.mark.parametrize(
    ("text", "ago"),
    [("90s", timedelta(seconds=90)), ("30m", timedelta(minutes=30)), ("7d", timedelta(days=7))],
)
def test_since_takes_a_duration_ago(text: str, ago: timedelta) -> None:
    assert abs(datetime.now(UTC) - ago - since(text)) < timedelta(seconds=5)


def test_since_takes_an_instant_with_a_zone_and_refuses_one_without() -> None:
    import argparse

    assert since("2026-11-16T14:35:00Z") == datetime(2026, 11, 16, 14, 35, tzinfo=UTC)
    with pytest.raises(argparse.ArgumentTypeError, match="give a zone"):
        since("2026-11-16T14:35:00")
    with pytest.raises(argparse.ArgumentTypeError, match="neither a duration"):
        since("yesterday")
