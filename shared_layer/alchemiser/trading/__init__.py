"""The trading domain: market data, strategies, rebalance planning, execution, brokers.

Pure Python with Decimal money, no AWS at import. Names are loaded on first access
(PEP 562), so a handler that only plans never pays for the Alpaca HTTP client or the
paper broker, and ``import alchemiser.trading`` costs next to nothing on a cold start.
Collaborators (market data, trading broker) arrive as parameters typed by the
``MarketData`` and ``TradingBroker`` protocols; ``factory`` builds the configured ones.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alchemiser.trading.alpaca_broker import AlpacaBroker
    from alchemiser.trading.alpaca_market_data import AlpacaMarketData
    from alchemiser.trading.bar_store import S3BarStore
    from alchemiser.trading.bars import Bar, MarketData
    from alchemiser.trading.execution import (
        ExecutionReport,
        TradingBroker,
        client_order_id,
        execute_plan,
    )
    from alchemiser.trading.factory import build_market_data, build_trading_broker
    from alchemiser.trading.market_calendar import (
        is_trading_day,
        previous_trading_day,
        trading_days,
    )
    from alchemiser.trading.paper_broker import PaperBroker
    from alchemiser.trading.planner import plan_rebalance
    from alchemiser.trading.signals import SignalSet, generate_signals
    from alchemiser.trading.strategy_config import StrategyConfig, load_strategy_config

__all__ = [
    "AlpacaBroker",
    "AlpacaMarketData",
    "Bar",
    "ExecutionReport",
    "MarketData",
    "PaperBroker",
    "S3BarStore",
    "SignalSet",
    "StrategyConfig",
    "TradingBroker",
    "build_market_data",
    "build_trading_broker",
    "client_order_id",
    "execute_plan",
    "generate_signals",
    "is_trading_day",
    "load_strategy_config",
    "plan_rebalance",
    "previous_trading_day",
    "trading_days",
]

#: Where each public name lives (module under ``alchemiser.trading``).
_HOMES = {
    "AlpacaBroker": "alpaca_broker",
    "AlpacaMarketData": "alpaca_market_data",
    "Bar": "bars",
    "ExecutionReport": "execution",
    "MarketData": "bars",
    "PaperBroker": "paper_broker",
    "S3BarStore": "bar_store",
    "SignalSet": "signals",
    "StrategyConfig": "strategy_config",
    "TradingBroker": "execution",
    "build_market_data": "factory",
    "build_trading_broker": "factory",
    "client_order_id": "execution",
    "execute_plan": "execution",
    "generate_signals": "signals",
    "is_trading_day": "market_calendar",
    "load_strategy_config": "strategy_config",
    "plan_rebalance": "planner",
    "previous_trading_day": "market_calendar",
    "trading_days": "market_calendar",
}


def __getattr__(name: str) -> Any:  # noqa: ANN401 - any public name of the package
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
