"""New York dates from zoneinfo, with the tzdata package as its database."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from alchemiser.clock import new_york_date, new_york_today, to_new_york


@pytest.mark.parametrize(
    ("instant", "offset_hours"),
    [
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), -5),
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), -4),
        # 2026-03-08 02:00 EST is 07:00 UTC: the switch to EDT.
        (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), -5),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), -4),
        # 2026-11-01 02:00 EDT is 06:00 UTC: the switch back to EST.
        (datetime(2026, 11, 1, 5, 59, tzinfo=UTC), -4),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), -5),
        (datetime(2024, 3, 10, 7, 0, tzinfo=UTC), -4),
        (datetime(2025, 11, 2, 6, 0, tzinfo=UTC), -5),
        # Before 2007 DST ended on the last Sunday of October (2006-10-29 06:00 UTC)
        (datetime(2006, 10, 29, 6, 0, tzinfo=UTC), -5),
        (datetime(2006, 4, 2, 7, 0, tzinfo=UTC), -4),
    ],
)
def test_to_new_york_uses_the_right_offset(instant, offset_hours):
    assert to_new_york(instant).utcoffset() == timedelta(hours=offset_hours)


def test_scheduled_open_is_the_same_new_york_date():
    # 09:35 New York on a winter weekday is 14:35 UTC.
    assert new_york_date(datetime(2026, 11, 20, 14, 35, tzinfo=UTC)) == date(2026, 11, 20)


def test_late_utc_evening_is_still_the_previous_day_in_new_york():
    assert new_york_date(datetime(2026, 11, 21, 3, 0, tzinfo=UTC)) == date(2026, 11, 20)


def test_other_offsets_are_converted_by_instant():
    tokyo = timezone(timedelta(hours=9))
    assert new_york_date(datetime(2026, 6, 2, 8, 0, tzinfo=tokyo)) == date(2026, 6, 1)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        to_new_york(datetime(2026, 6, 2, 8, 0))


def test_new_york_today_is_the_new_york_date_of_now():
    before = new_york_date(datetime.now(UTC))
    today = new_york_today()
    assert today in {before, before + timedelta(days=1)}


@pytest.fixture
def no_system_zoneinfo():
    """As in a Lambda image without /usr/share/zoneinfo: only the tzdata package is left."""
    zoneinfo.reset_tzpath(to=[])
    zoneinfo.ZoneInfo.clear_cache()
    yield
    zoneinfo.reset_tzpath()
    zoneinfo.ZoneInfo.clear_cache()


@pytest.mark.usefixtures("no_system_zoneinfo")
def test_to_new_york_finds_the_zone_in_the_tzdata_package():
    assert zoneinfo.TZPATH == ()
    winter = to_new_york(datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert winter.utcoffset() == timedelta(hours=-5)
    assert winter.tzname() == "EST"
