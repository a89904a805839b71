"""Settings from environment variables: the only module that reads ``os.environ``.

Each function composes the mixins it needs; ``get_settings(cls)`` reads them once per
container. Errors name the environment variable, so a bad deploy is obvious in the log.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from alchemiser.errors import ConfigError

__all__ = [
    "BusSettings",
    "CommonSettings",
    "IdempotencySettings",
    "LedgerSettings",
    "RouterSettings",
    "Stage",
    "TaskQueueSettings",
    "TradingDomainSettings",
    "TradingFunctionSettings",
    "WorkerSettings",
    "get_settings",
]

Stage = Literal["dev", "staging", "prod"]
EnvName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


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
    region: str = Field("us-east-1", alias="AWS_REGION")


class BusSettings(_Settings):
    """Where domain events are published."""

    event_bus_name: str = Field(alias="EVENT_BUS_NAME", min_length=1)


class IdempotencySettings(_Settings):
    """The exactly-once store (the template's IdempotencyTable)."""

    idempotency_table_name: str = Field(alias="IDEMPOTENCY_TABLE_NAME", min_length=1)
    #: How long a completed record answers duplicates (Scheduler and EventBridge retry
    #: for at most 24 h, so a day covers every redelivery).
    idempotency_expiry_seconds: int = Field(86_400, alias="IDEMPOTENCY_EXPIRY_SECONDS", ge=60)


class TaskQueueSettings(_Settings):
    """Which environments' Dramatiq queues this process may send to."""

    allowed_target_environments: Annotated[tuple[EnvName, ...], BeforeValidator(_split_csv)] = (
        Field(alias="ALLOWED_TARGET_ENVIRONMENTS", min_length=1)
    )


class LedgerSettings(_Settings):
    """The trade ledger and equity history written by the Dramatiq tasks."""

    ledger_table_name: str = Field(alias="LEDGER_TABLE_NAME", min_length=1)


class TradingDomainSettings(_Settings):
    """Market data, strategies and the trading broker."""

    broker_backend: Literal["paper", "alpaca"] = Field("paper", alias="BROKER_BACKEND")
    market_data_backend: Literal["s3", "alpaca"] = Field("s3", alias="MARKET_DATA_BACKEND")
    paper_broker_table_name: str = Field(alias="PAPER_BROKER_TABLE_NAME", min_length=1)
    bar_store_bucket: str = Field(alias="BAR_STORE_BUCKET", min_length=1)
    strategy_config_path: Path | None = Field(None, alias="STRATEGY_CONFIG_PATH")
    alpaca_secret_id: str | None = Field(None, alias="ALPACA_SECRET_ID")

    @model_validator(mode="after")
    def _alpaca_needs_a_secret(self) -> TradingDomainSettings:
        uses_alpaca = "alpaca" in (self.broker_backend, self.market_data_backend)
        if uses_alpaca and not self.alpaca_secret_id:
            raise ValueError("ALPACA_SECRET_ID is required when an Alpaca backend is selected")
        return self


class LiveTradingSettings(_Settings):
    """Live trading is off unless the stage is prod and it is switched on explicitly."""

    live_trading_enabled: bool = Field(False, alias="LIVE_TRADING_ENABLED")


class TradingFunctionSettings(
    CommonSettings, BusSettings, IdempotencySettings, TaskQueueSettings, LiveTradingSettings
):
    """TradingSystemFunction: starts workflows and sends PnL tasks."""


class RouterSettings(
    CommonSettings,
    BusSettings,
    IdempotencySettings,
    TaskQueueSettings,
    TradingDomainSettings,
    LiveTradingSettings,
):
    """EventRoutingFunction: runs the workflow steps and sends ledger tasks."""


class WorkerSettings(CommonSettings, TaskQueueSettings, LedgerSettings):
    """The Dramatiq worker that runs the PnL and trade-ledger tasks.

    The tasks need no market data or trading broker: nothing of ``TradingDomainSettings``.
    """

    #: Whose queues (``alchemiser-<env>_<queue>``) this worker consumes: the stage's own
    #: unless an operator points it elsewhere; it must still be an allowed target.
    target_environment: EnvName = Field(alias="TARGET_ENVIRONMENT")

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


@cache
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
