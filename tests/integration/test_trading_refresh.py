"""The market data refresh through TradingSystemFunction's handler, as deployed.

The function's template environment on this test's resources (moto server), the Alpaca
secret in Secrets Manager pointing at a fake Alpaca on loopback, and an empty bar store:
what a stack has right after ``sam deploy``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import boto3
import pytest

from alchemiser.clock import new_york_today
from alchemiser.errors import BarRefreshIncompleteError, BrokerCredentialsError
from alchemiser.events import from_envelope
from alchemiser.trading import PaperBroker, S3BarStore, load_strategy_config, previous_trading_day
from alchemiser_local.synthetic_bars import synthetic_bars
from tests.integration.test_router_workflow import run_workflow
from tests.integration.test_trading_function import FUNCTION, invoke
from tests.support import samples
from tests.support.aws import drain, provision_task_queues
from tests.support.market_data import deployed_market_data, shipped_symbols
from tests.support.samples import WORKFLOW

#: The sample's scheduled time, 2026-11-20 08:00 New York: bars through 2026-11-19.
THROUGH = date(2026, 11, 19)
HISTORY = synthetic_bars(shipped_symbols(), date(2025, 6, 2), THROUGH, seed=11)
SCHEDULED = samples.load("commands/refresh-market-data.json")


@pytest.fixture
def function_env(monkeypatch, lambda_env):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    return lambda_env


@pytest.fixture
def alpaca(function_env):
    """The deployed stack's market data: its bucket, its secret, Alpaca serving HISTORY."""
    with deployed_market_data(function_env, HISTORY) as state:
        yield state


def stored(env, symbol):
    return S3BarStore(env["BAR_STORE_BUCKET"]).read_series(symbol)


def versions(env):
    """Each object of the bar store and its ETag (a write changes it)."""
    listed = boto3.client("s3").list_objects_v2(Bucket=env["BAR_STORE_BUCKET"])
    return {item["Key"]: item["ETag"] for item in listed["Contents"]}


def test_first_refresh_backfills_every_symbol_the_strategies_need(function_env, alpaca):
    result = invoke(SCHEDULED)

    assert (result["status"], result["mode"]) == ("refreshed", "refresh_market_data")
    assert (result["as_of"], result["through"]) == ("2026-11-20", "2026-11-19")
    assert result["written"] == shipped_symbols()
    assert {entry["fetch"] for entry in result["symbols"]} == {"new"}
    tqqq = stored(function_env, "TQQQ")  # held only: its lookback is one bar
    assert tqqq.bars[-1] == HISTORY["TQQQ"][-1]
    assert {query["feed"] for query in alpaca.queries} == {"iex"}


def test_a_scheduler_retry_is_a_duplicate_and_a_new_run_writes_nothing(function_env, alpaca):
    first = invoke(SCHEDULED)
    before = versions(function_env)
    alpaca.forget()

    retry = invoke(SCHEDULED)
    rerun = invoke({**SCHEDULED, "scheduled_time": "2026-11-20T13:30:00Z"})

    assert retry["status"] == "duplicate"
    assert retry["correlation_id"] == first["correlation_id"]
    assert rerun["status"] == "refreshed"
    assert rerun["written"] == []
    assert versions(function_env) == before
    assert alpaca.queries == []


def test_the_next_mornings_refresh_adds_the_new_session(function_env, alpaca):
    invoke(SCHEDULED)
    alpaca.add(synthetic_bars(shipped_symbols(), date(2026, 11, 20), date(2026, 11, 20), seed=12))

    result = invoke({"mode": "refresh_market_data", "scheduled_time": "2026-11-23T13:00:00Z"})

    assert {(e["fetch"], e["bars_added"], e["last_date"]) for e in result["symbols"]} == {
        ("incremental", 1, "2026-11-20")
    }


def test_an_operator_backfill_fetches_every_lookback_again_up_to_today(function_env):
    # Given Alpaca serving bars through the last session before today (an operator's
    # command has no scheduled time: it prepares today), and a refreshed store
    last = previous_trading_day(new_york_today())
    history = synthetic_bars(shipped_symbols(), last - timedelta(days=500), last, seed=13)
    with deployed_market_data(function_env, history):
        invoke({"mode": "refresh_market_data", "execution_id": "first"})

        result = invoke(samples.load("commands/refresh-market-data-backfill.json"))

    assert result["status"] == "refreshed"
    assert result["backfill"] is True
    assert {entry["fetch"] for entry in result["symbols"]} == {"backfill"}
    assert result["written"] == []  # the source still says the same


def test_the_data_feed_is_the_deployments_setting(function_env, monkeypatch, alpaca):
    monkeypatch.setenv("ALPACA_DATA_FEED", "sip")
    invoke(SCHEDULED)
    assert {query["feed"] for query in alpaca.queries} == {"sip"}


def test_a_deployed_stack_trades_its_first_day_with_bars_it_fetched_itself(
    function_env, alpaca, sqs, tapped_bus
):
    # Given a fresh deploy: an empty bar store and an opened paper account
    config = load_strategy_config(None)
    broker = PaperBroker(
        function_env["PAPER_BROKER_TABLE_NAME"],
        market_data=S3BarStore(function_env["BAR_STORE_BUCKET"]),
        as_of=date(2026, 11, 16),
        slippage_bps=config.paper_broker.slippage_bps,
    )
    broker.open_account(config.paper_broker.starting_cash)
    provision_task_queues(sqs, "dev")

    # When the 08:00 refresh runs, and then the 09:35 trade
    refresh = {"mode": "refresh_market_data", "scheduled_time": "2026-11-16T13:00:00Z"}
    assert invoke(refresh)["status"] == "refreshed"
    drain(sqs, tapped_bus.tap_url)
    delivered = [from_envelope(e) for e in run_workflow(sqs, tapped_bus)]

    # Then the workflow completes and trades
    assert [e.event_type for e in delivered] == WORKFLOW
    assert broker.get_account().positions


@pytest.mark.parametrize(
    ("secret", "named"),
    [(None, "ResourceNotFoundException"), ('{"api_key_id": "PK1"}', "invalid (api_secret_key)")],
    ids=["missing", "malformed"],
)
def test_a_bad_secret_fails_the_refresh_loudly_naming_it(
    function_env, sqs, tapped_bus, logs, secret, named
):
    secret_id = function_env["ALPACA_SECRET_ID"]
    boto3.client("s3").create_bucket(Bucket=function_env["BAR_STORE_BUCKET"])
    if secret is not None:
        boto3.client("secretsmanager").create_secret(Name=secret_id, SecretString=secret)

    expected = re.escape(f"Alpaca secret '{secret_id}'") + ".*" + re.escape(named)
    with pytest.raises(BrokerCredentialsError, match=expected):
        invoke(SCHEDULED)

    records = logs.records()
    failed = next(r for r in records if r["event"] == "market_data_refresh_failed")
    assert failed["error_type"] == "BrokerCredentialsError"
    assert any(r.get("MarketDataRefreshFailed") == 1 for r in records)  # the alarm's metric
    notices = [from_envelope(e) for e in drain(sqs, tapped_bus.tap_url)]
    assert [n.event_type for n in notices] == ["ErrorNotificationRequested"]


def test_a_symbol_alpaca_does_not_serve_fails_the_refresh_after_the_others_are_written(
    function_env, alpaca, logs
):
    alpaca.drop("TQQQ")

    with pytest.raises(BarRefreshIncompleteError, match="TQQQ: no daily bars before 2026-11-20"):
        invoke(SCHEDULED)

    assert stored(function_env, "SPY").bars[-1].date == THROUGH
    assert stored(function_env, "TQQQ").etag is None
    assert any(r.get("MarketDataRefreshFailed") == 1 for r in logs.records())
