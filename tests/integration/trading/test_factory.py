"""The factory: configured adapters, Alpaca keys from Secrets Manager, the live-trading guard."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import boto3
import pytest

from alchemiser.config import TradingDomainSettings
from alchemiser.errors import BrokerCredentialsError, ConfigError, LiveTradingRefusedError
from alchemiser.trading import (
    AlpacaBroker,
    AlpacaMarketData,
    PaperBroker,
    S3BarStore,
    build_market_data,
    build_trading_broker,
    load_strategy_config,
)
from alchemiser.trading.alpaca_config import LIVE_TRADING_URL
from alchemiser.trading.factory import build_calendar
from alchemiser.trading.market_calendar import library_calendar
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY
from tests.unit.trading.support import InMemoryMarketData

AS_OF = date(2025, 3, 12)
MARKET = InMemoryMarketData({})
#: The shipped strategy configuration's paper broker (5 bps slippage).
PAPER = load_strategy_config().paper_broker


@pytest.fixture
def secrets(aws_env):
    return boto3.client("secretsmanager", region_name="us-east-1")


def _settings(**env: str) -> TradingDomainSettings:
    return TradingDomainSettings.model_validate(
        {"PAPER_BROKER_TABLE_NAME": "paper-table", "BAR_STORE_BUCKET": "bars-bucket", **env}
    )


def _secret(secrets, uid: str, **fields: str) -> str:
    name = f"alchemiser/test-{uid}/alpaca"
    body = {"api_key_id": KEY_ID, "api_secret_key": SECRET_KEY, **fields}
    secrets.create_secret(Name=name, SecretString=json.dumps(body))
    return name


def test_factory_defaults_to_the_s3_bar_store_and_the_paper_broker():
    settings = _settings()
    market = build_market_data(settings)
    assert isinstance(market, S3BarStore)
    assert market.bucket == "bars-bucket"
    assert build_market_data(settings) is market  # one per container
    broker = build_trading_broker(
        settings, paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="paper"
    )
    assert isinstance(broker, PaperBroker)
    assert (broker.table_name, broker.as_of, broker.slippage) == (
        "paper-table",
        AS_OF,
        Decimal("0.0005"),
    )
    # And it opens the account on first use with the configured starting cash
    assert broker.starting_cash == PAPER.starting_cash == Decimal(100_000)


def test_factory_refuses_live_trading_on_the_paper_broker():
    with pytest.raises(LiveTradingRefusedError, match="paper broker cannot trade live") as caught:
        build_trading_broker(
            _settings(), paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="live"
        )
    assert caught.value.field == "trading_mode"


def test_factory_builds_alpaca_adapters_from_the_secret(secrets, uid, alpaca_url):
    # Given a secret pointing both APIs at the fake Alpaca
    name = _secret(secrets, uid, trading_base_url=alpaca_url, data_base_url=alpaca_url)
    settings = _settings(
        BROKER_BACKEND="alpaca", MARKET_DATA_BACKEND="alpaca", ALPACA_SECRET_ID=name
    )
    # When both adapters are built
    market = build_market_data(settings)
    broker = build_trading_broker(
        settings, paper_broker=PAPER, market_data=market, as_of=AS_OF, trading_mode="paper"
    )
    # Then they are Alpaca's, and the keys from the secret work against the server
    assert isinstance(market, AlpacaMarketData)
    assert isinstance(broker, AlpacaBroker)
    assert broker.get_account().cash == Decimal("2500.5")


def test_factory_refuses_live_trading_on_a_paper_endpoint(secrets, uid):
    name = _secret(secrets, uid)  # default endpoint: paper
    settings = _settings(BROKER_BACKEND="alpaca", ALPACA_SECRET_ID=name)
    with pytest.raises(LiveTradingRefusedError, match=r"paper-api\.alpaca\.markets"):
        build_trading_broker(
            settings, paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="live"
        )


def test_factory_refuses_paper_mode_on_the_live_endpoint(secrets, uid):
    name = _secret(secrets, uid, trading_base_url=LIVE_TRADING_URL)
    settings = _settings(BROKER_BACKEND="alpaca", ALPACA_SECRET_ID=name)
    with pytest.raises(LiveTradingRefusedError, match="live endpoint"):
        build_trading_broker(
            settings, paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="paper"
        )
    live = build_trading_broker(
        settings, paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="live"
    )
    assert isinstance(live, AlpacaBroker)
    assert live.is_live


def test_factory_missing_secret_is_a_credentials_error(uid):
    settings = _settings(BROKER_BACKEND="alpaca", ALPACA_SECRET_ID=f"absent-{uid}")
    with pytest.raises(BrokerCredentialsError, match="ResourceNotFoundException") as caught:
        build_trading_broker(
            settings, paper_broker=PAPER, market_data=MARKET, as_of=AS_OF, trading_mode="paper"
        )
    assert isinstance(caught.value, ConfigError)


def test_factory_malformed_secret_names_fields_never_values(secrets, uid):
    name = f"alchemiser/bad-{uid}/alpaca"
    secrets.create_secret(
        Name=name, SecretString=json.dumps({"api_key_id": SECRET_KEY, "api_secret": SECRET_KEY})
    )
    settings = _settings(MARKET_DATA_BACKEND="alpaca", ALPACA_SECRET_ID=name)
    with pytest.raises(BrokerCredentialsError) as caught:
        build_market_data(settings)
    message = str(caught.value)
    assert "api_secret_key" in message
    assert "api_secret" in message
    assert SECRET_KEY not in message
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__


def test_factory_calendar_is_alpacas_when_alpaca_is_configured(secrets, uid, alpaca_url):
    # Given the broker is Alpaca (its secret points at the emulator)
    name = _secret(secrets, uid, trading_base_url=alpaca_url, data_base_url=alpaca_url)
    settings = _settings(BROKER_BACKEND="alpaca", ALPACA_SECRET_ID=name)
    # When the workflow's calendar is built, Then it is asked of Alpaca, once per container
    calendar = build_calendar(settings)
    assert calendar is build_calendar(settings)
    assert not calendar.is_trading_day(date(2025, 1, 9))  # the national day of mourning
    assert calendar.is_trading_day(date(2025, 1, 10))


def test_factory_calendar_is_the_librarys_without_alpaca():
    assert build_calendar(_settings()) is library_calendar()
