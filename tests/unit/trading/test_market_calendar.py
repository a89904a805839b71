"""The NYSE calendar: published holidays, one-off closures, bounded dates, its sources."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alchemiser.errors import BrokerApiError, CalendarRangeError, InputRejectedError
from alchemiser.trading import is_trading_day, previous_trading_day, trading_days
from alchemiser.trading.market_calendar import (
    FIRST_SUPPORTED_DAY,
    LAST_SUPPORTED_DAY,
    LibrarySessions,
    MarketCalendar,
    clear_caches,
    daily_calendar,
    library_calendar,
    next_trading_day,
)

ONE_DAY = timedelta(days=1)

# Full-day closures published by the NYSE.
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
        date(2025, 1, 9),  # national day of mourning for President Carter (announced)
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

# Closures no rule predicts: days of mourning, 9/11, a hurricane.
ONE_OFF_CLOSURES = [
    date(2001, 9, 11),
    date(2001, 9, 12),
    date(2001, 9, 13),
    date(2001, 9, 14),
    date(2004, 6, 11),
    date(2007, 1, 2),
    date(2012, 10, 29),
    date(2012, 10, 30),
    date(2018, 12, 5),
    date(2025, 1, 9),
]

OUT_OF_RANGE = [
    date.min,
    date(1, 1, 2),
    FIRST_SUPPORTED_DAY - ONE_DAY,
    LAST_SUPPORTED_DAY + ONE_DAY,
    date(9999, 12, 30),
    date.max,
]


def _weekdays(start: date, end: date) -> list[date]:
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5]


@pytest.mark.parametrize("year", sorted(PUBLISHED_HOLIDAYS))
def test_calendar_closed_weekdays_match_the_published_nyse_calendar(year):
    # Given a year the NYSE published / When its closed weekdays are listed / Then they match
    closed = [d for d in _weekdays(date(year, 1, 1), date(year, 12, 31)) if not is_trading_day(d)]
    assert closed == PUBLISHED_HOLIDAYS[year]


@pytest.mark.parametrize("day", ONE_OFF_CLOSURES, ids=str)
def test_calendar_one_off_closures_are_not_trading_days(day):
    assert day.weekday() < 5
    assert not is_trading_day(day)
    assert day not in trading_days(day - 7 * ONE_DAY, day + 7 * ONE_DAY)


def test_calendar_day_after_a_one_off_closure_reads_bars_of_the_day_before_it():
    # Given the 2025-01-09 day of mourning (a Thursday)
    # Then Friday's previous trading day is Wednesday, and Wednesday's next is Friday
    assert previous_trading_day(date(2025, 1, 10)) == date(2025, 1, 8)
    assert next_trading_day(date(2025, 1, 8)) == date(2025, 1, 10)
    # And after 9/11 the market reopened on Monday 2001-09-17
    assert next_trading_day(date(2001, 9, 10)) == date(2001, 9, 17)


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


def test_calendar_answers_across_a_year_boundary():
    assert previous_trading_day(date(2025, 1, 2)) == date(2024, 12, 31)
    assert next_trading_day(date(2024, 12, 31)) == date(2025, 1, 2)


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


def test_calendar_trading_days_of_a_reversed_range_is_empty():
    assert trading_days(date(2025, 1, 10), date(2025, 1, 6)) == ()


@pytest.mark.parametrize(("year", "count"), [(2024, 252), (2025, 250)])
def test_calendar_years_have_the_published_number_of_trading_days(year, count):
    assert len(trading_days(date(year, 1, 1), date(year, 12, 31))) == count


# --- bounded dates ----------------------------------------------------------------------


@pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
@pytest.mark.parametrize(
    "ask",
    [
        is_trading_day,
        previous_trading_day,
        next_trading_day,
        lambda d: trading_days(d, LAST_SUPPORTED_DAY),
        lambda d: trading_days(FIRST_SUPPORTED_DAY, d),
        lambda d: LibrarySessions().sessions(d, d),
    ],
    ids=["is", "previous", "next", "from", "to", "sessions"],
)
def test_calendar_refuses_days_outside_its_range_by_name(ask, day):
    # Given a day outside the supported range (year 1 and 9999 included)
    # When any question is asked about it / Then a named, structured rejection, no overflow
    with pytest.raises(CalendarRangeError) as raised:
        ask(day)
    assert isinstance(raised.value, InputRejectedError)
    assert raised.value.day == day
    assert raised.value.to_dict()["reason"].startswith(day.isoformat())
    assert "1971-01-01..2100-12-31" in str(raised.value)


def test_calendar_has_no_answer_beyond_the_ends_of_its_range():
    with pytest.raises(CalendarRangeError, match="no trading day before it"):
        previous_trading_day(date(1971, 1, 4))  # the first trading day of the range
    with pytest.raises(CalendarRangeError, match="no trading day after it"):
        next_trading_day(date(2100, 12, 31))
    assert previous_trading_day(date(1971, 1, 5)) == date(1971, 1, 4)


@given(st.dates())
def test_calendar_any_date_is_answered_or_refused_by_name(day):
    refused: list[date | None] = []
    for ask in (is_trading_day, previous_trading_day, next_trading_day):
        try:
            ask(day)
        except CalendarRangeError as exc:
            refused.append(exc.day)
        else:
            refused.append(None)
    if FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        assert set(refused) <= {None, day}  # only the range's first and last days refuse
    else:
        assert refused == [day, day, day]


# --- properties -------------------------------------------------------------------------

inner_days = st.dates(
    min_value=FIRST_SUPPORTED_DAY + 10 * ONE_DAY, max_value=LAST_SUPPORTED_DAY - 10 * ONE_DAY
)


@given(inner_days)
def test_calendar_previous_and_next_are_the_nearest_trading_days(day):
    before, after = previous_trading_day(day), next_trading_day(day)
    assert before < day < after
    assert is_trading_day(before)
    assert is_trading_day(after)
    between = trading_days(before + ONE_DAY, after - ONE_DAY)
    assert between == ((day,) if is_trading_day(day) else ())


@given(inner_days)
def test_calendar_previous_and_next_invert_each_other_on_trading_days(day):
    if is_trading_day(day):
        assert previous_trading_day(next_trading_day(day)) == day
        assert next_trading_day(previous_trading_day(day)) == day
    else:
        assert next_trading_day(previous_trading_day(day)) == next_trading_day(day)


@given(inner_days, st.integers(min_value=0, max_value=800))
def test_calendar_trading_days_are_exactly_the_days_that_trade(start, length):
    end = min(start + length * ONE_DAY, LAST_SUPPORTED_DAY)
    every_day = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    assert trading_days(start, end) == tuple(d for d in every_day if is_trading_day(d))


# --- sources, windows, caches -----------------------------------------------------------


@dataclass(eq=False)
class CountingSource:
    """A session source that records every call (Alpaca's calendar answers like this)."""

    inner: LibrarySessions = field(default_factory=LibrarySessions)
    last_day: date = LAST_SUPPORTED_DAY
    calls: list[tuple[date, date]] = field(default_factory=list)

    def sessions(self, start: date, end: date) -> frozenset[date]:
        self.calls.append((start, end))
        known_end = min(end, self.last_day)
        return self.inner.sessions(start, known_end) if start <= known_end else frozenset()


@dataclass
class Clock:
    today: date

    def __call__(self) -> date:
        return self.today


def test_calendar_asks_its_source_once_for_a_day_of_questions():
    # Given a calendar over a remote-like source
    source = CountingSource()
    calendar = MarketCalendar(source)

    # When a workflow's worth of questions is asked, across the year boundary
    assert not calendar.is_trading_day(date(2025, 1, 9))
    assert calendar.previous_trading_day(date(2025, 1, 2)) == date(2024, 12, 31)
    assert calendar.next_trading_day(date(2025, 12, 31)) == date(2026, 1, 2)
    assert len(calendar.trading_days(date(2024, 6, 1), date(2025, 6, 1))) > 200
    for _ in range(100):
        calendar.is_trading_day(date(2025, 1, 10))

    # Then the source was asked once, for the three years around the first day asked about
    assert source.calls == [(date(2024, 1, 1), date(2026, 12, 31))]


def test_calendar_asks_again_once_on_a_new_day():
    # Given a calendar that fetched its window today
    source, clock = CountingSource(), Clock(date(2025, 1, 8))
    calendar = MarketCalendar(source, today=clock)
    calendar.is_trading_day(date(2025, 1, 8))

    # When the New York date changes (a warm container, the next morning)
    clock.today = date(2025, 1, 9)
    for _ in range(10):
        calendar.is_trading_day(date(2025, 1, 9))

    # Then it asked once more, and only once
    assert len(source.calls) == 2


def test_calendar_fetches_only_the_years_it_lacks_in_one_call():
    source = CountingSource()
    calendar = MarketCalendar(source)
    calendar.is_trading_day(date(2025, 6, 2))  # 2024..2026

    calendar.trading_days(date(2022, 3, 1), date(2028, 3, 1))

    assert source.calls[1:] == [(date(2022, 1, 1), date(2028, 12, 31))]
    assert len(source.calls) == 2


def test_calendar_refuses_years_its_source_has_no_sessions_for():
    # Given a source whose calendar ends with 2029 (Alpaca serves 1970..2029)
    calendar = MarketCalendar(CountingSource(last_day=date(2029, 12, 31)))

    # Then 2029 answers, 2030 is refused by name rather than read as closed
    assert calendar.is_trading_day(date(2029, 12, 31))
    with pytest.raises(CalendarRangeError, match="no sessions in 2030"):
        calendar.is_trading_day(date(2030, 1, 2))
    with pytest.raises(CalendarRangeError, match="no sessions in 2030"):
        calendar.next_trading_day(date(2029, 12, 31))
    with pytest.raises(CalendarRangeError, match="no sessions in 2030"):
        calendar.trading_days(date(2029, 12, 1), date(2030, 1, 31))


def test_calendar_keeps_nothing_from_a_failed_fetch_and_asks_again():
    # Given a remote source whose first answer fails (Alpaca throttling: a retryable error)
    class FlakySource(CountingSource):
        def sessions(self, start: date, end: date) -> frozenset[date]:
            if not self.calls:
                self.calls.append((start, end))
                raise BrokerApiError("429 from the calendar")
            return super().sessions(start, end)

    source = FlakySource()
    calendar = MarketCalendar(source)

    # When asked twice / Then the failure reaches the caller (so Lambda retries), and the
    # next question fetches again instead of reading an empty year as closed
    with pytest.raises(BrokerApiError):
        calendar.is_trading_day(date(2025, 1, 10))
    assert calendar.is_trading_day(date(2025, 1, 10))
    assert len(source.calls) == 2


def test_calendar_over_the_library_source_agrees_with_the_module_functions():
    calendar = MarketCalendar(LibrarySessions())
    start, end = date(2024, 11, 1), date(2025, 2, 28)
    assert calendar.trading_days(start, end) == trading_days(start, end)


def test_daily_calendar_is_one_per_source_until_the_container_is_new():
    source = CountingSource()
    first = daily_calendar(source)
    assert daily_calendar(source) is first
    first.is_trading_day(date(2025, 1, 9))
    assert daily_calendar(source).is_trading_day(date(2025, 1, 10))
    assert len(source.calls) == 1

    clear_caches()

    assert daily_calendar(source) is not first
    assert library_calendar() is library_calendar()


_FRESH_IMPORT = """
import json, sys
from datetime import date
from alchemiser.trading import is_trading_day
answer = is_trading_day(date(2025, 1, 9))
print(json.dumps({"answer": answer, "modules": sorted(sys.modules)}))
"""


def test_calendar_loads_no_calendar_library_in_the_layer():
    # Given a fresh interpreter / When the library calendar answers
    run = subprocess.run(
        [sys.executable, "-c", _FRESH_IMPORT], capture_output=True, text=True, check=True
    )
    result = json.loads(run.stdout)
    # Then it answered from the shipped table: no holidays, exchange_calendars or pandas
    assert result["answer"] is False
    loaded = {m.split(".")[0] for m in result["modules"]}
    assert not loaded & {"holidays", "exchange_calendars", "pandas", "numpy"}
