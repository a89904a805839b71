"""The whole domain on the local stack's data: seeded bars in S3, signals, plan, paper fills."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import boto3

from alchemiser.trading import (
    PaperBroker,
    S3BarStore,
    execute_plan,
    generate_signals,
    is_trading_day,
    load_strategy_config,
    plan_rebalance,
)
from alchemiser.trading.signals import symbol_requirements
from alchemiser_local.synthetic_bars import fill_bar_store

TRADING_DATE = date(2025, 3, 12)


def test_pipeline_trades_the_default_strategies_on_seeded_bars(
    aws_env, uid, dynamodb, paper_broker_table
):
    # Given the default configuration, a year and a half of seeded bars for its symbols
    config = load_strategy_config()
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=f"bars-{uid}")
    store = S3BarStore(f"bars-{uid}", client=s3)
    symbols = sorted(symbol_requirements(config))
    fill_bar_store(store, symbols, start=date(2023, 9, 1), end=date(2025, 3, 11), seed=42)
    # and a freshly opened paper account
    broker = PaperBroker(
        paper_broker_table,
        market_data=store,
        as_of=TRADING_DATE,
        slippage_bps=config.paper_broker.slippage_bps,
        client=dynamodb,
    )
    broker.open_account(config.paper_broker.starting_cash)
    assert is_trading_day(TRADING_DATE)
    # When the workflow's steps run for the trading date
    signals = generate_signals(config, store, as_of=TRADING_DATE)
    plan = plan_rebalance(
        broker.get_account(),
        prices=signals.prices,
        target_weights=signals.consolidated,
        config=config,
    )
    report = execute_plan(plan, broker, event_id="evt-pipeline", dry_run=False)
    # Then every planned order filled and the invested part holds the consolidated portfolio
    assert report.orders_succeeded == len(plan.items) > 0
    assert report.failed_symbols == ()
    after = report.account_after
    assert after is not None
    assert set(after.positions) == set(signals.consolidated)
    invested = 1 - config.planner.cash_buffer_pct
    for symbol, weight in signals.consolidated.items():
        held = after.positions[symbol] * signals.prices[symbol] / after.equity
        assert abs(held - weight * invested) < Decimal("0.001"), symbol
    # And what is left in cash is about the buffer (less slippage)
    assert Decimal(0) < after.cash < after.equity * Decimal("0.011")
