"""New York wall-clock time from the IANA time zone database (``zoneinfo``).

Lambda's Amazon Linux 2023 images do not reliably ship ``/usr/share/zoneinfo``, so the
layer carries the ``tzdata`` package, where ``zoneinfo`` looks when the system has no
database (0.8 MB unzipped; loading the zone from it costs under 1 ms once per container,
as ``zoneinfo`` and ``importlib.resources`` are already imported by then). The build test
proves the layer's copy is found with the system database out of the way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

__all__ = ["NEW_YORK", "new_york_date", "new_york_today", "to_new_york"]

#: The exchange's time zone (and EventBridge Scheduler's ScheduleExpressionTimezone).
NEW_YORK = "America/New_York"


def to_new_york(instant: datetime) -> datetime:
    """``instant`` (timezone-aware) as New York wall-clock time.

    Raises:
        ValueError: for a naive datetime, which names no instant.
    """
    if instant.tzinfo is None:
        raise ValueError("a naive datetime names no instant; give it a time zone")
    # ZoneInfo keeps the zones it loaded: this reads the database once per process.
    return instant.astimezone(ZoneInfo(NEW_YORK))


def new_york_date(instant: datetime) -> date:
    """The calendar date in New York at ``instant`` (the trading date of a run)."""
    return to_new_york(instant).date()


def new_york_today() -> date:
    """Today's date in New York: the day a calendar fetched from a remote source is for."""
    return new_york_date(datetime.now(UTC))
