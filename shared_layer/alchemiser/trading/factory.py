"""Build the configured market data source and trading broker (cached per container).

The Alpaca keys are a Secrets Manager secret read at run time by id
(``ALPACA_SECRET_ID``): ``{"api_key_id": …, "api_secret_key": …}``, optionally with
``trading_base_url`` (default: the paper endpoint) and ``data_base_url``. The keys and
the endpoint live together because Alpaca's paper and live keys differ: a live key
pair is only usable with the live URL. Keys are never logged, and errors about the
secret name fields, never values.

Safety: ``trading_mode="live"`` is refused unless the broker is Alpaca on the live
endpoint, and ``"paper"`` is refused on the live endpoint. Whether live trading is
allowed at all (stage, ``LIVE_TRADING_ENABLED``) is the caller's decision.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from alchemiser.aws import secretsmanager_client, translate_aws_errors
from alchemiser.container import container_cache
from alchemiser.errors import BrokerApiError, BrokerCredentialsError, LiveTradingRefusedError
from alchemiser.trading.alpaca_config import AlpacaSecret

if TYPE_CHECKING:
    from datetime import date

    from alchemiser.config import (
        BarStoreSettings,
        MarketDataRefreshSettings,
        TradingDomainSettings,
    )
    from alchemiser.trading.alpaca_broker import AlpacaBroker
    from alchemiser.trading.alpaca_calendar import AlpacaCalendar
    from alchemiser.trading.alpaca_market_data import AlpacaMarketData
    from alchemiser.trading.bar_store import S3BarStore
    from alchemiser.trading.bars import MarketData
    from alchemiser.trading.execution import TradingBroker
    from alchemiser.trading.market_calendar import MarketCalendar
    from alchemiser.trading.strategy_config import PaperBrokerConfig

__all__ = [
    "build_bar_source",
    "build_bar_store",
    "build_calendar",
    "build_market_data",
    "build_trading_broker",
]


@container_cache
def _alpaca_secret(secret_id: str) -> AlpacaSecret:
    try:
        with translate_aws_errors(
            f"Alpaca secret {secret_id!r}", transient=BrokerApiError, config=BrokerCredentialsError
        ):
            raw = secretsmanager_client().get_secret_value(SecretId=secret_id)["SecretString"]
    except KeyError as exc:
        raise BrokerCredentialsError(f"Alpaca secret {secret_id!r} has no SecretString") from exc
    try:
        return AlpacaSecret.model_validate(json.loads(raw))
    except ValueError as exc:  # ValidationError is a ValueError; neither message shows values
        fields = (
            ", ".join(".".join(map(str, e["loc"])) or "secret" for e in exc.errors())
            if isinstance(exc, ValidationError)
            else "not JSON"
        )
        raise BrokerCredentialsError(f"Alpaca secret {secret_id!r}: invalid ({fields})") from None


@container_cache
def _bar_store(bucket: str) -> S3BarStore:
    from alchemiser.trading.bar_store import S3BarStore  # noqa: PLC0415 - only when chosen

    return S3BarStore(bucket)


@container_cache
def _alpaca_market_data(secret_id: str, feed: Literal["iex", "sip"]) -> AlpacaMarketData:
    from alchemiser.trading.alpaca_market_data import AlpacaMarketData  # noqa: PLC0415

    secret = _alpaca_secret(secret_id)
    return AlpacaMarketData(secret.credentials, base_url=secret.data_base_url, feed=feed)


@container_cache
def _alpaca_broker(secret_id: str) -> AlpacaBroker:
    from alchemiser.trading.alpaca_broker import AlpacaBroker  # noqa: PLC0415

    secret = _alpaca_secret(secret_id)
    return AlpacaBroker(secret.credentials, base_url=secret.trading_base_url)


@container_cache
def _alpaca_calendar(secret_id: str) -> AlpacaCalendar:
    from alchemiser.trading.alpaca_calendar import AlpacaCalendar  # noqa: PLC0415

    secret = _alpaca_secret(secret_id)
    return AlpacaCalendar(secret.credentials, base_url=secret.trading_base_url)


def _secret_id(settings: TradingDomainSettings) -> str:
    if not settings.alpaca_secret_id:  # the settings validator already requires it
        raise BrokerCredentialsError("ALPACA_SECRET_ID is not set")
    return settings.alpaca_secret_id


def build_market_data(settings: TradingDomainSettings) -> MarketData:
    """The configured ``MarketData`` (S3 bar store or Alpaca), one per container.

    Raises:
        BrokerCredentialsError: the Alpaca secret is missing or malformed.
    """
    if settings.market_data_backend == "alpaca":
        return _alpaca_market_data(_secret_id(settings), settings.alpaca_data_feed)
    return _bar_store(settings.bar_store_bucket)


def build_calendar(settings: TradingDomainSettings) -> MarketCalendar:
    """The NYSE calendar the workflow trusts: Alpaca's when Alpaca is configured.

    Alpaca's calendar knows a closure the day it is announced; it is asked once per
    container and New York day. Otherwise the library calendar (``market_calendar``).

    Raises:
        BrokerCredentialsError: the Alpaca secret is missing or malformed.
    """
    from alchemiser.trading import market_calendar  # noqa: PLC0415

    if "alpaca" not in (settings.broker_backend, settings.market_data_backend):
        return market_calendar.library_calendar()
    return market_calendar.daily_calendar(_alpaca_calendar(_secret_id(settings)))


def build_bar_store(settings: BarStoreSettings) -> S3BarStore:
    """The container's S3 bar store: one instance, so what it writes is what it reads."""
    return _bar_store(settings.bar_store_bucket)


def build_bar_source(settings: MarketDataRefreshSettings) -> AlpacaMarketData:
    """Alpaca market data on the configured feed: where the bar refresh fetches from.

    Raises:
        BrokerCredentialsError: the Alpaca secret is missing or malformed (named).
    """
    return _alpaca_market_data(settings.alpaca_secret_id, settings.alpaca_data_feed)


def build_trading_broker(
    settings: TradingDomainSettings,
    *,
    market_data: MarketData,
    paper_broker: PaperBrokerConfig,
    as_of: date,
    trading_mode: Literal["paper", "live"],
) -> TradingBroker:
    """The configured ``TradingBroker`` for one trading date.

    Raises:
        LiveTradingRefusedError: ``trading_mode`` does not match the broker's endpoint
            (live needs Alpaca's live endpoint; paper must never reach it).
        BrokerCredentialsError: the Alpaca secret is missing or malformed.
    """
    if settings.broker_backend == "paper":
        if trading_mode == "live":
            raise LiveTradingRefusedError(
                "the paper broker cannot trade live; live needs BROKER_BACKEND=alpaca with the"
                " live endpoint in the Alpaca secret",
                field="trading_mode",
            )
        from alchemiser.trading.paper_broker import PaperBroker  # noqa: PLC0415

        return PaperBroker(
            settings.paper_broker_table_name,
            market_data=market_data,
            as_of=as_of,
            slippage_bps=paper_broker.slippage_bps,
            starting_cash=paper_broker.starting_cash,  # opens the account on first use
        )
    broker = _alpaca_broker(_secret_id(settings))
    if trading_mode == "live" and not broker.is_live:
        raise LiveTradingRefusedError(
            f"trading_mode is live but the Alpaca endpoint is {broker.base_url}",
            field="trading_mode",
        )
    if trading_mode == "paper" and broker.is_live:
        raise LiveTradingRefusedError(
            "trading_mode is paper but the Alpaca secret points at the live endpoint",
            field="trading_mode",
        )
    return broker
