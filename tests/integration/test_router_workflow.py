"""A whole workflow through EventRoutingFunction against a moto server.

Each published event is read from an SQS target of the bus (as a rule target would
receive it) and fed back into the router, until the workflow ends. Then every event is
delivered again, one after another and ten at once: nothing happens twice.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import boto3
import pytest

import event_router_handler
import trading_handler
from alchemiser.errors import IdempotencyInProgressError
from alchemiser.events import EVENT_MAP, RebalancePlanned, TradeExecuted, from_envelope
from alchemiser.trading import PaperBroker, S3BarStore, load_strategy_config
from alchemiser.trading.signals import symbol_requirements
from alchemiser_local.lambda_context import LocalLambdaContext
from alchemiser_local.synthetic_bars import fill_bar_store
from tests.support.aws import drain, provision_task_queues, receive_all
from tests.support.samples import WORKFLOW

TRADING_DAY = date(2026, 11, 16)


@pytest.fixture
def world(lambda_env, sqs):
    """Bars in the bar store and the ledger's task queues; no paper account yet (as after
    ``sam deploy``: the first run opens it)."""
    boto3.client("s3").create_bucket(Bucket=lambda_env["BAR_STORE_BUCKET"])
    store = S3BarStore(lambda_env["BAR_STORE_BUCKET"])
    config = load_strategy_config(None)
    fill_bar_store(
        store, symbol_requirements(config), start=date(2025, 6, 1), end=TRADING_DAY, seed=7
    )
    broker = PaperBroker(
        lambda_env["PAPER_BROKER_TABLE_NAME"],
        market_data=store,
        as_of=TRADING_DAY,
        slippage_bps=config.paper_broker.slippage_bps,
    )
    ledger_queue = provision_task_queues(sqs, "dev")["alchemiser-dev_trade_ledger"]
    receive_all(sqs, ledger_queue)  # the dev queue is shared by the session's tests
    return broker, ledger_queue


def route(envelope):
    return event_router_handler.lambda_handler(
        envelope, LocalLambdaContext("alchemiser-event-router-test")
    )


def run_workflow(sqs, tapped_bus):
    """Start a run, then feed every routed event back in; returns the envelopes in order."""
    trading_handler.lambda_handler(
        {"mode": "trade", "scheduled_time": "2026-11-16T14:35:00Z"},
        LocalLambdaContext("alchemiser-trading-test"),
    )
    delivered, pending = [], drain(sqs, tapped_bus.tap_url)
    while pending:
        envelope = pending.pop(0)
        if envelope["detail-type"] in EVENT_MAP:
            assert route(envelope)["status"] == "handled"
            delivered.append(envelope)
        pending += drain(sqs, tapped_bus.tap_url)
    return delivered


def ledger_messages(sqs, url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"
    ]["ApproximateNumberOfMessages"]


def test_workflow_started_ends_in_workflow_completed_with_one_correlation_id(
    world, sqs, tapped_bus
):
    broker, ledger_queue = world

    delivered = [from_envelope(e) for e in run_workflow(sqs, tapped_bus)]

    assert [e.event_type for e in delivered] == WORKFLOW
    assert len({e.correlation_id for e in delivered}) == 1
    for cause, effect in itertools.pairwise(delivered):
        assert effect.causation_id == cause.event_id
    # The orders were filled in the paper account, and the ledger task was queued once.
    executed = delivered[3]
    assert isinstance(executed, TradeExecuted)
    assert executed.orders_succeeded == executed.orders_placed > 0
    assert set(broker.get_account().positions) == {o.symbol for o in executed.orders}
    # on the paper account the first run opened with the configured starting cash
    planned = delivered[2]
    assert isinstance(planned, RebalancePlanned)
    assert planned.plan.account.cash == load_strategy_config(None).paper_broker.starting_cash
    assert ledger_messages(sqs, ledger_queue) == "1"


def test_redelivering_every_event_has_no_second_effect(world, sqs, tapped_bus):
    broker, ledger_queue = world
    delivered = run_workflow(sqs, tapped_bus)
    account_before = broker.get_account()

    # When every event is delivered again, once in order and then ten times at once
    sequential = [route(envelope)["status"] for envelope in delivered]

    def ten_at_once(envelope):
        def attempt(_):
            try:
                return route(envelope)["status"]
            except IdempotencyInProgressError:
                return "retry_later"

        with ThreadPoolExecutor(max_workers=10) as pool:
            return set(pool.map(attempt, range(10)))

    concurrent = [ten_at_once(envelope) for envelope in delivered]

    # Then each is a duplicate: no new event, no new order, no second ledger task
    assert sequential == ["duplicate"] * len(delivered)
    assert all(statuses == {"duplicate"} for statuses in concurrent)
    assert drain(sqs, tapped_bus.tap_url) == []
    assert broker.get_account() == account_before
    assert ledger_messages(sqs, ledger_queue) == "1"
