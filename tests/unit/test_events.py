"""Domain events: validation names the field, EVENT_MAP is complete, the wire format is lossless."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alchemiser.errors import EventRejected, EventTooLarge
from alchemiser.events import (
    ALL_EVENTS,
    EVENT_MAP,
    MAX_ENTRY_BYTES,
    UNROUTED_EVENTS,
    AccountSnapshot,
    BaseEvent,
    ErrorNotificationRequested,
    OrderOutcome,
    PlanItem,
    RebalancePlan,
    RebalancePlanned,
    SignalGenerated,
    StrategySignal,
    TradeExecuted,
    WorkflowCompleted,
    WorkflowConfiguration,
    WorkflowFailed,
    WorkflowStarted,
    WorkflowSummary,
    entry_size,
    from_envelope,
    to_entry,
)
from alchemiser.events.models import MAX_RISK_REFUSALS
from tests.support import samples
from tests.support.bulky import bulky_trade_executed

ROUTED = [
    "WorkflowStarted",
    "SignalGenerated",
    "RebalancePlanned",
    "TradeExecuted",
    "WorkflowCompleted",
    "WorkflowFailed",
]


def all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found |= {sub} | all_subclasses(sub)
    return found


def envelope_of(event: BaseEvent, *, detail_as_text: bool = False) -> dict[str, object]:
    entry = to_entry(event, "alchemiser-events-test")
    return {
        "version": "0",
        "id": "e0c1",
        "source": entry["Source"],
        "detail-type": entry["DetailType"],
        "time": "2026-11-20T14:35:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": entry["Detail"] if detail_as_text else json.loads(entry["Detail"]),
    }


# --- the event map -----------------------------------------------------------------------


def test_event_map_routes_every_workflow_event_including_workflow_started():
    assert sorted(EVENT_MAP) == sorted(ROUTED)
    assert EVENT_MAP["WorkflowStarted"] is WorkflowStarted


def test_every_event_model_is_reachable_from_a_map():
    assert all_subclasses(BaseEvent) == set(ALL_EVENTS.values())
    assert all(name == model.__name__ for name, model in ALL_EVENTS.items())


def test_error_notifications_are_never_routed():
    assert set(UNROUTED_EVENTS) == {"ErrorNotificationRequested"}
    assert not set(UNROUTED_EVENTS) & set(EVENT_MAP)


@pytest.mark.parametrize("path", samples.paths("events"), ids=samples.ids("events"))
def test_every_event_sample_parses_to_its_detail_type(path):
    envelope = json.loads(path.read_text())
    event = from_envelope(envelope)
    assert event.event_type == envelope["detail-type"]
    assert event.source == envelope["source"]


def test_there_is_a_sample_of_every_event_type():
    types = {json.loads(p.read_text())["detail-type"] for p in samples.paths("events")}
    assert types == set(ALL_EVENTS)


# --- validation names the field ------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("correlation_id"), "detail.correlation_id"),
        (lambda d: d.update(timestamp="2026-11-20T14:35:00"), "detail.timestamp"),
        (lambda d: d.update(event_type="SignalGenerated"), "detail.event_type"),
        (lambda d: d.update(source_module="execution"), "detail.source_module"),
        (lambda d: d.update(schema_version=2), "detail.schema_version"),
        (lambda d: d.update(surprise=1), "detail.surprise"),
        (
            lambda d: d["configuration"].update(trading_mode="real"),
            "detail.configuration.trading_mode",
        ),
        (lambda d: d.update(trading_date="20/11/2026"), "detail.trading_date"),
    ],
)
def test_workflow_started_errors_name_the_field(mutate, field):
    envelope = samples.load("events/workflow-started.json")
    mutate(envelope["detail"])
    with pytest.raises(EventRejected) as raised:
        from_envelope(envelope)
    assert raised.value.field == field


#: A refusal as RebalancePlanned and TradeExecuted carry it.
REFUSAL = {
    "symbol": "SPY",
    "side": "buy",
    "limit": "max_order_notional",
    "action": "capped",
    "planned_quantity": "150",
    "refused_quantity": "25",
    "value": "89745.00",
    "threshold": "75000.00",
    "reason": "buy 150 SPY makes 89745.00, over max_order_notional 75000.00: capped to 125",
}


@pytest.mark.parametrize("sample", ["rebalance-planned", "trade-executed"])
def test_risk_refusals_are_an_added_field_that_defaults_to_none(sample):
    envelope = samples.load(f"events/{sample}.json")
    before = from_envelope(envelope)
    assert isinstance(before, RebalancePlanned | TradeExecuted)
    assert before.risk_refusals == ()
    envelope["detail"]["risk_refusals"] = [REFUSAL]

    event = from_envelope(envelope)

    assert isinstance(event, RebalancePlanned | TradeExecuted)
    assert [r.model_dump(mode="json") for r in event.risk_refusals] == [REFUSAL]
    entry = to_entry(event, "bus")
    wire = {
        "source": entry["Source"],
        "detail-type": entry["DetailType"],
        "detail": entry["Detail"],
    }
    assert from_envelope(wire) == event


@pytest.mark.parametrize(
    ("sample", "mutate", "field"),
    [
        ("signal-generated", lambda d: d["prices"].update(SPY="NaN"), "detail.prices.SPY"),
        (
            "signal-generated",
            lambda d: d["consolidated_portfolio"].update(SPY="1.5"),
            "detail.consolidated_portfolio.SPY",
        ),
        (
            "signal-generated",
            lambda d: d["strategies"][0].update(name=""),
            "detail.strategies.0.name",
        ),
        (
            "rebalance-planned",
            lambda d: d["plan"]["items"][0].update(side="short"),
            "detail.plan.items.0.side",
        ),
        (
            "rebalance-planned",
            lambda d: d["plan"]["items"][0].update(quantity="-1"),
            "detail.plan.items.0.quantity",
        ),
        ("rebalance-planned", lambda d: d.pop("trades_required"), "detail.trades_required"),
        (
            "rebalance-planned",
            lambda d: d.update(risk_refusals=[{**REFUSAL, "limit": "max_loss"}]),
            "detail.risk_refusals.0.limit",
        ),
        (
            "rebalance-planned",
            lambda d: d.update(risk_refusals=[REFUSAL] * (MAX_RISK_REFUSALS + 1)),
            "detail.risk_refusals",
        ),
        (
            "trade-executed",
            lambda d: d.update(risk_refusals=[{**REFUSAL, "refused_quantity": "-1"}]),
            "detail.risk_refusals.0.refused_quantity",
        ),
        (
            "trade-executed",
            lambda d: d["orders"][0].update(status="lost"),
            "detail.orders.0.status",
        ),
        ("trade-executed", lambda d: d.update(orders_placed=-1), "detail.orders_placed"),
        ("trade-executed", lambda d: d.update(failed_symbols=["spy"]), "detail.failed_symbols.0"),
        ("workflow-completed", lambda d: d.update(outcome="maybe"), "detail.outcome"),
        ("workflow-failed", lambda d: d.update(failure_step=""), "detail.failure_step"),
        ("error-notification-requested", lambda d: d.update(severity="meh"), "detail.severity"),
    ],
)
def test_payload_errors_name_the_nested_field(sample, mutate, field):
    rejection = rejection_of(sample, mutate)
    assert rejection.field == field
    assert rejection.to_dict()["details"][0]["field"] == field


def rejection_of(sample: str, mutate: Callable[[dict[str, Any]], object]) -> EventRejected:
    """The error an event sample gets once ``mutate`` has changed its detail."""
    envelope = samples.load(f"events/{sample}.json")
    mutate(envelope["detail"])
    with pytest.raises(EventRejected) as raised:
        from_envelope(envelope)
    return raised.value


FOUR_THOUSAND_DIGITS = 10**3999


@pytest.mark.parametrize(
    ("sample", "mutate", "field"),
    [
        # Prices: positive, at most MAX_PRICE, at most 8 places (was: accepted, then
        # InvalidOperation in the planner's quantize)
        ("signal-generated", lambda d: d["prices"].update(SPY="1e-999999"), "detail.prices.SPY"),
        ("signal-generated", lambda d: d["prices"].update(SPY="1e999999"), "detail.prices.SPY"),
        (
            "signal-generated",
            lambda d: d["prices"].update(SPY=FOUR_THOUSAND_DIGITS),
            "detail.prices.SPY",
        ),
        ("signal-generated", lambda d: d["prices"].update(SPY="0"), "detail.prices.SPY"),
        (
            "signal-generated",
            lambda d: d["consolidated_portfolio"].update(SPY="1e-999999"),
            "detail.consolidated_portfolio.SPY",
        ),
        (
            "signal-generated",
            lambda d: d["prices"].update({f"S{n}": "1" for n in range(101)}),
            "detail.prices",
        ),
        # Quantities: an order of nothing, or of 1e30 shares (was: ValueError, Overflow)
        (
            "rebalance-planned",
            lambda d: d["plan"]["items"][0].update(quantity="0"),
            "detail.plan.items.0.quantity",
        ),
        (
            "rebalance-planned",
            lambda d: d["plan"]["items"][0].update(quantity=1e30),
            "detail.plan.items.0.quantity",
        ),
        (
            "rebalance-planned",
            lambda d: d["plan"]["items"][0].update(quantity="1e999999"),
            "detail.plan.items.0.quantity",
        ),
        (
            "rebalance-planned",
            lambda d: d["plan"]["account"].update(cash="1e30"),
            "detail.plan.account.cash",
        ),
        # Counts (was: a 4,000-digit count made the summary too long for its model)
        (
            "trade-executed",
            lambda d: d.update(orders_placed=FOUR_THOUSAND_DIGITS),
            "detail.orders_placed",
        ),
        # Dates and instants inside the calendar's range (was: OverflowError at year 1/9999)
        ("workflow-started", lambda d: d.update(trading_date="0001-01-01"), "detail.trading_date"),
        ("workflow-started", lambda d: d.update(trading_date="9999-12-31"), "detail.trading_date"),
        (
            "workflow-started",
            lambda d: d.update(scheduled_time="0001-01-01T00:00:00+14:00"),
            "detail.scheduled_time",
        ),
        (
            "workflow-started",
            lambda d: d.update(timestamp="9999-12-31T23:59:59-12:00"),
            "detail.timestamp",
        ),
        # Strings: a metadata value or a name is never a payload of its own
        (
            "workflow-started",
            lambda d: d.update(metadata={"note": "x" * 2_000_000}),
            "detail.metadata.note",
        ),
        ("workflow-started", lambda d: d.update(event_type="x" * 2_000_000), "detail.event_type"),
        (
            "trade-executed",
            lambda d: d["orders"][0].update(broker_order_id="x" * 2_000_000),
            "detail.orders.0.broker_order_id",
        ),
    ],
)
def test_numbers_dates_and_sizes_are_bounded_where_they_enter(sample, mutate, field):
    rejection = rejection_of(sample, mutate)
    assert rejection.field == field
    assert len(rejection.reason) < 200  # names the bound, never echoes the value


@pytest.mark.parametrize(
    ("sample", "field", "kind"),
    [
        ("foreign-source", "source", "foreign_source"),
        ("unknown-detail-type", "detail-type", "unknown_detail_type"),
        ("invalid-detail", "detail.prices.SPY", "invalid"),
        ("source-mismatch", "source", "source_mismatch"),
        ("scheduler-command", "source", "missing_field"),
    ],
)
def test_rejected_event_samples_name_field_and_kind(sample, field, kind):
    with pytest.raises(EventRejected) as raised:
        from_envelope(samples.load(f"rejected/events/{sample}.json"))
    assert (raised.value.field, raised.value.kind) == (field, kind)


@pytest.mark.parametrize("envelope", [None, [], "text"])
def test_non_object_envelopes_are_rejected(envelope):
    with pytest.raises(EventRejected) as raised:
        from_envelope(envelope)
    assert raised.value.kind == "malformed"


def test_detail_that_is_not_json_is_rejected_with_the_field():
    envelope = {**samples.load("events/workflow-started.json"), "detail": "{not json"}
    with pytest.raises(EventRejected) as raised:
        from_envelope(envelope)
    assert (raised.value.field, raised.value.kind) == ("detail", "malformed")


def test_detail_as_json_string_parses_like_an_object():
    envelope = samples.load("events/signal-generated.json")
    as_text = {**envelope, "detail": json.dumps(envelope["detail"])}
    assert from_envelope(as_text) == from_envelope(envelope)


def test_events_are_immutable():
    event = from_envelope(samples.load("events/workflow-started.json"))
    with pytest.raises(ValueError, match="frozen"):
        event.correlation_id = "other"  # type: ignore[misc]


# --- size limit ---------------------------------------------------------------------------


def test_to_entry_refuses_an_entry_over_the_eventbridge_limit():
    # Given a valid event the bounds still let grow past an entry (long non-ASCII errors)
    event = bulky_trade_executed(MAX_ENTRY_BYTES + 1)
    assert len(event.model_dump_json()) < MAX_ENTRY_BYTES  # characters, not bytes
    with pytest.raises(EventTooLarge) as raised:
        to_entry(event, "bus")
    # Counted in UTF-8 bytes, as EventBridge counts them (é is two bytes).
    assert raised.value.size > MAX_ENTRY_BYTES
    assert raised.value.event_id == event.event_id


def test_to_entry_takes_entries_up_to_one_mib_since_the_2026_limit(monkeypatch):
    # Given the 1 MiB limit, an entry over the old 256 KiB limit is an entry
    assert MAX_ENTRY_BYTES == 1024 * 1024
    over_the_old_limit = to_entry(bulky_trade_executed(300 * 1024), "bus")
    assert entry_size(over_the_old_limit) > 256 * 1024
    # And an entry of exactly the limit passes where one byte more is refused
    size = entry_size(over_the_old_limit)
    monkeypatch.setattr("alchemiser.events.envelope.MAX_ENTRY_BYTES", size)
    assert to_entry(bulky_trade_executed(300 * 1024), "bus") == over_the_old_limit
    monkeypatch.setattr("alchemiser.events.envelope.MAX_ENTRY_BYTES", size - 1)
    with pytest.raises(EventTooLarge):
        to_entry(bulky_trade_executed(300 * 1024), "bus")


def test_entry_size_counts_source_detail_type_and_detail_bytes():
    entry = to_entry(from_envelope(samples.load("events/workflow-started.json")), "bus")
    expected = len(entry["Source"]) + len(entry["DetailType"]) + len(entry["Detail"].encode())
    assert entry_size(entry) == expected


# --- lossless round trip ------------------------------------------------------------------

symbols = st.from_regex(r"\A[A-Z][A-Z0-9]{0,4}\Z")
money = st.decimals(
    min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=4
)
quantities = st.decimals(
    min_value=0, max_value=10**7, allow_nan=False, allow_infinity=False, places=6
)
order_sizes = quantities.filter(lambda quantity: quantity > 0)
prices = st.decimals(
    min_value=Decimal("0.0001"), max_value=10**6, allow_nan=False, allow_infinity=False, places=4
)
weights = st.decimals(min_value=0, max_value=1, allow_nan=False, allow_infinity=False, places=8)
texts = st.text(max_size=40)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)
aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=offsets
)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1))
ids = st.uuids().map(str)
configurations = st.builds(
    WorkflowConfiguration,
    trading_mode=st.sampled_from(["paper", "live"]),
    dry_run=st.booleans(),
    environment=st.sampled_from(["dev", "prod"]),
)
accounts = st.builds(
    AccountSnapshot,
    equity=money,
    cash=money,
    buying_power=money,
    positions=st.dictionaries(symbols, quantities, max_size=4),
)
sides = st.sampled_from(["buy", "sell"])
plan_items = st.builds(
    PlanItem,
    symbol=symbols,
    side=sides,
    quantity=order_sizes,
    estimated_price=prices,
    estimated_value=money,
    current_value=money,
    target_value=money,
    target_weight=weights,
    reason=texts,
)
outcomes = st.builds(
    OrderOutcome,
    symbol=symbols,
    side=sides,
    quantity=quantities,
    client_order_id=st.from_regex(r"\Aalc-[a-z0-9]{8}\Z"),
    status=st.sampled_from(["filled", "rejected", "not_placed"]),
    broker_order_id=st.none() | ids,
    filled_quantity=quantities,
    average_price=st.none() | prices,
    error=st.none() | texts,
)
summaries = st.builds(
    WorkflowSummary,
    orders_placed=st.integers(0, 50),
    orders_succeeded=st.integers(0, 50),
    equity=st.none() | money,
    message=texts,
)
common = {
    "event_id": ids,
    "correlation_id": ids,
    "causation_id": ids,
    "timestamp": aware,
    "metadata": st.none() | st.dictionaries(st.text(max_size=8), texts, max_size=3),
}
workflow = {**common, "configuration": configurations, "trading_date": dates}

events = st.one_of(
    st.builds(
        WorkflowStarted,
        **workflow,
        requested_by=st.just("scheduler"),
        scheduled_time=st.none() | aware,
    ),
    st.builds(
        SignalGenerated,
        **workflow,
        strategies=st.lists(
            st.builds(
                StrategySignal,
                name=st.just("trend_filter"),
                allocation=weights,
                weights=st.dictionaries(symbols, weights, max_size=4),
                rationale=texts,
            ),
            max_size=3,
        ).map(tuple),
        consolidated_portfolio=st.dictionaries(symbols, weights, max_size=5),
        prices=st.dictionaries(symbols, prices, max_size=5),
    ),
    st.builds(
        RebalancePlanned,
        **workflow,
        trades_required=st.booleans(),
        plan=st.builds(
            RebalancePlan,
            account=accounts,
            items=st.lists(plan_items, max_size=4).map(tuple),
            cash_buffer=money,
            min_trade_value=money,
        ),
    ),
    st.builds(
        TradeExecuted,
        **workflow,
        orders=st.lists(outcomes, max_size=4).map(tuple),
        orders_placed=st.integers(0, 9),
        orders_succeeded=st.integers(0, 9),
        failed_symbols=st.lists(symbols, max_size=3).map(tuple),
        failure_reason=st.none() | texts,
        account_after=st.none() | accounts,
    ),
    st.builds(
        WorkflowCompleted,
        **workflow,
        summary=summaries,
        outcome=st.sampled_from(["traded", "no_trades", "market_closed", "dry_run"]),
    ),
    st.builds(
        WorkflowFailed,
        **workflow,
        summary=summaries,
        failure_step=st.just("execution"),
        failure_reason=texts,
        failed_symbols=st.lists(symbols, max_size=3).map(tuple),
    ),
    st.builds(
        ErrorNotificationRequested,
        **common,
        severity=st.just("error"),
        title=st.just("t"),
        message=texts,
        error_type=st.just("E"),
    ),
)


@settings(max_examples=150, deadline=None)
@given(event=events, detail_as_text=st.booleans())
def test_round_trip_through_the_wire_format_is_lossless(event, detail_as_text):
    # When an event goes out as a PutEvents entry and comes back as a rule target's envelope
    back = from_envelope(envelope_of(event, detail_as_text=detail_as_text))

    # Then it is the same event, down to each Decimal's digits and each timestamp's offset
    assert back == event
    assert back.model_dump_json() == event.model_dump_json()
    assert type(back) is type(event)


def test_decimal_digits_survive_exactly():
    price = Decimal("598.3000")
    event = from_envelope(samples.load("events/signal-generated.json"))
    changed = event.model_copy(update={"prices": {"SPY": price}})
    back = from_envelope(envelope_of(changed))
    assert isinstance(back, SignalGenerated)
    assert str(back.prices["SPY"]) == "598.3000"


def test_timestamps_default_to_now_in_utc():
    event = WorkflowStarted(
        correlation_id="c",
        causation_id="c",
        requested_by="t",
        configuration=WorkflowConfiguration(environment="dev"),
        trading_date=date(2026, 11, 20),
    )
    assert event.timestamp.tzinfo is not None
    assert abs(event.timestamp - datetime.now(UTC)) < timedelta(seconds=5)
