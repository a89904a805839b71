"""Structured logs: JSON lines with the documented keys, secrets redacted, no context leaks."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest

from alchemiser.logging import (
    REDACTED,
    bind_ids,
    configure_logging,
    get_logger,
    invocation_context,
    redact,
)
from alchemiser.metrics import put_metric


@pytest.fixture
def stream():
    buffer = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=buffer, force=True)
    yield buffer
    configure_logging(force=True)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_log_lines_are_json_with_the_cloudwatch_keys(stream):
    with invocation_context(request_id="req-1", function="alchemiser-trading-dev", stage="dev"):
        bind_ids(
            correlation_id="wf-1",
            causation_id="evt-0",
            event_id="evt-1",
            event_type="SignalGenerated",
        )
        get_logger("test").info("order_submitted", symbol="SPY", qty=Decimal("1.50"))

    (line,) = lines(stream)
    assert line["event"] == "order_submitted"
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z")
    assert {
        k: line[k]
        for k in (
            "request_id",
            "function",
            "stage",
            "correlation_id",
            "causation_id",
            "event_id",
            "event_type",
        )
    } == {
        "request_id": "req-1",
        "function": "alchemiser-trading-dev",
        "stage": "dev",
        "correlation_id": "wf-1",
        "causation_id": "evt-0",
        "event_id": "evt-1",
        "event_type": "SignalGenerated",
    }
    assert line["qty"] == "1.50"
    assert isinstance(line["cold_start"], bool)


def test_cold_start_is_true_only_on_the_first_invocation(stream, monkeypatch):
    from alchemiser import logging as alchemiser_logging

    monkeypatch.setitem(alchemiser_logging._state, "cold_start", True)
    seen = []
    for request in ("first", "second", "third"):
        with invocation_context(request_id=request, function="f", stage="dev") as cold:
            seen.append(cold)
            get_logger("test").info("handled")
    assert seen == [True, False, False]
    assert [line["cold_start"] for line in lines(stream)] == [True, False, False]


def test_context_of_one_invocation_never_leaks_into_the_next(stream):
    with invocation_context(request_id="req-1", function="f", stage="dev"):
        bind_ids(correlation_id="wf-1", event_id="evt-1")
        get_logger("test").info("first")
    with invocation_context(request_id="req-2", function="f", stage="dev"):
        get_logger("test").info("second")
    get_logger("test").info("between_invocations")

    first, second, outside = lines(stream)
    assert first["correlation_id"] == "wf-1"
    assert second["request_id"] == "req-2"
    assert "correlation_id" not in second
    assert "event_id" not in second
    assert "request_id" not in outside


def test_context_is_cleared_even_when_the_invocation_raises(stream):
    def failing_invocation() -> None:
        with invocation_context(request_id="r", function="f", stage="d"):
            bind_ids(correlation_id="wf-err")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_invocation()
    get_logger("test").info("after")
    assert "correlation_id" not in lines(stream)[-1]


@pytest.mark.parametrize(
    "key",
    [
        "api_key",
        "ALPACA_SECRET_KEY",
        "password",
        "session_token",
        "aws_credentials",
        "Authorization",
        "private_key",
    ],
)
def test_secrets_are_redacted_at_any_depth(stream, key):
    get_logger("test").info(
        "configured", outer={"inner": [{key: "hunter2"}], key: "hunter2"}, **{key: "hunter2"}
    )
    raw = stream.getvalue()
    assert "hunter2" not in raw
    line = lines(stream)[0]
    assert line[key] == REDACTED
    assert line["outer"][key] == REDACTED
    assert line["outer"]["inner"][0][key] == REDACTED


def test_redact_keeps_ordinary_fields():
    value = {"symbol": "SPY", "client_order_id": "alc-1", "orders": [{"qty": 1}]}
    assert redact(value) == value


def test_level_filters_lower_levels():
    buffer = io.StringIO()
    configure_logging(level="WARNING", stream=buffer, force=True)
    try:
        get_logger("test").info("hidden")
        get_logger("test").warning("shown")
    finally:
        configure_logging(force=True)
    assert [line["event"] for line in lines(buffer)] == ["shown"]


def test_metrics_are_embedded_metric_format_records(stream):
    with invocation_context(request_id="r", function="alchemiser-event-router-dev", stage="dev"):
        put_metric("InputRejected")
    (line,) = lines(stream)
    directive = line["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "Alchemiser"
    assert directive["Metrics"] == [{"Name": "InputRejected", "Unit": "Count"}]
    assert ["stage"] in directive["Dimensions"]
    assert line["InputRejected"] == 1
    assert line["stage"] == "dev"
    assert line["function"] == "alchemiser-event-router-dev"
