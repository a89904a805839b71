"""Settings come from the environment once per container; errors name the variable."""

from __future__ import annotations

import pytest

from alchemiser.config import RouterSettings, TradingFunctionSettings, get_settings
from alchemiser.errors import ConfigError

TRADING_ENV = {
    "STAGE": "dev",
    "EVENT_BUS_NAME": "alchemiser-events-dev",
    "IDEMPOTENCY_TABLE_NAME": "alchemiser-idempotency-dev",
    "ALLOWED_TARGET_ENVIRONMENTS": "dev, staging",
    "BAR_STORE_BUCKET": "alchemiser-bars-dev-123456789012",
    "ALPACA_SECRET_ID": "alchemiser/dev/alpaca",
}


@pytest.fixture
def trading_env(monkeypatch):
    for key, value in TRADING_ENV.items():
        monkeypatch.setenv(key, value)


def test_trading_settings_read_the_template_variables(trading_env):
    settings = get_settings(TradingFunctionSettings)
    assert settings.stage == "dev"
    assert settings.allowed_target_environments == ("dev", "staging")
    assert settings.live_trading_enabled is False
    assert settings.idempotency_expiry_seconds == 86_400


def test_settings_are_read_once_per_container(trading_env, monkeypatch):
    first = get_settings(TradingFunctionSettings)
    monkeypatch.setenv("STAGE", "prod")
    assert get_settings(TradingFunctionSettings) is first


def test_missing_variables_are_named(monkeypatch, trading_env):
    monkeypatch.delenv("EVENT_BUS_NAME")
    with pytest.raises(ConfigError, match="EVENT_BUS_NAME"):
        get_settings(TradingFunctionSettings)


def test_invalid_stage_is_named(monkeypatch, trading_env):
    monkeypatch.setenv("STAGE", "qa")
    with pytest.raises(ConfigError, match="STAGE"):
        get_settings(TradingFunctionSettings)


def test_router_with_alpaca_backend_needs_the_secret_id(monkeypatch, trading_env):
    monkeypatch.setenv("TRADING_STATE_TABLE_NAME", "s")
    monkeypatch.setenv("PAPER_BROKER_TABLE_NAME", "t")
    monkeypatch.setenv("BAR_STORE_BUCKET", "b")
    monkeypatch.setenv("BROKER_BACKEND", "alpaca")
    monkeypatch.delenv("ALPACA_SECRET_ID")
    with pytest.raises(ConfigError, match="ALPACA_SECRET_ID"):
        get_settings(RouterSettings)


def test_router_needs_the_trading_state_table(monkeypatch, trading_env):
    monkeypatch.setenv("PAPER_BROKER_TABLE_NAME", "t")
    monkeypatch.setenv("BAR_STORE_BUCKET", "b")
    with pytest.raises(ConfigError, match="TRADING_STATE_TABLE_NAME"):
        get_settings(RouterSettings)
    monkeypatch.setenv("TRADING_STATE_TABLE_NAME", "alchemiser-trading-state-dev")
    assert get_settings(RouterSettings).trading_state_table_name == "alchemiser-trading-state-dev"


def test_trading_settings_need_the_alpaca_secret_even_with_the_paper_broker(
    monkeypatch, trading_env
):
    # Given the default deploy (paper broker, S3 bar store) without the secret's id
    monkeypatch.delenv("ALPACA_SECRET_ID")
    # Then the function's settings name it: the market data refresh reads Alpaca
    with pytest.raises(ConfigError, match="ALPACA_SECRET_ID"):
        get_settings(TradingFunctionSettings)


def test_alpaca_data_feed_is_iex_unless_sip_is_chosen(monkeypatch, trading_env):
    assert get_settings(TradingFunctionSettings).alpaca_data_feed == "iex"
    get_settings.cache_clear()
    monkeypatch.setenv("ALPACA_DATA_FEED", "sip")
    assert get_settings(TradingFunctionSettings).alpaca_data_feed == "sip"
    get_settings.cache_clear()
    monkeypatch.setenv("ALPACA_DATA_FEED", "otc")
    with pytest.raises(ConfigError, match="ALPACA_DATA_FEED"):
        get_settings(TradingFunctionSettings)
