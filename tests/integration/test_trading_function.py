"""TradingSystemFunction against a moto server: commands in, WorkflowStarted out, once."""

from __future__ import annotations

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date

import pytest
from pytest_socket import disable_socket, enable_socket

import trading_handler
from alchemiser import bus
from alchemiser.errors import IdempotencyInProgressError, PublishError
from alchemiser.events import from_envelope
from alchemiser_local.lambda_context import LocalLambdaContext
from alchemiser_local.synthetic_bars import synthetic_bars
from tests.integration.test_bus import FlakyEvents
from tests.support import samples
from tests.support.aws import drain, provision_task_queues, receive_all
from tests.support.market_data import deployed_market_data, shipped_symbols
from tests.unit.test_commands import schedule_inputs, scheduler_substitution

FUNCTION = "alchemiser-trading-test"


@pytest.fixture
def function_env(monkeypatch, lambda_env):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    return lambda_env


def invoke(event, context=None):
    return trading_handler.lambda_handler(event, context or LocalLambdaContext(FUNCTION))


def published(sqs, tapped_bus):
    return [from_envelope(body) for body in drain(sqs, tapped_bus.tap_url)]


def test_trade_command_publishes_exactly_one_workflow_started(function_env, sqs, tapped_bus):
    command = samples.load("commands/trade-scheduler-input.json")

    result = invoke(command)

    events = published(sqs, tapped_bus)
    assert [e.event_type for e in events] == ["WorkflowStarted"]
    started = events[0]
    assert result["status"] == "started"
    assert result["mode"] == "trade"
    assert result["correlation_id"] == started.correlation_id
    assert result["request_id"]
    assert started.configuration.trading_mode == "paper"
    assert started.configuration.environment == "dev"
    assert started.requested_by == "scheduler"
    assert started.trading_date.isoformat() == "2026-11-20"


def test_same_scheduled_command_twice_starts_one_workflow(function_env, sqs, tapped_bus):
    command = samples.load("commands/trade-scheduler-input.json")

    first = invoke(command)
    second = invoke(command)  # a Scheduler retry: new request id, same input

    assert [e.event_type for e in published(sqs, tapped_bus)] == ["WorkflowStarted"]
    assert second["status"] == "duplicate"
    assert second["correlation_id"] == first["correlation_id"]


def test_ten_concurrent_deliveries_start_one_workflow(function_env, sqs, tapped_bus):
    command = samples.load("commands/trade-scheduler-input.json")

    def deliver(_: int) -> str:
        try:
            return str(invoke(command)["status"])
        except IdempotencyInProgressError:
            return "retry_later"  # raised so Lambda retries; the retry sees a duplicate

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(deliver, range(10)))

    assert statuses.count("started") == 1
    assert set(statuses) <= {"started", "duplicate", "retry_later"}
    assert [e.event_type for e in published(sqs, tapped_bus)] == ["WorkflowStarted"]


def test_scheduled_event_envelope_starts_a_workflow(function_env, sqs, tapped_bus):
    result = invoke(samples.load("commands/trade-scheduled-event.json"))
    assert result["status"] == "started"
    assert len(published(sqs, tapped_bus)) == 1


@pytest.mark.parametrize(("logical_id", "raw_input"), schedule_inputs())
def test_every_schedule_input_of_the_template_is_accepted(function_env, sqs, logical_id, raw_input):
    provision_task_queues(sqs, "dev")
    payload = json.loads(scheduler_substitution(raw_input))
    # The bars Alpaca serves for the strategies (the market data refresh reads them)
    bars = synthetic_bars(shipped_symbols(), date(2025, 6, 2), date(2026, 11, 19), seed=3)

    with deployed_market_data(function_env, bars):
        result = invoke(payload)

    assert result["status"] in {"started", "queued", "refreshed"}, (logical_id, result)


@pytest.mark.parametrize("path", samples.paths("events"), ids=samples.ids("events"))
def test_every_domain_event_sample_is_rejected(function_env, sqs, tapped_bus, logs, path):
    event = json.loads(path.read_text())
    result = invoke(event)

    assert result["status"] == "rejected"
    assert result["error"]["kind"] == "domain_event"
    assert "EventRoutingFunction" in result["error"]["reason"]
    assert published(sqs, tapped_bus) == []
    records = logs.records()
    rejection = next(r for r in records if r["event"] == "input_rejected")
    assert rejection["level"] == "error"
    assert rejection["request_id"] == result["request_id"]
    assert rejection["received"] == event  # never retried: the log line keeps the input
    assert any(r.get("InputRejected") == 1 for r in records)  # the metric


@pytest.mark.parametrize(
    "path", samples.paths("rejected/commands"), ids=samples.ids("rejected/commands")
)
def test_invalid_commands_are_rejected_naming_the_field(function_env, sqs, tapped_bus, path):
    result = invoke(json.loads(path.read_text()))
    assert result["status"] == "rejected"
    assert result["error"]["field"]
    assert published(sqs, tapped_bus) == []


def test_live_trading_is_refused_outside_prod(function_env, sqs, tapped_bus):
    result = invoke({"mode": "trade", "trading_mode": "live", "execution_id": "x"})
    assert result["status"] == "rejected"
    assert result["error"]["field"] == "trading_mode"
    assert published(sqs, tapped_bus) == []


def test_live_trading_is_refused_in_prod_unless_enabled(function_env, monkeypatch, sqs, tapped_bus):
    monkeypatch.setenv("STAGE", "prod")
    monkeypatch.setenv("ALLOWED_TARGET_ENVIRONMENTS", "prod")
    refused = invoke({"mode": "trade", "trading_mode": "live", "execution_id": "x"})
    assert refused["status"] == "rejected"

    from alchemiser.config import get_settings

    get_settings.cache_clear()
    monkeypatch.setenv("LIVE_TRADING_ENABLED", "true")
    allowed = invoke({"mode": "trade", "trading_mode": "live", "execution_id": "x"})
    assert allowed["status"] == "started"
    (event,) = published(sqs, tapped_bus)
    assert event.configuration.trading_mode == "live"


def test_a_target_environment_outside_the_allow_list_is_rejected(function_env, sqs, tapped_bus):
    result = invoke({"mode": "trade", "environment": "prod", "execution_id": "x"})
    assert (result["status"], result["error"]["field"]) == ("rejected", "environment")
    assert published(sqs, tapped_bus) == []


def test_health_makes_no_aws_calls_and_reports_the_build(function_env):
    disable_socket(allow_unix_socket=True)  # any AWS call would fail here
    try:
        result = invoke({"mode": "health"})
    finally:
        enable_socket()

    assert result["status"] == "ok", result["problems"]
    assert result["config_ok"]
    assert result["imports_ok"]
    assert result["stage"] == "dev"
    assert result["function"] == FUNCTION
    assert result["function_commit"] == result["layer_commit"] == "unbuilt"


def test_health_reports_broken_configuration_instead_of_failing(function_env, monkeypatch):
    monkeypatch.delenv("EVENT_BUS_NAME")
    result = invoke({"mode": "health"})
    assert result["status"] == "degraded"
    assert result["config_ok"] is False
    assert any("EVENT_BUS_NAME" in problem for problem in result["problems"])


def test_a_failed_start_raises_and_notifies_once(
    function_env, monkeypatch, events, sqs, tapped_bus
):
    # Given EventBridge throttles every WorkflowStarted (but not notifications)
    command = samples.load("commands/trade-scheduler-input.json")
    flaky = FlakyEvents(real=events, failures={})
    original = flaky.put_events

    def throttle_starts(Entries):  # noqa: N803 - boto3 shape
        if Entries[0]["DetailType"] == "WorkflowStarted":
            return {
                "FailedEntryCount": len(Entries),
                "Entries": [{"ErrorCode": "ThrottlingException"} for _ in Entries],
            }
        return original(Entries=Entries)

    monkeypatch.setattr(flaky, "put_events", throttle_starts)
    monkeypatch.setattr(bus, "events_client", lambda: flaky.client)
    monkeypatch.setattr(bus, "_backoff", lambda attempt: 0.0)

    # When Lambda delivers it three times (the first try and two async retries)
    for _ in range(3):
        with pytest.raises(PublishError):
            invoke(command)

    # Then each attempt raised (so Lambda retries), and operators got one notification
    events_out = published(sqs, tapped_bus)
    assert [e.event_type for e in events_out] == ["ErrorNotificationRequested"]
    assert "ThrottlingException" in events_out[0].message


def test_operator_runs_without_a_scheduled_time_are_keyed_by_request(function_env, sqs, tapped_bus):
    context = LocalLambdaContext(FUNCTION)
    first = invoke({"mode": "trade", "dry_run": True}, context)
    retry = invoke({"mode": "trade", "dry_run": True}, context)  # async retry: same request id
    fresh = invoke({"mode": "trade", "dry_run": True}, replace(context, aws_request_id="new"))

    assert (first["status"], retry["status"], fresh["status"]) == (
        "started",
        "duplicate",
        "started",
    )
    assert len(published(sqs, tapped_bus)) == 2


def pnl_requests(sqs, url):
    """The PnL report requests waiting on a task queue (Dramatiq messages on SQS)."""
    return [json.loads(base64.b64decode(body)) for body in receive_all(sqs, url)]


@pytest.mark.parametrize(
    ("sample", "environment"), [("pnl-weekly", "dev"), ("pnl-staging-target", "staging")]
)
def test_pnl_analysis_queues_the_report_on_the_target_environment(
    function_env, sqs, sample, environment
):
    queues = {env: provision_task_queues(sqs, env) for env in ("dev", "staging")}
    for urls in queues.values():
        pnl_requests(sqs, urls[next(n for n in urls if n.endswith("_pnl_reports"))])

    result = invoke(samples.load(f"commands/{sample}.json"))
    duplicate = invoke(samples.load(f"commands/{sample}.json"))

    assert result["status"] == "queued"
    assert duplicate["status"] == "duplicate"
    landed = {
        env: pnl_requests(sqs, urls[f"alchemiser-{env}_pnl_reports"])
        for env, urls in queues.items()
    }
    assert len(landed[environment]) == 1
    assert [m for env, msgs in landed.items() if env != environment for m in msgs] == []
    assert landed[environment][0]["message_id"] == result["message_id"]
