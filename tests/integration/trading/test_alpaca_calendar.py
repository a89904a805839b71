"""AlpacaCalendar: NYSE sessions from Alpaca's calendar, on the emulator and recorded bodies."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

import pytest

from alchemiser.errors import BrokerApiError, BrokerResponseError
from alchemiser.trading import trading_days
from alchemiser.trading.alpaca_calendar import AlpacaCalendar
from alchemiser.trading.alpaca_http import RetryPolicy
from alchemiser_local.alpaca_emulator import Fault

DATA = Path(__file__).parents[2] / "data" / "alpaca"


class SessionSource(Protocol):
    """The contract the NYSE calendar module builds on (verbatim)."""

    def sessions(self, start: date, end: date) -> frozenset[date]:
        """Every NYSE trading day from start to end, both included."""
        ...


@pytest.fixture
def calendar(alpaca_url, credentials) -> AlpacaCalendar:
    return AlpacaCalendar(credentials, base_url=alpaca_url, retry=RetryPolicy(backoff_seconds=0))


def _replay(alpaca_state, name: str) -> None:
    body = json.loads((DATA / name).read_text())
    alpaca_state.fail(Fault(kind="respond", path="/v2/calendar", status=200, body=body))


def test_alpaca_calendar_lists_the_sessions_of_a_range_both_ends_included(calendar, alpaca_state):
    source: SessionSource = calendar  # mypy checks the contract
    # When the two weeks around Good Friday 2025 are asked for
    sessions = source.sessions(date(2025, 4, 14), date(2025, 4, 25))
    # Then every weekday but Good Friday is a session, from the first day to the last
    assert sessions == frozenset(trading_days(date(2025, 4, 14), date(2025, 4, 25)))
    assert date(2025, 4, 18) not in sessions
    assert {date(2025, 4, 14), date(2025, 4, 25)} <= sessions
    # And Alpaca was asked in dates, a week wider on each side
    (query,) = [r.query for r in alpaca_state.requests if r.path == "/v2/calendar"]
    assert (query["start"], query["end"]) == ("2025-04-07", "2025-05-02")


def test_alpaca_calendar_reads_alpacas_recorded_answer(calendar, alpaca_state):
    _replay(alpaca_state, "calendar.json")
    sessions = calendar.sessions(date(2025, 4, 14), date(2025, 4, 25))
    assert len(sessions) == 9
    assert date(2025, 4, 18) not in sessions


def test_alpaca_calendar_knows_one_off_closures(calendar, alpaca_state):
    # Given Alpaca's calendar of January 2025, closed on the 9th (a day of mourning)
    _replay(alpaca_state, "calendar_2025_01.json")
    # When mid-January is asked for
    sessions = calendar.sessions(date(2025, 1, 6), date(2025, 1, 24))
    # Then the 9th is no session (no rule says so), nor is Martin Luther King Day, and
    # Alpaca agrees with the library calendar on every other day
    assert date(2025, 1, 9) not in sessions
    assert date(2025, 1, 20) not in sessions
    assert sessions == frozenset(trading_days(date(2025, 1, 6), date(2025, 1, 24)))


def test_alpaca_calendar_range_without_sessions_is_empty(calendar):
    assert calendar.sessions(date(2025, 4, 19), date(2025, 4, 20)) == frozenset()
    assert calendar.sessions(date(2025, 4, 20), date(2025, 4, 19)) == frozenset()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2029, 12, 17), date(2029, 12, 31)),  # ends where Alpaca's calendar ends
        (date(2031, 3, 3), date(2031, 3, 4)),  # wholly beyond it: would read as closed
        (date(1970, 1, 2), date(1970, 1, 9)),  # starts where it starts
    ],
)
def test_alpaca_calendar_refuses_a_range_it_does_not_cover(calendar, start, end):
    with pytest.raises(BrokerResponseError, match="does not cover the range"):
        calendar.sessions(start, end)


def test_alpaca_calendar_refuses_sessions_outside_the_range_asked(calendar, alpaca_state):
    _replay(alpaca_state, "calendar.json")  # April 2025, asked for March
    with pytest.raises(BrokerResponseError, match="sessions outside 2025-02-24 to 2025-03-14"):
        calendar.sessions(date(2025, 3, 3), date(2025, 3, 7))


def test_alpaca_calendar_invalid_day_is_named(calendar, alpaca_state):
    body = json.loads((DATA / "calendar.json").read_text())
    body[3]["date"] = "2025-02-30"
    alpaca_state.fail(Fault(kind="respond", path="/v2/calendar", status=200, body=body))
    with pytest.raises(
        BrokerResponseError, match=r"GET /v2/calendar: unexpected response: 3\.date"
    ):
        calendar.sessions(date(2025, 4, 14), date(2025, 4, 25))


def test_alpaca_calendar_server_errors_are_retried_then_reported(calendar, alpaca_state):
    alpaca_state.fail(Fault(kind="error", status=502, path="/v2/calendar", times=2))
    assert calendar.sessions(date(2025, 4, 14), date(2025, 4, 14)) == {date(2025, 4, 14)}
    alpaca_state.fail(Fault(kind="error", status=503, path="/v2/calendar", times=4))
    with pytest.raises(BrokerApiError, match="HTTP 503"):
        calendar.sessions(date(2025, 4, 14), date(2025, 4, 14))


def test_alpaca_calendar_covers_a_decade_in_one_call(calendar, alpaca_state):
    start, end = date(2015, 1, 1), date(2024, 12, 31)
    sessions = calendar.sessions(start, end)
    assert sessions == frozenset(trading_days(start, end))
    assert alpaca_state.hits("GET", "/v2/calendar") == 1
    assert min(sessions) - start < timedelta(days=7)
