"""The whole domain through the Alpaca adapters: the emulator fed the local stack's bars."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from alchemiser.trading import (
    AlpacaBroker,
    AlpacaMarketData,
    execute_plan,
    generate_signals,
    load_strategy_config,
    plan_rebalance,
)
from alchemiser.trading.alpaca_calendar import AlpacaCalendar
from alchemiser.trading.alpaca_config import AlpacaSecret
from alchemiser.trading.signals import symbol_requirements
from alchemiser_local.alpaca_emulator import AlpacaEmulator
from alchemiser_local.synthetic_bars import synthetic_bars

TRADING_DATE = date(2025, 3, 12)


def test_alpaca_pipeline_trades_the_default_strategies_on_the_emulator():
    # Given the default configuration and Alpaca emulated with a year and a half of the
    # seeded bars for its symbols, on the trading date, holding the starting cash
    config = load_strategy_config()
    symbols = sorted(symbol_requirements(config))
    bars = synthetic_bars(symbols, date(2023, 9, 1), date(2025, 3, 11), seed=42)
    cash = config.paper_broker.starting_cash
    with AlpacaEmulator(bars=bars, today=TRADING_DATE, cash=cash, fill_after_polls=2) as alpaca:
        secret = AlpacaSecret.model_validate(alpaca.secret())
        market = AlpacaMarketData(secret.credentials, base_url=secret.data_base_url)
        broker = AlpacaBroker(secret.credentials, base_url=secret.trading_base_url)
        calendar = AlpacaCalendar(secret.credentials, base_url=secret.trading_base_url)
        # When the workflow's steps run for the trading date
        assert TRADING_DATE in calendar.sessions(TRADING_DATE, TRADING_DATE)
        assert broker.clock().is_open
        signals = generate_signals(config, market, as_of=TRADING_DATE)
        plan = plan_rebalance(
            broker.get_account(),
            prices=signals.prices,
            target_weights=signals.consolidated,
            config=config,
        )
        report = execute_plan(
            plan, broker, event_id="evt-alpaca", dry_run=False, poll_interval_seconds=0.01
        )
    # Then the prices are the seeded closes, and every planned order filled at them
    for symbol, price in signals.prices.items():
        assert price == bars[symbol][-1].close
    assert report.orders_succeeded == len(plan.items) > 0
    assert report.failed_symbols == ()
    for order in report.orders:
        assert order.average_price == signals.prices[order.symbol]
    # And the account holds the consolidated portfolio, the buffer left in cash
    after = report.account_after
    assert after is not None
    assert set(after.positions) == set(signals.consolidated)
    assert Decimal(0) < after.cash < after.equity * Decimal("0.011")
