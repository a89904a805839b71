"""The NYSE calendar against dates the exchange published for 2021-2028."""

from __future__ import annotations

from datetime import date

import pytest

from alchemiser.trading import is_trading_day, previous_trading_day, trading_days
from alchemiser.trading.market_calendar import nyse_holidays

# Full-day closures published by the NYSE (rule-based ones only: the 2025-01-09 national
# day of mourning is announced, not computed).
PUBLISHED_HOLIDAYS = {
    2024: [
        date(2024, 1, 1),
        date(2024, 1, 15),
        date(2024, 2, 19),
        date(2024, 3, 29),
        date(2024, 5, 27),
        date(2024, 6, 19),
        date(2024, 7, 4),
        date(2024, 9, 2),
        date(2024, 11, 28),
        date(2024, 12, 25),
    ],
    2025: [
        date(2025, 1, 1),
        date(2025, 1, 20),
        date(2025, 2, 17),
        date(2025, 4, 18),
        date(2025, 5, 26),
        date(2025, 6, 19),
        date(2025, 7, 4),
        date(2025, 9, 1),
        date(2025, 11, 27),
        date(2025, 12, 25),
    ],
    2026: [
        date(2026, 1, 1),
        date(2026, 1, 19),
        date(2026, 2, 16),
        date(2026, 4, 3),
        date(2026, 5, 25),
        date(2026, 6, 19),
        date(2026, 7, 3),  # July 4 is a Saturday
        date(2026, 9, 7),
        date(2026, 11, 26),
        date(2026, 12, 25),
    ],
    2027: [
        date(2027, 1, 1),
        date(2027, 1, 18),
        date(2027, 2, 15),
        date(2027, 3, 26),
        date(2027, 5, 31),
        date(2027, 6, 18),  # Juneteenth is a Saturday
        date(2027, 7, 5),  # July 4 is a Sunday
        date(2027, 9, 6),
        date(2027, 11, 25),
        date(2027, 12, 24),  # Christmas is a Saturday
    ],
}


@pytest.mark.parametrize("year", sorted(PUBLISHED_HOLIDAYS))
def test_calendar_holidays_match_the_published_nyse_calendar(year):
    # Given a year the NYSE published / When its holidays are computed / Then they match
    assert sorted(nyse_holidays(year)) == PUBLISHED_HOLIDAYS[year]


@pytest.mark.parametrize("holiday", [d for days in PUBLISHED_HOLIDAYS.values() for d in days])
def test_calendar_holidays_are_not_trading_days(holiday):
    assert not is_trading_day(holiday)


@pytest.mark.parametrize(
    "day",
    [
        date(2021, 12, 31),  # New Year's Day 2022 is a Saturday: not observed on Friday
        date(2027, 12, 31),  # the same in 2028
        date(2024, 11, 29),  # day after Thanksgiving: an early close, still a trading day
        date(2021, 6, 18),  # Juneteenth only became a holiday in 2022
        date(2025, 3, 12),
    ],
)
def test_calendar_trading_days_that_look_like_holidays_are_open(day):
    assert is_trading_day(day)


@pytest.mark.parametrize("day", [date(2025, 3, 8), date(2025, 3, 9)])
def test_calendar_weekends_are_closed(day):
    assert not is_trading_day(day)


def test_calendar_previous_trading_day_skips_weekends_and_holidays():
    # Given the Tuesday after the 2025 Presidents' Day weekend
    # When the previous trading day is asked for
    # Then it is the Friday before (Monday is a holiday, Sat/Sun are weekend)
    assert previous_trading_day(date(2025, 2, 18)) == date(2025, 2, 14)
    assert previous_trading_day(date(2024, 4, 1)) == date(2024, 3, 28)  # Good Friday
    assert previous_trading_day(date(2025, 3, 13)) == date(2025, 3, 12)


def test_calendar_previous_trading_day_is_strictly_before_even_on_a_closed_day():
    assert previous_trading_day(date(2025, 3, 9)) == date(2025, 3, 7)


def test_calendar_trading_days_includes_both_ends_in_order():
    days = trading_days(date(2024, 12, 23), date(2025, 1, 2))
    assert days == (
        date(2024, 12, 23),
        date(2024, 12, 24),
        date(2024, 12, 26),
        date(2024, 12, 27),
        date(2024, 12, 30),
        date(2024, 12, 31),
        date(2025, 1, 2),
    )


def test_calendar_2024_has_the_published_252_trading_days():
    assert len(trading_days(date(2024, 1, 1), date(2024, 12, 31))) == 252
