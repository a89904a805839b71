"""Structured logs: JSON lines with the documented keys, secrets redacted, no context leaks."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alchemiser.logging import (
    MAX_LINE_BYTES,
    REDACTED,
    TOO_DEEP,
    bind_ids,
    configure_logging,
    get_logger,
    invocation_context,
    redact,
)
from alchemiser.metrics import put_metric
from tests.support.deep import deep_list


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


# --- every line is strict JSON and fits one CloudWatch Logs event -------------------------


def strict(line: str) -> dict[str, Any]:
    """Parse as CloudWatch's JSON parser would: NaN and Infinity are no JSON tokens."""
    parsed: dict[str, Any] = json.loads(
        line, parse_constant=lambda token: pytest.fail(f"{token} in {line[:80]}")
    )
    return parsed


@pytest.mark.parametrize(
    ("value", "rendered"),
    [(float("nan"), "NaN"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity")],
)
def test_non_finite_numbers_are_logged_as_marked_strings(stream, value, rendered):
    # (was: bare NaN / Infinity tokens, which CloudWatch's JSON parser refuses)
    get_logger("test").info("odd_input", detail_type=value, nested={"x": [value]}, ok=1)

    line = strict(stream.getvalue())
    assert (line["detail_type"], line["nested"]) == (rendered, {"x": [rendered]})
    assert line["sanitized"] == ["detail_type", "nested"]
    assert line["ok"] == 1


def test_values_json_cannot_carry_never_make_the_log_call_fail(stream):
    # An int too long for str() and a structure nested 5,000 levels (was: ValueError and
    # RecursionError raised from the log call itself)
    get_logger("test").info("odd_input", digits=10**5000, deep=deep_list(5000), api_key="hunter2")

    line = strict(stream.getvalue())
    assert line["digits"].startswith("<int of ")
    assert TOO_DEEP in json.dumps(line["deep"], ensure_ascii=False)
    assert line["api_key"] == REDACTED
    assert "hunter2" not in stream.getvalue()


def test_a_line_over_the_cloudwatch_limit_is_cut_marked_and_kept(stream):
    # Given a 1.3 MB value (was: a 1.3 MB line, which CloudWatch Logs refuses whole)
    with invocation_context(request_id="req-1", function="f", stage="dev"):
        get_logger("test").info("input_rejected", envelope_id="x" * 1_300_000, field="detail")

    raw = stream.getvalue().rstrip("\n")
    assert len(raw.encode()) <= MAX_LINE_BYTES
    line = strict(raw)
    assert line["truncated"] == ["envelope_id"]
    assert line["envelope_id"].startswith("xxxx")
    assert line["envelope_id"].endswith(
        f"…[truncated {1_300_000 - line['envelope_id'].index('…')} bytes]"
    )
    assert (line["event"], line["field"], line["request_id"]) == (
        "input_rejected",
        "detail",
        "req-1",
    )


def test_a_line_of_many_large_values_cuts_the_largest_first(stream):
    fields = {f"f{n}": "é" * (20_000 + n * 1_000) for n in range(10)}  # 2 bytes each in UTF-8
    get_logger("test").info("big", small="kept", **fields)

    raw = stream.getvalue().rstrip("\n")
    assert len(raw.encode()) <= MAX_LINE_BYTES
    line = strict(raw)
    assert line["small"] == "kept"
    assert line["truncated"][0] == "f9"  # the largest
    assert all(line[key].endswith(" bytes]") for key in line["truncated"])
    untouched = set(fields) - set(line["truncated"])
    assert all(line[key] == fields[key] for key in untouched)


@settings(max_examples=60, deadline=None)
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text()
        | st.decimals(allow_nan=True),
        lambda children: st.lists(children) | st.dictionaries(st.text(), children),
        max_leaves=20,
    ),
    size=st.sampled_from([0, 300_000]),
)
def test_any_logged_value_makes_one_strict_json_line_within_the_limit(value, size):
    buffer = io.StringIO()
    configure_logging(stream=buffer, force=True)
    try:
        get_logger("test").info("anything", value=value, padding="p" * size)
    finally:
        configure_logging(force=True)
    (raw,) = buffer.getvalue().splitlines()
    assert len(raw.encode()) <= MAX_LINE_BYTES
    assert strict(raw)["event"] == "anything"
