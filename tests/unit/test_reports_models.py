"""PnL requests follow the ``pnl_analysis`` command's rules; month arithmetic is calendar-true."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from alchemiser.commands import LambdaEvent
from alchemiser.reports import PnlReportRequest
from alchemiser.reports.pnl import months_back

AS_OF = date(2026, 11, 20)


@pytest.mark.parametrize(
    "fields",
    [
        {"pnl_type": "weekly"},
        {"pnl_type": "monthly", "pnl_periods": 3},
        {"pnl_period": "3M"},
        {"pnl_period": "1Y"},
    ],
)
def test_pnl_request_accepts_what_the_pnl_command_accepts(fields) -> None:
    # Given fields a pnl_analysis command accepts
    LambdaEvent.model_validate({"mode": "pnl_analysis", **fields})
    # When they make a request, Then it is valid and survives a JSON round trip
    request = PnlReportRequest(correlation_id="wf-1", as_of=AS_OF, **fields)
    assert PnlReportRequest.model_validate(request.model_dump(mode="json")) == request


@pytest.mark.parametrize(
    ("fields", "blamed"),
    [
        ({}, "pnl_type"),
        ({"pnl_type": "weekly", "pnl_period": "1W"}, "pnl_type"),
        ({"pnl_period": "1W", "pnl_periods": 2}, "pnl_periods"),
        ({"pnl_period": "2D"}, "pnl_period"),
        ({"pnl_type": "weekly", "pnl_periods": 0}, "pnl_periods"),
    ],
)
def test_pnl_request_rejects_an_ambiguous_basis_naming_the_field(fields, blamed) -> None:
    with pytest.raises(ValidationError) as invalid:
        PnlReportRequest(correlation_id="wf-1", as_of=AS_OF, **fields)
    assert blamed in str(invalid.value)


@given(day=st.dates(min_value=date(1990, 1, 1)), months=st.integers(min_value=0, max_value=240))
def test_months_back_moves_whole_calendar_months(day: date, months: int) -> None:
    earlier = months_back(day, months)
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    last_day = calendar.monthrange(earlier.year, earlier.month)[1]
    assert earlier.day == min(day.day, last_day)
