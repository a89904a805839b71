"""Settings from environment variables: the only module that reads ``os.environ``.

Each function composes the mixins it needs; ``get_settings(cls)`` reads them once per
container. Errors name the environment variable, so a bad deploy is obvious in the log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from alchemiser.container import container_cache
from alchemiser.errors import ConfigError, EnvironmentNotAllowedError, LiveTradingRefusedError
from alchemiser.events.base import EnvironmentName

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = [
    "AlpacaDataSettings",
    "BarStoreSettings",
    "BusSettings",
    "CommonSettings",
    "DeployHookSettings",
    "IdempotencySettings",
    "LedgerSettings",
    "MarketDataRefreshSettings",
    "PublisherSettings",
    "RouterSettings",
    "Stage",
    "StrategySettings",
    "TaskQueueSettings",
    "TradingDomainSettings",
    "TradingFunctionSettings",
    "TradingStateSettings",
    "WorkerSettings",
    "check_target_environment",
    "get_settings",
]

Stage = Literal["dev", "staging", "prod"]


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class CommonSettings(_Settings):
    """What every process of the system knows about itself."""

    stage: Stage = Field(alias="STAGE")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")
    log_format: Literal["json", "console"] = Field("json", alias="LOG_FORMAT")
    function_name: str = Field("local", alias="AWS_LAMBDA_FUNCTION_NAME")


class BusSettings(_Settings):
    """Where domain events are published."""

    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)


class IdempotencySettings(_Settings):
    """The exactly-once store (the template's IdempotencyTable)."""

    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    #: How long a completed record answers duplicates (Scheduler and EventBridge retry
    #: for at most 24 h, so a day covers every redelivery).
    idempotency_expiry_seconds: int = Field(86_400, alias="IDEMPOTENCY_EXPIRY_SECONDS", ge=60)
    #: The longest an unfinished claim blocks a retry (None: the invocation's remaining
    #: time alone bounds it). At least the function's timeout, under Lambda's first retry
    #: delay: see ``alchemiser.idempotency`` and template.yaml.
    idempotency_in_progress_expiry_seconds: float | None = Field(
        None, alias="IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS", gt=0, le=900
    )


class PublisherSettings(CommonSettings, BusSettings, IdempotencySettings):
    """A function that publishes events and error notices, once per unit of work."""


class TaskQueueSettings(_Settings):
    """Which environments' Dramatiq queues this process may send to."""

    allowed_target_environments: Annotated[
        tuple[EnvironmentName, ...], BeforeValidator(_split_csv)
    ] = Field(alias="ALLOWED_TARGET_ENVIRONMENTS", min_length=1)


def check_target_environment(target_env: str, allowed: Collection[str]) -> str:
    """``target_env`` if it is one of ``allowed``: the one check, wherever it is made.

    Raises:
        EnvironmentNotAllowedError: naming the field ``environment``.
    """
    if target_env not in allowed:
        raise EnvironmentNotAllowedError(
            f"{target_env!r} is not an allowed target environment {sorted(allowed)}",
            field="environment",
            kind="environment_not_allowed",
        )
    return target_env


class LedgerSettings(_Settings):
    """The trade ledger and equity history written by the Dramatiq tasks."""

    ledger_table_name: str = Field(alias="LEDGER_TABLE_NAME", min_length=1)


class BarStoreSettings(_Settings):
    """The S3 bar store (the template's BarStoreBucket)."""

    bar_store_bucket: str = Field(alias="BAR_STORE_BUCKET", min_length=1)


class StrategySettings(_Settings):
    """The strategy configuration file (default: the one shipped in the layer)."""

    strategy_config_path: Path | None = Field(None, alias="STRATEGY_CONFIG_PATH")


class AlpacaDataSettings(_Settings):
    """Which Alpaca market data feed daily bars come from."""

    #: ``iex`` works on a free Alpaca account; ``sip`` (every US exchange) needs a paid plan.
    alpaca_data_feed: Literal["iex", "sip"] = Field("iex", alias="ALPACA_DATA_FEED")


class TradingDomainSettings(BarStoreSettings, StrategySettings, AlpacaDataSettings):
    """Market data, strategies and the trading broker."""

    broker_backend: Literal["paper", "alpaca"] = Field("paper", alias="BROKER_BACKEND")
    market_data_backend: Literal["s3", "alpaca"] = Field("s3", alias="MARKET_DATA_BACKEND")
    paper_broker_table_name: str = Field(alias="PAPER_BROKER_TABLE_NAME", min_length=1)
    alpaca_secret_id: str | None = Field(None, alias="ALPACA_SECRET_ID")

    @model_validator(mode="after")
    def _alpaca_needs_a_secret(self) -> TradingDomainSettings:
        uses_alpaca = "alpaca" in (self.broker_backend, self.market_data_backend)
        if uses_alpaca and not self.alpaca_secret_id:
            raise ValueError("ALPACA_SECRET_ID is required when an Alpaca backend is selected")
        return self


class TradingStateSettings(_Settings):
    """The accounts' durable trading state (the template's TradingStateTable).

    Peak equity and the drawdown kill switch must survive containers and days.
    """

    trading_state_table_name: str = Field(alias="TRADING_STATE_TABLE_NAME", min_length=1)


class LiveTradingSettings(CommonSettings):
    """Live trading is off unless the stage is prod and it is switched on explicitly."""

    live_trading_enabled: bool = Field(False, alias="LIVE_TRADING_ENABLED")

    @property
    def live_trading_allowed(self) -> bool:
        """The live-trading gate: prod, with LIVE_TRADING_ENABLED=true."""
        return self.stage == "prod" and self.live_trading_enabled

    def check_trading_mode(self, trading_mode: str, *, field: str) -> None:
        """Refuse ``live`` unless the gate is open: the one check, wherever it is made.

        Raises:
            LiveTradingRefusedError: naming ``field``.
        """
        if trading_mode == "live" and not self.live_trading_allowed:
            raise LiveTradingRefusedError(
                "live trading needs Stage prod with LIVE_TRADING_ENABLED=true",
                field=field,
                kind="live_trading_refused",
            )


class MarketDataRefreshSettings(BarStoreSettings, StrategySettings, AlpacaDataSettings):
    """The market data refresh: the bar store it keeps current from Alpaca market data.

    The secret is required, whatever the backends: a deployed stack gets its bars from
    Alpaca even when it trades with the paper broker on the S3 bar store.
    """

    alpaca_secret_id: str = Field(alias="ALPACA_SECRET_ID", min_length=1)


class TradingFunctionSettings(
    LiveTradingSettings, PublisherSettings, TaskQueueSettings, MarketDataRefreshSettings
):
    """TradingSystemFunction: starts workflows, sends PnL tasks, refreshes market data."""


class RouterSettings(
    LiveTradingSettings,
    PublisherSettings,
    TaskQueueSettings,
    TradingDomainSettings,
    TradingStateSettings,
):
    """EventRoutingFunction: runs the workflow steps and sends ledger tasks."""


class DeployHookSettings(CommonSettings):
    """The pre-traffic hook: which new function versions it must see healthy."""

    #: The versions CodeDeploy is about to shift the ``live`` aliases to (ARNs).
    health_targets: Annotated[tuple[str, ...], BeforeValidator(_split_csv)] = Field(
        alias="HEALTH_TARGETS", min_length=1, max_length=10
    )


class WorkerSettings(CommonSettings, TaskQueueSettings, LedgerSettings):
    """The Dramatiq worker that runs the PnL and trade-ledger tasks.

    The tasks need no market data or trading broker: nothing of ``TradingDomainSettings``.
    """

    #: Whose queues (``alchemiser-<env>_<queue>``) this worker consumes: the stage's own
    #: unless an operator points it elsewhere; it must still be an allowed target.
    target_environment: EnvironmentName = Field(alias="TARGET_ENVIRONMENT")

    @model_validator(mode="before")
    @classmethod
    def _target_defaults_to_stage(cls, data: object) -> object:
        if isinstance(data, dict) and not (
            data.get("TARGET_ENVIRONMENT") or data.get("target_environment")
        ):
            stage = data.get("STAGE", data.get("stage"))
            if stage:
                return {**data, "TARGET_ENVIRONMENT": stage}
        return data


@container_cache
def get_settings[SettingsT: _Settings](cls: type[SettingsT]) -> SettingsT:
    """Read ``cls`` from the environment once per container.

    Raises:
        ConfigError: naming each missing or invalid environment variable.
    """
    try:
        return cls.model_validate(dict(os.environ))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        )
        raise ConfigError(f"{cls.__name__} from environment: {problems}") from exc
