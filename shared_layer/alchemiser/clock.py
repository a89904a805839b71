"""New York wall-clock time without a time zone database.

Lambda's Amazon Linux 2023 images do not reliably ship ``/usr/share/zoneinfo`` and the
``tzdata`` wheel would add ~1.5 MB of small files to the layer for one zone. US Eastern
time follows one rule since 2007: UTC-4 from the second Sunday of March at 02:00 local
to the first Sunday of November at 02:00 local, UTC-5 otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["EASTERN_DAYLIGHT", "EASTERN_STANDARD", "new_york_date", "to_new_york"]

EASTERN_STANDARD = timezone(timedelta(hours=-5), "EST")
EASTERN_DAYLIGHT = timezone(timedelta(hours=-4), "EDT")
_SUNDAY = 6


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(_SUNDAY - first.weekday()) % 7 + 7 * (n - 1))


def _utc_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _daylight_saving(instant: datetime) -> bool:
    year = instant.astimezone(UTC).year
    # 02:00 EST (07:00 UTC) in March; 02:00 EDT (06:00 UTC) in November.
    starts = _utc_midnight(_nth_sunday(year, 3, 2)) + timedelta(hours=7)
    ends = _utc_midnight(_nth_sunday(year, 11, 1)) + timedelta(hours=6)
    return starts <= instant < ends


def to_new_york(instant: datetime) -> datetime:
    """``instant`` (timezone-aware) as New York wall-clock time.

    Raises:
        ValueError: for a naive datetime, which names no instant.
    """
    if instant.tzinfo is None:
        raise ValueError("a naive datetime names no instant; give it a time zone")
    zone = EASTERN_DAYLIGHT if _daylight_saving(instant) else EASTERN_STANDARD
    return instant.astimezone(zone)


def new_york_date(instant: datetime) -> date:
    """The calendar date in New York at ``instant`` (the trading date of a run)."""
    return to_new_york(instant).date()
