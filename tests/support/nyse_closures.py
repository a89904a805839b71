"""Generates the layer's NYSE closure table from the maintained ``holidays`` library.

The layer cannot carry ``holidays`` itself (10 MB unzipped, 83 ms to import its NYSE
calendar: see ``alchemiser.trading.market_calendar``), so it ships what that library
computes: every weekday of the supported years on which the NYSE is closed.
``tests/unit/trading/test_market_calendar_oracle.py`` fails when the shipped table is not
what the locked ``holidays`` computes; regenerate it after ``uv lock --upgrade-package
holidays`` (e.g. when the exchange announces a closure) with::

    .venv/bin/python -m tests.support.nyse_closures --write
"""

from __future__ import annotations

import argparse
import importlib.metadata
from datetime import date, timedelta
from pathlib import Path

import holidays

from alchemiser.trading.market_calendar import sessions

TABLE = Path(sessions.__file__).with_name("nyse_closures.py")
_SATURDAY = 5

_HEADER = '''\
"""NYSE full-day closures on weekdays, {first}..{last}. Generated: do not edit.

Computed by holidays {version} (its NYSE financial calendar) and written by
``python -m tests.support.nyse_closures --write``; a test fails when this table is not
what the locked holidays version computes. Weekends are closed by rule and not listed.
"""

#: ISO dates, oldest first; the comment is the library's name for the closure.
CLOSED_WEEKDAYS = (
'''


def closed_weekdays(first: date, last: date) -> list[tuple[date, str]]:
    """Each weekday from ``first`` to ``last`` the NYSE is closed, with its name."""
    nyse = holidays.financial_holidays("NYSE", years=range(first.year, last.year + 1))
    days = []
    day = first
    while day <= last:
        if day.weekday() < _SATURDAY and day in nyse:
            days.append((day, nyse[day]))
        day += timedelta(days=1)
    return days


def render() -> str:
    """The table module's text for the supported range, as ruff formats it."""
    first, last = sessions.FIRST_SUPPORTED_DAY, sessions.LAST_SUPPORTED_DAY
    lines = [
        _HEADER.format(
            first=first.isoformat(),
            last=last.isoformat(),
            version=importlib.metadata.version("holidays"),
        )
    ]
    lines.extend(
        f'    "{day.isoformat()}",  # {name}\n' for day, name in closed_weekdays(first, last)
    )
    lines.append(")\n")
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE.name}")
    args = parser.parse_args()
    text = render()
    if args.write:
        TABLE.write_text(text)
    else:
        print(text, end="")


if __name__ == "__main__":
    main()
