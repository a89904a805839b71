"""A day's replay window is the New York day; a recording is refused line by line when wrong."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from alchemiser_local.envelopes import RecordingError, read_recording
from alchemiser_local.ops.common import OpsError
from alchemiser_local.ops.replay import day_window

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        # winter: New York is UTC-5
        (
            date(2026, 11, 27),
            datetime(2026, 11, 27, 5, tzinfo=UTC),
            datetime(2026, 11, 28, 5, tzinfo=UTC),
        ),
        # summer: UTC-4
        (
            date(2026, 7, 1),
            datetime(2026, 7, 1, 4, tzinfo=UTC),
            datetime(2026, 7, 2, 4, tzinfo=UTC),
        ),
        # the day clocks go back: 25 hours long
        (
            date(2026, 11, 1),
            datetime(2026, 11, 1, 4, tzinfo=UTC),
            datetime(2026, 11, 2, 5, tzinfo=UTC),
        ),
    ],
)
def test_a_day_is_its_new_york_midnight_to_midnight(day, start, end) -> None:
    assert day_window(day, now=NOW) == (start, end)


def test_today_ends_now_and_a_day_not_begun_is_refused() -> None:
    assert day_window(date(2026, 12, 1), now=NOW) == (datetime(2026, 12, 1, 5, tzinfo=UTC), NOW)
    with pytest.raises(OpsError, match="has not begun"):
        day_window(date(2026, 12, 2), now=NOW)


HEADER = {
    "kind": "alchemiser-run",
    "version": 1,
    "stage": "dev",
    "seed": 7,
    "dates": ["2026-11-16"],
}
LINE = {
    "day": "2026-11-16",
    "clock": "2026-11-16T14:35:00+00:00",
    "function": "TradingSystemFunction",
    "payload": {"mode": "trade"},
}


def write(tmp_path: Path, *lines: object) -> Path:
    path = tmp_path / "envelopes.jsonl"
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    )
    return path


def test_a_recording_reads_back_as_written(tmp_path) -> None:
    run, delivered = read_recording(write(tmp_path, HEADER, LINE))

    assert (run.seed, run.dates, run.parameters) == (7, (date(2026, 11, 16),), {})
    assert [(d.function, d.payload) for d in delivered] == [
        ("TradingSystemFunction", {"mode": "trade"})
    ]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ((), "is empty"),
        (({"kind": "other"},), r":1: not a recorded run: kind"),
        ((HEADER, "{not json"), r":2: not JSON"),
        (
            (HEADER, {**LINE, "clock": "2026-11-16T14:35:00"}),
            r":2: clock: Input should have timezone",
        ),
        (
            (HEADER, {**LINE, "day": "2026-11-17"}),
            r":2: day 2026-11-17 is not one of the run's days",
        ),
        ((HEADER, {**LINE, "function": "../x"}), r":2: function: String should match"),
    ],
)
def test_a_bad_recording_is_refused_naming_the_line_and_field(tmp_path, lines, problem) -> None:
    with pytest.raises(RecordingError, match=problem):
        read_recording(write(tmp_path, *lines))


def test_a_missing_recording_is_named(tmp_path) -> None:
    with pytest.raises(RecordingError, match="cannot read"):
        read_recording(tmp_path / "none.jsonl")
