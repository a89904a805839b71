"""Which bars a trading date may use, and the errors for missing or stale data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from alchemiser.errors import MissingMarketDataError, StaleMarketDataError
from alchemiser.trading import Bar
from alchemiser.trading.bars import select_window
from tests.unit.trading.support import bars_from_closes, linear


def _bar(day: date, close: str = "10") -> Bar:
    price = Decimal(close)
    return Bar(date=day, open=price, high=price, low=price, close=price, volume=Decimal(1))


def test_select_window_returns_the_last_bars_before_the_trading_date_oldest_first():
    # Given bars up to and including the trading date itself
    bars = [_bar(date(2025, 3, d), str(d)) for d in (10, 11, 12, 7)]
    # When the window for 2025-03-12 is selected
    window = select_window("SPY", bars, 2, as_of=date(2025, 3, 12))
    # Then the trading date's own bar is excluded and the order is chronological
    assert [bar.date for bar in window] == [date(2025, 3, 10), date(2025, 3, 11)]


def test_select_window_stale_data_names_symbol_latest_and_expected_dates():
    # Given bars that stop on Friday 2025-03-07
    bars = [_bar(date(2025, 3, 6)), _bar(date(2025, 3, 7))]
    # When Wednesday 2025-03-12 needs Tuesday's bar / Then the error says so
    with pytest.raises(StaleMarketDataError) as caught:
        select_window("SPY", bars, 1, as_of=date(2025, 3, 12))
    assert str(caught.value) == (
        "SPY: latest daily bar is 2025-03-07, expected 2025-03-11"
        " (the trading day before 2025-03-12)"
    )


def test_select_window_friday_bar_is_fresh_on_monday():
    bars = [_bar(date(2025, 3, 7))]
    assert select_window("SPY", bars, 1, as_of=date(2025, 3, 10))[0].date == date(2025, 3, 7)


def test_select_window_no_bars_is_missing_data_naming_symbol_and_date():
    with pytest.raises(MissingMarketDataError, match=r"^QQQ: no daily bars before 2025-03-12$"):
        select_window("QQQ", [], 1, as_of=date(2025, 3, 12))


def test_select_window_too_few_bars_is_missing_data():
    bars = bars_from_closes(linear(5))
    with pytest.raises(MissingMarketDataError, match=r"QQQ: 5 daily bars before 2025-03-12, 6"):
        select_window("QQQ", bars, 6, as_of=date(2025, 3, 12))


def test_bar_refuses_non_positive_prices():
    with pytest.raises(ValueError, match="close"):
        Bar(
            date=date(2025, 1, 2),
            open=Decimal(1),
            high=Decimal(1),
            low=Decimal(1),
            close=Decimal(0),
            volume=Decimal(0),
        )
