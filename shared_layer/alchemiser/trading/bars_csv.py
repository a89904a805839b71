"""A user's own daily bars from a CSV file (``alchemiser bars import``), checked row by row.

The header names the columns ``date, open, high, low, close, volume``, in any order and
any case, and nothing else. Dates are ISO ``YYYY-MM-DD`` NYSE trading days in the
calendar's range and not after today; numbers are plain decimals (no sign, exponent or
thousands separator), read as ``Decimal``, never through float. Prices are above 0 and
below 1e9 with at most 8 decimal places; volume is a whole number from 0 to 1e15 ("1200.0",
as spreadsheets write it, is 1200). A day's high is at least its open and close, its low
at most. A date appears once.

Every row is checked and every problem reported, each with the file, its line (the
physical line the row starts on, the header being line 1; blank lines count) and its
column; a file with any problem yields no bars, so nothing of it can be written.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alchemiser.errors import BarsFileRejectedError
from alchemiser.trading.bars import Bar
from alchemiser.trading.market_calendar import (
    FIRST_SUPPORTED_DAY,
    LAST_SUPPORTED_DAY,
    is_trading_day,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "BarsFileProblem",
    "parse_bars_csv",
    "read_bars_csv",
]

COLUMNS = ("date", "open", "high", "low", "close", "volume")
#: More than the calendar's whole range of trading days fits in; a larger file is not bars.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Rows after the header: the calendar's range (1971..2100) has about 32,800 sessions.
MAX_ROWS = 40_000
MAX_PRICE = Decimal(1_000_000_000)
MAX_PRICE_PLACES = 8
MAX_VOLUME = Decimal(10**15)

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")
#: Characters of a bad cell quoted in a reason (a cell may be megabytes long).
_SHOWN = 40


@dataclass(frozen=True, slots=True)
class BarsFileProblem:
    """One problem of a file: where (line, column) and why."""

    line: int | None
    column: str | None
    reason: str

    def detail(self, file: str) -> dict[str, Any]:
        """The structured form ``BarsFileRejectedError.details`` lists."""
        return {"file": file, "line": self.line, "column": self.column, "reason": self.reason}


class _Unreadable(Exception):  # noqa: N818 - private signal, never raised to callers
    """The csv module gave up at a line (an unterminated quote, a NUL byte)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _check_date(text: str, today: date) -> tuple[date | None, str | None]:
    if not _DATE.fullmatch(text):
        return None, f"{_shown(text)} is not a date YYYY-MM-DD"
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, f"{text} is not a calendar date"
    if not FIRST_SUPPORTED_DAY <= day <= LAST_SUPPORTED_DAY:
        return None, f"{text} is outside {FIRST_SUPPORTED_DAY}..{LAST_SUPPORTED_DAY}"
    if day > today:
        return None, f"{text} is after today ({today.isoformat()})"
    if not is_trading_day(day):
        return None, f"{text} is not an NYSE trading day"
    return day, None


def _check_price(text: str, _today: date) -> tuple[Decimal | None, str | None]:
    if not _NUMBER.fullmatch(text):
        return None, f"{_shown(text)} is not a plain decimal number"
    if len(text.partition(".")[2]) > MAX_PRICE_PLACES:
        return None, f"{_shown(text)} has more than {MAX_PRICE_PLACES} decimal places"
    value = Decimal(text)
    if not 0 < value < MAX_PRICE:
        return None, f"{_shown(text)} is not above 0 and below {MAX_PRICE}"
    return value, None


def _check_volume(text: str, _today: date) -> tuple[Decimal | None, str | None]:
    if not _NUMBER.fullmatch(text):
        return None, f"{_shown(text)} is not a plain decimal number"
    value = Decimal(text)
    if value != value.to_integral_value():
        return None, f"{_shown(text)} is not a whole number of shares"
    if value > MAX_VOLUME:
        return None, f"{_shown(text)} is above {MAX_VOLUME}"
    return Decimal(int(value)), None


_CHECKS: dict[str, Callable[[str, date], tuple[Any, str | None]]] = {
    "date": _check_date,
    "open": _check_price,
    "high": _check_price,
    "low": _check_price,
    "close": _check_price,
    "volume": _check_volume,
}


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row with the line it starts on.

    Raises:
        _Unreadable: where the csv module gave up.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Unreadable(line, f"not CSV from here: {exc}") from exc
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1


def _columns(line: int, header: list[str]) -> tuple[list[str], list[BarsFileProblem]]:
    """The header's column names (lower case) and what is wrong with them."""
    names = [cell.strip().lower() for cell in header]
    expected = ", ".join(COLUMNS)
    problems = []
    for index, name in enumerate(names):
        if name not in COLUMNS:
            reason = f"unknown column {_shown(header[index])}; the columns are {expected}"
            problems.append(BarsFileProblem(line, name or f"#{index + 1}", reason))
        elif name in names[:index]:
            problems.append(BarsFileProblem(line, name, "column given twice"))
    problems.extend(
        BarsFileProblem(line, name, f"missing column; the columns are {expected}")
        for name in COLUMNS
        if name not in names
    )
    return names, problems


def _cross_problems(line: int, values: dict[str, Any]) -> list[BarsFileProblem]:
    """A high below the open or close, a low above them."""
    problems = []
    if values["high"] < max(values["open"], values["close"]):
        problems.append(BarsFileProblem(line, "high", "is below the open or the close"))
    if values["low"] > min(values["open"], values["close"]):
        problems.append(BarsFileProblem(line, "low", "is above the open or the close"))
    return problems


def _row(
    line: int, cells: list[str], columns: list[str], today: date
) -> tuple[Bar | None, list[BarsFileProblem]]:
    """One row as a bar, or what is wrong with it."""
    if len(cells) != len(columns):
        where = columns[len(cells)] if len(cells) < len(columns) else f"#{len(columns) + 1}"
        count = f"{len(cells)} fields; the header has {len(columns)}"
        return None, [BarsFileProblem(line, where, count)]
    values: dict[str, Any] = {}
    problems = []
    for name, cell in zip(columns, cells, strict=True):
        value, reason = _CHECKS[name](cell.strip(), today)
        if reason is None:
            values[name] = value
        else:
            problems.append(BarsFileProblem(line, name, reason))
    if not problems:
        problems = _cross_problems(line, values)
    return (None, problems) if problems else (Bar.model_validate(values), [])


def _bars(
    rows: Iterator[tuple[int, list[str]]], columns: list[str], today: date
) -> tuple[list[Bar], list[BarsFileProblem]]:
    """Every row's bar, or every row's problems (a date seen before is one)."""
    bars: list[Bar] = []
    problems: list[BarsFileProblem] = []
    first_line: dict[date, int] = {}
    for count, (line, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            problems.append(BarsFileProblem(line, None, f"more than {MAX_ROWS} rows"))
            break
        bar, row_problems = _row(line, cells, columns, today)
        if bar is not None and bar.date in first_line:
            seen = first_line[bar.date]
            reason = f"{bar.date.isoformat()} is also on line {seen}"
            row_problems = [BarsFileProblem(line, "date", reason)]
        elif bar is not None:
            first_line[bar.date] = line
            bars.append(bar)
        problems.extend(row_problems)
    return bars, problems


def _parse(text: str, today: date) -> tuple[list[Bar], list[BarsFileProblem]]:
    rows = _rows(text.removeprefix("\ufeff"))
    try:
        first = next(rows, None)
        if first is None:
            return [], [BarsFileProblem(1, None, f"empty; the header is {','.join(COLUMNS)}")]
        columns, problems = _columns(*first)
        if problems:
            return [], problems
        bars, problems = _bars(rows, columns, today)
    except _Unreadable as exc:
        return [], [BarsFileProblem(exc.line, None, exc.reason)]
    if not bars and not problems:
        problems = [BarsFileProblem(first[0], None, "no rows after the header")]
    return bars, problems


def parse_bars_csv(text: str, *, file: str, today: date) -> tuple[Bar, ...]:
    """The bars of a CSV text, oldest first, if every row is good.

    Args:
        text: the file's text.
        file: its name, for the problems.
        today: the New York date no row may be after.

    Raises:
        BarsFileRejectedError: every problem, each with file, line and column.
    """
    bars, problems = _parse(text, today)
    if problems:
        raise BarsFileRejectedError(file, [problem.detail(file) for problem in problems])
    return tuple(sorted(bars, key=lambda bar: bar.date))


def read_bars_csv(path: Path, *, today: date | None = None) -> tuple[Bar, ...]:
    """The bars of a UTF-8 CSV file (see ``parse_bars_csv``); ``today`` is New York's.

    Raises:
        BarsFileRejectedError: the file cannot be read, is too large, is not UTF-8, or
            has bad rows (every one listed).
    """
    from alchemiser.clock import new_york_today  # noqa: PLC0415 - only without ``today``

    file = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        raise BarsFileRejectedError(file, [_problem(None, reason, file)]) from exc
    if len(data) > MAX_FILE_BYTES:
        reason = f"larger than {MAX_FILE_BYTES} bytes: not a file of daily bars"
        raise BarsFileRejectedError(file, [_problem(None, reason, file)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text (byte {data[exc.start]:#04x})"
        raise BarsFileRejectedError(file, [_problem(line, reason, file)]) from None
    return parse_bars_csv(text, file=file, today=today or new_york_today())


def _problem(line: int | None, reason: str, file: str) -> dict[str, Any]:
    return BarsFileProblem(line, None, reason).detail(file)
