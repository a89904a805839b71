"""A user's OHLCV CSV: good files become bars exactly; every bad row is named, line and column."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from alchemiser.errors import BarsFileRejectedError, InputRejectedError
from alchemiser.trading import Bar, trading_days
from alchemiser.trading.bars_csv import COLUMNS, MAX_FILE_BYTES, parse_bars_csv, read_bars_csv

TODAY = date(2026, 1, 2)
FILE = "tqqq.csv"
HEADER = ",".join(COLUMNS)
SESSIONS = trading_days(date(1971, 1, 4), date(2025, 12, 31))


def parse(text: str) -> tuple[Bar, ...]:
    return parse_bars_csv(text, file=FILE, today=TODAY)


def problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(BarsFileRejectedError) as raised:
        parse(text)
    assert all(detail["file"] == FILE for detail in raised.value.details)
    return [(d["line"], d["column"], d["reason"]) for d in raised.value.details]


def where(text: str) -> list[tuple[int | None, str | None]]:
    return [(line, column) for line, column, _ in problems(text)]


# --- good files ------------------------------------------------------------------------


def test_columns_come_in_any_order_and_case_and_numbers_stay_exact():
    text = (
        "\ufeffVolume,Close,LOW,high,Open,Date\r\n1200,10.25,9.5,10.75,10.00000001,2025-03-11\r\n"
    )

    (only,) = parse(text)

    assert only == Bar(
        date=date(2025, 3, 11),
        open=Decimal("10.00000001"),
        high=Decimal("10.75"),
        low=Decimal("9.5"),
        close=Decimal("10.25"),
        volume=Decimal(1200),
    )


def test_bars_come_back_oldest_first_and_blank_lines_are_skipped():
    text = f"{HEADER}\n2025-03-11,1,1,1,1,0\n\n2025-03-10,2,2,2,2,5.0\n"
    assert [(b.date.day, b.volume) for b in parse(text)] == [(10, Decimal(5)), (11, Decimal(0))]


# --- bad files ---------------------------------------------------------------------------


def test_every_bad_row_is_reported_not_only_the_first():
    text = (
        f"{HEADER}\n"
        "2025-03-10,1,1,1,1,10\n"
        "2025-03-08,1,1,1,1,10\n"  # a Saturday
        "\n"
        "2025-03-11,0,1,1,1,10\n"
        "2025-03-12,1,1,1,1,-3\n"
    )
    assert where(text) == [(3, "date"), (5, "open"), (6, "volume")]


def test_a_rejection_is_an_input_rejection_listing_file_line_and_column():
    with pytest.raises(InputRejectedError) as raised:
        parse(f"{HEADER}\n2025-03-10,1,0.5,1,1,10\n")

    body = raised.value.to_dict()
    assert body["error"] == "BarsFileRejectedError"
    assert body["field"] == FILE
    assert body["details"] == [
        {"file": FILE, "line": 2, "column": "high", "reason": "is below the open or the close"}
    ]
    assert "nothing written" in body["reason"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("date,open,high,low,close", [(1, "volume")]),
        ("date,open,high,low,close,volume,adj close", [(1, "adj close")]),
        ("date,open,high,low,close,volume,Open", [(1, "open")]),
        ("date,open,high,low,close,,volume", [(1, "#6")]),
    ],
    ids=["missing", "unknown", "twice", "unnamed"],
)
def test_a_bad_header_is_named_column_by_column(header, expected):
    assert where(f"{header}\n2025-03-10,1,1,1,1,10\n") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(1, None)]),
        ("\n\n", [(1, None)]),
        (f"{HEADER}\n", [(1, None)]),
        (f'{HEADER}\n2025-03-10,"1,1,1,1,10\n', [(2, None)]),
    ],
    ids=["empty", "blank", "header-only", "unterminated-quote"],
)
def test_a_file_without_rows_or_not_csv_is_refused(text, expected):
    assert where(text) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("2025/03/10", "is not a date YYYY-MM-DD"),
        ("20250310", "is not a date YYYY-MM-DD"),
        ("2025-02-30", "is not a calendar date"),
        ("1970-06-01", "is outside 1971-01-01..2100-12-31"),
        ("2026-01-05", "is after today (2026-01-02)"),
        ("2025-01-09", "is not an NYSE trading day"),
    ],
)
def test_a_bad_date_is_refused_with_its_reason(cell, reason):
    ((line, column, why),) = problems(f"{HEADER}\n{cell},1,1,1,1,10\n")
    assert (line, column) == (2, "date")
    assert reason in why


def test_a_date_given_twice_names_the_line_it_was_first_on():
    text = f"{HEADER}\n2025-03-10,1,1,1,1,10\n2025-03-11,1,1,1,1,10\n2025-03-10,2,2,2,2,10\n"
    assert problems(text) == [(4, "date", "2025-03-10 is also on line 2")]


@pytest.mark.parametrize(
    "cell", ["0", "-1", "abc", "1e3", "1000000000", "1.123456789", "", "1,5", "NaN", "Infinity"]
)
def test_a_bad_price_is_refused(cell):
    assert where(f'{HEADER}\n2025-03-10,1,1,1,"{cell}",10\n') == [(2, "close")]


@pytest.mark.parametrize("cell", ["-5", "1.5", "1000000000000001", "x", "", "1e3"])
def test_a_bad_volume_is_refused(cell):
    assert where(f'{HEADER}\n2025-03-10,1,1,1,1,"{cell}"\n') == [(2, "volume")]


def test_a_low_above_the_open_or_close_is_refused():
    assert where(f"{HEADER}\n2025-03-10,1,2,1.5,2,10\n") == [(2, "low")]


@pytest.mark.parametrize(
    ("row", "column"), [("2025-03-10,1,1,1,1", "volume"), ("2025-03-10,1,1,1,1,10,7", "#7")]
)
def test_a_row_with_the_wrong_number_of_fields_is_refused(row, column):
    assert where(f"{HEADER}\n{row}\n") == [(2, column)]


def test_a_file_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_bytes(f"{HEADER}\n2025-03-10,1,1,1,1,10\n2025-03-11,\xff".encode("latin-1"))

    with pytest.raises(BarsFileRejectedError) as raised:
        read_bars_csv(path, today=TODAY)

    assert raised.value.details[0]["line"] == 3
    assert "not UTF-8" in raised.value.details[0]["reason"]


def test_a_file_too_large_or_missing_is_refused_naming_it(tmp_path):
    large = tmp_path / "large.csv"
    large.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    for path in (large, tmp_path / "missing.csv"):
        with pytest.raises(BarsFileRejectedError) as raised:
            read_bars_csv(path, today=TODAY)
        assert raised.value.file == str(path)
        assert raised.value.details[0]["line"] is None


# --- properties ----------------------------------------------------------------------------

PRICES = st.decimals(
    min_value=Decimal("0.00000001"),
    max_value=Decimal("999999999.99999999"),
    places=8,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def valid_bars(draw: st.DrawFn) -> list[Bar]:
    days = draw(st.lists(st.sampled_from(SESSIONS), min_size=1, max_size=25, unique=True))
    bars = []
    for day in days:
        low, a, b, high = sorted(draw(st.lists(PRICES, min_size=4, max_size=4)))
        open_, close = (a, b) if draw(st.booleans()) else (b, a)
        volume = Decimal(draw(st.integers(0, 10**15)))
        bars.append(Bar(date=day, open=open_, high=high, low=low, close=close, volume=volume))
    return bars


@dataclass(frozen=True)
class Rendered:
    text: str
    #: The line each bar's row is on, in the order of the bars.
    lines: tuple[int, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]


def _cell(bar: Bar, column: str, whole_volume: bool) -> str:
    value = getattr(bar, column)
    if column == "date":
        return str(value.isoformat())
    if column == "volume" and not whole_volume:
        return f"{value}.0"  # as spreadsheets write whole numbers
    return format(value.normalize(), "f")


@st.composite
def rendered(draw: st.DrawFn, bars: list[Bar]) -> Rendered:
    """``bars`` as a user's tool might write them: any column order and case, CRLF or LF,
    blank lines anywhere."""
    columns = tuple(draw(st.permutations(COLUMNS)))
    cases = [draw(st.sampled_from([str.lower, str.upper, str.title])) for _ in columns]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    out = [",".join(case(name) for case, name in zip(cases, columns, strict=True))]
    lines, cells = [], []
    for bar in bars:
        if draw(st.booleans()):
            out.append("")
        row = tuple(_cell(bar, column, draw(st.booleans())) for column in columns)
        out.append(",".join(row))
        lines.append(len(out))
        cells.append(row)
    return Rendered(newline.join(out) + newline, tuple(lines), columns, tuple(cells))


@given(st.data())
def test_any_valid_file_round_trips_to_exactly_its_bars(data):
    bars = data.draw(valid_bars())
    file = data.draw(rendered(bars))

    assert parse(file.text) == tuple(sorted(bars, key=lambda bar: bar.date))


#: Cells no column accepts, whatever the row.
_BAD_CELLS = {
    "date": ["2025/03/10", "2025-02-30", "1970-06-01", "2099-12-31", "2024-06-01", "x", ""],
    "price": ["0", "-1", "abc", "1e3", "1000000000", "1.123456789", "", "1,5", " - "],
    "volume": ["-5", "1.5", "1000000000000001", "x", ""],
}


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, int, str]:
    """A valid file with one row made invalid, and the line and column to blame."""
    bars = draw(valid_bars())
    file = draw(rendered(bars))
    index = draw(st.integers(0, len(bars) - 1))
    columns = list(file.columns)
    row = list(file.cells[index])
    kind = draw(st.sampled_from(["cell", "duplicate", "high", "low", "fields"]))
    blamed = draw(st.sampled_from(columns))
    if kind == "cell":
        family = blamed if blamed in ("date", "volume") else "price"
        bad = draw(st.sampled_from(_BAD_CELLS[family]))
        row[columns.index(blamed)] = f'"{bad}"'  # quoted: a comma stays in its cell
    elif kind == "duplicate":
        assume(index > 0)
        blamed = "date"
        row[columns.index("date")] = file.cells[index - 1][columns.index("date")]
    elif kind in ("high", "low"):
        bar, blamed = bars[index], kind
        tight = max(bar.open, bar.close) if kind == "high" else min(bar.open, bar.close)
        extreme = Decimal("0.00000001") if kind == "high" else Decimal("999999999.99999999")
        assume(tight != extreme)
        row[columns.index(kind)] = format(extreme, "f")
    else:
        blamed = columns[-1]
        row.pop()
    lines = file.text.split("\n")
    lines[file.lines[index] - 1] = ",".join(row) + ("\r" if file.text.endswith("\r\n") else "")
    return "\n".join(lines), file.lines[index], blamed


@given(mutated())
def test_any_file_made_invalid_is_refused_at_the_row_and_column_changed(case):
    text, line, column = case

    found = where(text)

    assert (line, column) in found
    assert {at for at, _ in found} == {line}
