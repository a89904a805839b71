"""The router's collaborators, built once per container and only when first needed."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from alchemiser.container import container_cache

if TYPE_CHECKING:
    from datetime import date

    from alchemiser.config import RouterSettings
    from alchemiser.events import TradeExecuted, TradingMode
    from alchemiser.trading import MarketData, StrategyConfig, TradingBroker
    from alchemiser.trading.market_calendar import MarketCalendar
    from alchemiser.trading.trading_state import TradingStateTable

__all__ = ["ContainerServices", "container_services"]


class ContainerServices:
    """Market data, strategy configuration, brokers, trading state and the ledger sender."""

    def __init__(self, settings: RouterSettings) -> None:
        self.settings = settings

    @cached_property
    def strategy_config(self) -> StrategyConfig:
        """Loaded on first use, then kept for the container's life."""
        from alchemiser.trading import load_strategy_config  # noqa: PLC0415

        return load_strategy_config(self.settings.strategy_config_path)

    @cached_property
    def market_data(self) -> MarketData:
        """The configured market data adapter (S3 bar store or Alpaca)."""
        from alchemiser.trading import build_market_data  # noqa: PLC0415

        return build_market_data(self.settings)

    @cached_property
    def calendar(self) -> MarketCalendar:
        """The NYSE calendar (Alpaca's when Alpaca is configured, else the library's)."""
        from alchemiser.trading.factory import build_calendar  # noqa: PLC0415

        return build_calendar(self.settings)

    def check_trading_mode(self, trading_mode: TradingMode, *, field: str) -> None:
        """The deployment's live-trading gate (see ``LiveTradingSettings``)."""
        self.settings.check_trading_mode(trading_mode, field=field)

    def trading_broker(self, *, as_of: date, trading_mode: TradingMode) -> TradingBroker:
        """The configured broker for one trading date."""
        from alchemiser.trading import build_trading_broker  # noqa: PLC0415

        return build_trading_broker(
            self.settings,
            market_data=self.market_data,
            paper_broker=self.strategy_config.paper_broker,
            as_of=as_of,
            trading_mode=trading_mode,
        )

    @cached_property
    def trading_state(self) -> TradingStateTable:
        """The TradingStateTable (peak equity, kill switch, daily turnover)."""
        from alchemiser.trading.trading_state import TradingStateTable  # noqa: PLC0415

        return TradingStateTable(self.settings.trading_state_table_name)

    def trading_account(self, trading_mode: TradingMode) -> str:
        """Whose trading state a workflow in ``trading_mode`` reads and writes."""
        from alchemiser.trading.trading_state import account_key  # noqa: PLC0415

        return account_key(self.settings.broker_backend, trading_mode)

    def record_trades(self, event: TradeExecuted) -> str:
        """Queue the trade-ledger task on the workflow's target environment."""
        from alchemiser.actors import enqueue  # noqa: PLC0415 - dramatiq

        return enqueue(
            event,
            environment=event.configuration.environment,
            allowed=self.settings.allowed_target_environments,
        )


@container_cache
def container_services(settings: RouterSettings) -> ContainerServices:
    """One set of services per container (settings are read once, so this is one set)."""
    return ContainerServices(settings)
