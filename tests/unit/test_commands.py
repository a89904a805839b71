"""LambdaEvent: the only payloads TradingSystemFunction accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alchemiser.commands import LambdaEvent, parse_command
from alchemiser.commands.runs import idempotency_key, trading_day
from alchemiser.errors import CommandRejected
from alchemiser.trading.market_calendar import FIRST_SUPPORTED_DAY, LAST_SUPPORTED_DAY
from alchemiser_local.template import load_template
from tests.support import samples
from tests.support.deep import deep_list
from tests.support.template import TEMPLATE_PATH


def schedule_inputs() -> list[tuple[str, str]]:
    template = load_template(TEMPLATE_PATH)
    return [
        (logical_id, resource["Properties"]["Target"]["Input"])
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Scheduler::Schedule"
    ]


def scheduler_substitution(raw_input: str) -> str:
    """What EventBridge Scheduler sends: its context attributes filled in."""
    return (
        raw_input.replace("<aws.scheduler.scheduled-time>", "2026-11-20T14:35:00Z")
        .replace("<aws.scheduler.execution-id>", "d32c5kddcf5bb8c3")
        .replace("<aws.scheduler.attempt-number>", "1")
    )


def test_template_has_schedules_to_check():
    assert len(schedule_inputs()) >= 1


@pytest.mark.parametrize(("logical_id", "raw_input"), schedule_inputs())
def test_every_schedule_input_in_the_template_parses(logical_id, raw_input):
    # Given what Scheduler delivers for this schedule
    payload = json.loads(scheduler_substitution(raw_input))

    # When it is parsed, Then it is a valid command carrying the scheduled time
    command = parse_command(payload)
    assert command.scheduled_time is not None, logical_id
    assert command.scheduled_time.utcoffset() is not None


@pytest.mark.parametrize("path", samples.paths("commands"), ids=samples.ids("commands"))
def test_every_command_sample_parses(path):
    assert isinstance(parse_command(json.loads(path.read_text())), LambdaEvent)


def test_scheduled_event_envelope_yields_its_detail_as_the_command():
    envelope = samples.load("commands/trade-scheduled-event.json")
    assert parse_command(envelope) == parse_command(envelope["detail"])


def test_scheduled_event_envelope_detail_may_be_a_json_string():
    envelope = samples.load("commands/trade-scheduled-event.json")
    as_string = {**envelope, "detail": json.dumps(envelope["detail"])}
    assert parse_command(as_string) == parse_command(envelope)


@pytest.mark.parametrize("path", samples.paths("events"), ids=samples.ids("events"))
def test_domain_events_are_rejected_as_belonging_to_the_router(path):
    with pytest.raises(CommandRejected) as raised:
        parse_command(json.loads(path.read_text()))
    assert raised.value.kind == "domain_event"
    assert "EventRoutingFunction" in raised.value.reason


def test_a_bare_event_detail_is_rejected_as_a_domain_event():
    detail = samples.load("events/workflow-started.json")["detail"]
    with pytest.raises(CommandRejected) as raised:
        parse_command(detail)
    assert (raised.value.kind, raised.value.field) == ("domain_event", "event_type")


@pytest.mark.parametrize(
    ("sample", "field"),
    [
        ("unknown-mode", "mode"),
        ("extra-field", "symbol"),
        ("pnl-field-on-trade", "pnl_period"),
        ("backfill-on-trade", "backfill"),
        ("naive-scheduled-time", "scheduled_time"),
        ("other-detail-type", "detail-type"),
    ],
)
def test_rejected_command_samples_name_the_offending_field(sample, field):
    with pytest.raises(CommandRejected) as raised:
        parse_command(samples.load(f"rejected/commands/{sample}.json"))
    assert raised.value.field == field
    assert raised.value.to_dict()["field"] == field


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mode": "pnl_analysis"}, "pnl_type"),
        ({"mode": "pnl_analysis", "pnl_type": "weekly", "pnl_period": "3M"}, "pnl_period"),
        ({"mode": "pnl_analysis", "pnl_periods": 2, "pnl_period": "1M"}, "pnl_periods"),
        ({"mode": "pnl_analysis", "pnl_type": "weekly", "pnl_periods": 0}, "pnl_periods"),
        ({"mode": "pnl_analysis", "pnl_period": "3 months"}, "pnl_period"),
        ({"mode": "trade", "trading_mode": "real"}, "trading_mode"),
        ({"mode": "trade", "environment": "Prod!"}, "environment"),
        ({"mode": "trade", "schema_version": 2}, "schema_version"),
        ({"mode": "trade", "dry_run": "maybe"}, "dry_run"),
        ({"mode": "pnl_analysis", "pnl_type": "weekly", "backfill": False}, "backfill"),
        ({"mode": "refresh_market_data", "pnl_type": "weekly"}, "pnl_type"),
        ({"mode": "refresh_market_data", "backfill": "yes please"}, "backfill"),
    ],
)
def test_invalid_commands_name_the_field(payload, field):
    with pytest.raises(CommandRejected) as raised:
        parse_command(payload)
    assert raised.value.field == field


def test_scheduled_event_errors_are_named_inside_detail():
    envelope = {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {"mode": "x"}}
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert raised.value.field == "detail.mode"


@pytest.mark.parametrize("payload", [None, [], "trade", 42])
def test_non_object_payloads_are_rejected(payload):
    with pytest.raises(CommandRejected) as raised:
        parse_command(payload)
    assert raised.value.kind == "malformed"


def test_scheduled_event_from_another_source_is_rejected():
    envelope = {
        "detail-type": "Scheduled Event",
        "source": "com.example",
        "detail": {"mode": "trade"},
    }
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert raised.value.field == "source"


def test_commands_are_immutable():
    command = parse_command({"mode": "health"})
    with pytest.raises(ValueError, match="frozen"):
        command.mode = "trade"  # type: ignore[misc]


def test_a_backfill_is_a_refresh_market_data_command():
    command = parse_command(samples.load("commands/refresh-market-data-backfill.json"))
    assert (command.mode, command.backfill) == ("refresh_market_data", True)
    assert parse_command({"mode": "refresh_market_data"}).backfill is None


# --- every payload has a designated outcome: a CommandRejected naming the field -----------


@pytest.mark.parametrize("field", ["detail-type", "event_type", "source"])
@pytest.mark.parametrize("value", [["WorkflowStarted"], {"WorkflowStarted": 1}, [], {}])
def test_an_event_name_field_that_is_a_list_or_object_is_rejected_naming_it(field, value):
    # Given a name field that is no string (was: TypeError: unhashable type)
    with pytest.raises(CommandRejected) as raised:
        parse_command({"mode": "trade", field: value})
    # Then the payload is refused like any other bad command, naming a field
    assert raised.value.field in {field, "detail-type"}


def test_scheduled_event_detail_as_deeply_nested_json_text_is_rejected_naming_detail():
    # Given a 5,000-level JSON text as the envelope's detail (was: RecursionError)
    envelope = samples.load("commands/trade-scheduled-event.json")
    envelope["detail"] = "[" * 5000 + "]" * 5000
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert (raised.value.field, raised.value.kind) == ("detail", "malformed")


@pytest.mark.parametrize("where", ["top", "detail"])
def test_a_payload_nested_too_deep_is_rejected_before_it_is_walked(where):
    envelope = samples.load("commands/trade-scheduled-event.json")
    payload = (
        {"mode": "trade", "correlation_id": deep_list(5000)}
        if where == "top"
        else {**envelope, "detail": {"mode": "trade", "execution_id": deep_list(5000)}}
    )
    with pytest.raises(CommandRejected) as raised:
        parse_command(payload)
    assert raised.value.kind == "too_deep"
    assert str(raised.value.field).startswith("correlation_id" if where == "top" else "detail")


@pytest.mark.parametrize(
    "scheduled_time",
    ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "1970-12-31T23:00:00Z"],
)
def test_a_scheduled_time_outside_the_calendar_range_is_rejected_naming_it(scheduled_time):
    # (was: accepted, then OverflowError in idempotency_key)
    with pytest.raises(CommandRejected) as raised:
        parse_command({"mode": "trade", "scheduled_time": scheduled_time})
    assert raised.value.field == "scheduled_time"


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        timezones=st.integers(min_value=-12 * 60, max_value=14 * 60).map(
            lambda minutes: timezone(timedelta(minutes=minutes))
        )
    )
)
def test_every_accepted_scheduled_time_has_a_key_and_a_trading_day(instant):
    # Given any aware time from year 1 to 9999
    payload = {"mode": "trade", "scheduled_time": instant.isoformat()}
    if not datetime(1971, 1, 2, tzinfo=UTC) <= instant <= datetime(2100, 12, 30, tzinfo=UTC):
        with pytest.raises(CommandRejected, match="scheduled_time"):
            parse_command(payload)
        return
    command = parse_command(payload)
    # Then an accepted one has an idempotency key and a trading day in the calendar's range
    assert idempotency_key(command, request_id="r").startswith("trade#scheduled#")
    assert FIRST_SUPPORTED_DAY <= trading_day(command) <= LAST_SUPPORTED_DAY


def test_a_rejection_shows_a_huge_value_briefly():
    envelope = {"detail-type": "x" * 2_000_000, "source": "aws.events", "detail": {}}
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert raised.value.field == "detail-type"
    assert len(raised.value.reason) < 300


def test_a_rejection_never_copies_an_object_into_its_reason():
    # Given a detail-type that is an object holding a secret (the fuzz suite's find)
    envelope = {"detail-type": {"api_key": "hunter2"}, "source": "aws.events", "detail": {}}
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert raised.value.field == "detail-type"
    assert "hunter2" not in str(raised.value.to_dict())


def test_scheduled_event_detail_text_that_is_no_utf8_is_rejected_naming_detail():
    # Given detail text holding a lone surrogate (was: TypeError from the JSON parser)
    envelope = samples.load("commands/trade-scheduled-event.json")
    envelope["detail"] = "\ud800"
    with pytest.raises(CommandRejected) as raised:
        parse_command(envelope)
    assert (raised.value.field, raised.value.kind) == ("detail", "malformed")
