"""EventRoutingFunction's outcomes against a moto server: nothing is lost, nothing loops."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import event_router_handler
from alchemiser.errors import (
    BrokerApiError,
    IdempotencyInProgressError,
    MissingMarketDataError,
    OrderRejectedError,
)
from alchemiser.events import AccountSnapshot, WorkflowFailed, from_envelope
from alchemiser.events.models import SHORT_TEXT_CHARS
from alchemiser.functions.routing import route_event
from alchemiser.logging import MAX_LINE_BYTES
from alchemiser.trading import StrategyConfig, load_strategy_config
from alchemiser.trading.market_calendar import library_calendar
from alchemiser.trading.signals import symbol_requirements
from alchemiser.trading.trading_state import TradingStateTable
from alchemiser_local.lambda_context import LocalLambdaContext
from tests.support import samples
from tests.support.aws import drain
from tests.support.deep import deep_list
from tests.unit.trading.support import InMemoryMarketData, bars_from_closes

FUNCTION = "alchemiser-event-router-test"
#: The samples' trading date.
SAMPLE_DAY = date(2026, 11, 20)


@pytest.fixture
def router_env(monkeypatch, lambda_env):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    return lambda_env


@dataclass
class FailingServices:
    """Services whose every use fails with ``error`` (and counts the attempts)."""

    error: Exception
    calls: list[str] = field(default_factory=list)

    def _fail(self, what: str) -> Any:
        self.calls.append(what)
        raise self.error

    @property
    def strategy_config(self) -> Any:
        return self._fail("strategy_config")

    @property
    def market_data(self) -> Any:
        return self._fail("market_data")

    @property
    def calendar(self) -> Any:
        return library_calendar()

    def check_trading_mode(self, trading_mode, *, field) -> None:
        del trading_mode, field  # paper only in these tests

    def trading_broker(self, *, as_of, trading_mode) -> Any:
        return self._fail("trading_broker")

    def record_trades(self, event) -> str:
        return str(self._fail("record_trades"))


def deliver(envelope, *, services=None, context=None):
    return route_event(envelope, context or LocalLambdaContext(FUNCTION), services=services)


def published(sqs, tapped_bus):
    return [from_envelope(body) for body in drain(sqs, tapped_bus.tap_url)]


@pytest.mark.parametrize(
    ("sample", "field"),
    [
        ("foreign-source", "source"),
        ("unknown-detail-type", "detail-type"),
        ("invalid-detail", "detail.prices.SPY"),
        ("source-mismatch", "source"),
        ("scheduler-command", "source"),
    ],
)
def test_invalid_envelopes_are_rejected_counted_and_not_retried(
    router_env, sqs, tapped_bus, logs, sample, field
):
    envelope = samples.load(f"rejected/events/{sample}.json")

    result = event_router_handler.lambda_handler(envelope, LocalLambdaContext(FUNCTION))

    assert result["status"] == "rejected"
    assert result["error"]["field"] == field
    assert published(sqs, tapped_bus) == []
    logged = logs.records()
    rejection = next(r for r in logged if r["event"] == "input_rejected")
    assert rejection["level"] == "error"
    assert rejection["received"] == envelope  # never retried: the log line keeps the input
    assert any(r.get("InputRejected") == 1 for r in logged)
    assert ("rejected", result["event_id"]) in logs.outcomes()


def test_error_notifications_are_skipped_never_handled(
    router_env, sqs, tapped_bus, logs, dynamodb, idempotency_table
):
    envelope = samples.load("events/error-notification-requested.json")

    result = deliver(envelope, services=FailingServices(RuntimeError("must not be used")))

    assert result["status"] == "skipped"
    assert published(sqs, tapped_bus) == []
    assert dynamodb.scan(TableName=idempotency_table)["Items"] == []
    assert logs.outcomes() == [("skipped", envelope["detail"]["event_id"])]


def test_a_failed_workflow_notifies_once_even_when_redelivered(router_env, sqs, tapped_bus):
    envelope = samples.load("events/workflow-failed.json")

    first = deliver(envelope)
    again = [deliver(envelope) for _ in range(3)]

    notices = published(sqs, tapped_bus)
    assert [e.event_type for e in notices] == ["ErrorNotificationRequested"]
    assert notices[0].causation_id == envelope["detail"]["event_id"]
    assert notices[0].correlation_id == envelope["detail"]["correlation_id"]
    assert first["status"] == "handled"
    assert {r["status"] for r in again} == {"duplicate"}
    assert all(r["published"] == first["published"] for r in again)


def test_a_completed_workflow_publishes_nothing_and_is_summarised(
    router_env, sqs, tapped_bus, logs
):
    result = deliver(samples.load("events/workflow-completed.json"))

    assert (result["status"], result["published"]) == ("handled", [])
    assert published(sqs, tapped_bus) == []
    summary = next(r for r in logs.records() if r["event"] == "workflow_summary")
    assert summary["outcome"] == "traded"
    assert summary["correlation_id"] == result["correlation_id"]


def test_every_outcome_is_logged_with_the_event_id(router_env, logs):
    completed = samples.load("events/workflow-completed.json")
    started = samples.load("events/workflow-started.json")
    throttled = FailingServices(BrokerApiError("429 from the broker"))

    deliver(completed)  # handled
    deliver(completed)  # duplicate
    deliver(samples.load("events/error-notification-requested.json"))  # skipped
    deliver(samples.load("rejected/events/invalid-detail.json"))  # rejected
    with pytest.raises(BrokerApiError):
        deliver(started, services=throttled)  # raised

    seen = logs.outcomes()
    assert [outcome for outcome, _ in seen] == [
        "handled",
        "duplicate",
        "skipped",
        "rejected",
        "raised",
    ]
    assert all(event_id for _, event_id in seen)
    assert seen[-1][1] == started["detail"]["event_id"]


def test_a_retryable_failure_raises_without_notifying_and_can_be_retried(
    router_env, sqs, tapped_bus
):
    envelope = samples.load("events/workflow-started.json")

    with pytest.raises(BrokerApiError):
        deliver(envelope, services=FailingServices(BrokerApiError("503")))

    assert published(sqs, tapped_bus) == []  # EventBridge/Lambda retry; the DLQ keeps it
    retry = deliver(envelope, services=FailingServices(MissingMarketDataError("no SPY")))
    assert retry["status"] == "handled"  # the claim was released for the retry


def test_a_permanent_step_failure_ends_the_workflow(router_env, sqs, tapped_bus):
    envelope = samples.load("events/workflow-started.json")

    result = deliver(envelope, services=FailingServices(MissingMarketDataError("SPY has no bars")))

    (failed,) = published(sqs, tapped_bus)
    assert failed.event_type == "WorkflowFailed"
    assert failed.failure_step == "signal_generation"
    assert "SPY has no bars" in failed.failure_reason
    assert failed.causation_id == envelope["detail"]["event_id"]
    assert result["published"] == [{"event_id": failed.event_id, "event_type": "WorkflowFailed"}]


def test_a_bug_raises_and_notifies_at_most_once_per_event(router_env, sqs, tapped_bus, logs):
    envelope = samples.load("events/trade-executed.json")
    buggy = FailingServices(KeyError("positions"))

    for _ in range(3):  # the first delivery and two Lambda retries
        with pytest.raises(KeyError):
            deliver(envelope, services=buggy)

    notices = published(sqs, tapped_bus)
    assert [e.event_type for e in notices] == ["ErrorNotificationRequested"]
    assert notices[0].failed_event_id == envelope["detail"]["event_id"]
    assert len(buggy.calls) == 3


def test_ten_concurrent_redeliveries_have_one_effect(router_env, sqs, tapped_bus):
    envelope = samples.load("events/workflow-failed.json")

    def attempt(_: int) -> str:
        try:
            return str(deliver(envelope)["status"])
        except IdempotencyInProgressError:
            return "retry_later"

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(attempt, range(10)))

    assert statuses.count("handled") == 1
    assert set(statuses) <= {"handled", "duplicate", "retry_later"}
    assert [e.event_type for e in published(sqs, tapped_bus)] == ["ErrorNotificationRequested"]


def test_a_reused_event_id_with_another_identity_is_rejected(router_env, sqs, tapped_bus):
    envelope = samples.load("events/workflow-completed.json")
    deliver(envelope)
    impostor = json.loads(json.dumps(envelope))
    impostor["detail"]["correlation_id"] = "another-workflow"

    result = deliver(impostor)

    assert result["status"] == "rejected"
    assert result["error"]["field"] == "payload"


def test_log_context_of_one_event_never_leaks_into_the_next(router_env, logs):
    deliver(samples.load("events/workflow-completed.json"))
    deliver(samples.load("rejected/events/foreign-source.json"))

    last = [r for r in logs.records() if r["event"] == "event_outcome"][-1]
    assert last["outcome"] == "rejected"
    assert "correlation_id" not in last


# --- every envelope has a designated outcome ------------------------------------------------


@pytest.mark.parametrize("detail_type", [["ErrorNotificationRequested"], {"a": 1}, []])
def test_a_detail_type_that_is_a_list_or_object_is_rejected_naming_it(
    router_env, sqs, tapped_bus, detail_type
):
    # (was: TypeError: unhashable type in the circuit breaker's check)
    envelope = {**samples.load("events/workflow-started.json"), "detail-type": detail_type}

    result = deliver(envelope)

    assert (result["status"], result["error"]["field"]) == ("rejected", "detail-type")
    assert result["event_type"] is None
    assert published(sqs, tapped_bus) == []


def test_an_envelope_nested_too_deep_is_rejected_before_anything_walks_it(router_env, logs):
    envelope = samples.load("events/workflow-started.json")
    envelope["detail"]["metadata"] = {"note": deep_list(5000)}

    result = deliver(envelope)

    assert (result["status"], result["error"]["kind"]) == ("rejected", "too_deep")
    assert result["error"]["field"].startswith("detail.metadata.note")
    assert all(len(line) < 10_000 for line in logs.stream.getvalue().splitlines())


def test_a_rejected_envelope_is_kept_in_its_log_line_with_secrets_redacted(router_env, logs):
    envelope = samples.load("events/workflow-started.json")
    envelope["detail"]["metadata"] = {"api_key": "sk-planted", "note": 12}  # note: not text

    result = deliver(envelope)

    assert result["status"] == "rejected"
    rejection = next(r for r in logs.records() if r["event"] == "input_rejected")
    assert rejection["received"]["detail"]["metadata"] == {"api_key": "***", "note": 12}
    assert "sk-planted" not in logs.stream.getvalue()


@pytest.mark.parametrize(
    "value",
    ["x" * 2_000_000, float("nan"), float("inf"), 10**3999],
    ids=["2MB", "nan", "inf", "4000-digits"],
)
def test_a_rejected_envelope_is_answered_and_logged_as_strict_json_of_bounded_size(
    router_env, logs, value
):
    envelope = {**samples.load("events/workflow-started.json"), "detail-type": value, "id": value}

    result = deliver(envelope)

    # Then the result and every log line are strict JSON, and no line exceeds an event
    assert result["status"] == "rejected"
    assert len(json.dumps(result, allow_nan=False)) < 2_000
    for line in logs.stream.getvalue().splitlines():
        json.loads(line, parse_constant=lambda token: pytest.fail(f"{token} in a log line"))
        assert len(line.encode()) <= MAX_LINE_BYTES


@dataclass
class RefusingBroker:
    """A broker that refuses every order with the longest error an order can carry."""

    def get_account(self) -> AccountSnapshot:
        return AccountSnapshot(equity=Decimal(10**6), cash=Decimal(10**6), buying_power=Decimal(0))

    def submit_market_order(self, *, symbol, side, quantity, client_order_id) -> Any:
        raise OrderRejectedError("é" * 3 * SHORT_TEXT_CHARS)

    def get_order(self, client_order_id) -> None:
        return None


@dataclass
class RefusingServices:
    def check_trading_mode(self, trading_mode, *, field) -> None:
        return None

    @property
    def trading_state(self) -> TradingStateTable:
        return TradingStateTable(os.environ["TRADING_STATE_TABLE_NAME"])

    def trading_account(self, trading_mode) -> str:
        return "paper"

    def trading_broker(self, *, as_of, trading_mode) -> RefusingBroker:
        return RefusingBroker()


def test_a_step_output_too_large_to_publish_ends_the_workflow_instead_of_retrying(
    router_env, sqs, tapped_bus, monkeypatch
):
    # Given a plan of 100 orders the broker refuses with long non-ASCII errors: the
    # TradeExecuted reporting them is larger than an EventBridge entry (the old 256 KiB
    # limit here: within today's 1 MiB, moto's SQS target escapes it past its own limit)
    monkeypatch.setattr("alchemiser.events.envelope.MAX_ENTRY_BYTES", 256 * 1024)
    envelope = samples.load("events/rebalance-planned.json")
    item = envelope["detail"]["plan"]["items"][0]
    envelope["detail"]["plan"]["items"] = [{**item, "symbol": f"S{n}"} for n in range(100)]

    result = deliver(envelope, services=RefusingServices())

    # Then nothing too large was sent and the workflow ended, saying why
    (failed,) = published(sqs, tapped_bus)
    assert result["status"] == "handled"
    assert isinstance(failed, WorkflowFailed)
    assert failed.failure_step == "execution"
    assert failed.failure_reason.startswith("EventTooLarge: TradeExecuted")


@dataclass
class PricedServices:
    """The shipped strategies over bars whose every close is ``close``."""

    close: Decimal

    @property
    def strategy_config(self) -> StrategyConfig:
        return load_strategy_config()

    @property
    def market_data(self) -> InMemoryMarketData:
        closes = [self.close] * 300
        series = bars_from_closes(closes, as_of=SAMPLE_DAY)
        needed = symbol_requirements(self.strategy_config)
        return InMemoryMarketData(dict.fromkeys(needed, series))

    @property
    def calendar(self) -> Any:
        return library_calendar()


def test_a_step_output_beyond_the_bounds_ends_the_workflow_naming_the_field(
    router_env, sqs, tapped_bus
):
    # Given a bar store whose closes are beyond any price an event may carry (1e8)
    envelope = samples.load("events/workflow-started.json")

    result = deliver(envelope, services=PricedServices(Decimal(10**8)))

    # Then no SignalGenerated was built or sent: the workflow ended, naming the field
    (failed,) = published(sqs, tapped_bus)
    assert result["status"] == "handled"
    assert isinstance(failed, WorkflowFailed)
    assert failed.failure_step == "signal_generation"
    assert failed.failure_reason.startswith("StepOutputError: signal_generation.prices.")
