"""`alchemiser run --replay`: a saved run's envelopes fed to a fresh stack make the same orders."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.e2e.test_alchemiser_run import alchemiser

if TYPE_CHECKING:
    from pathlib import Path

#: What the broker assigns itself: a fresh stack's broker gives new ids to the same orders.
BROKER_ASSIGNED = {"broker_order_id"}


def orders(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [
        [{k: v for k, v in order.items() if k not in BROKER_ASSIGNED} for order in day["orders"]]
        for day in report["days"]
    ]


def test_a_replayed_run_makes_the_same_orders_and_portfolio(tmp_path: Path) -> None:
    # Given two trading days run by the schedules, their deliveries saved
    recorded = alchemiser(
        "run", "--days", "2", "--start", "2026-11-16", "--out", str(tmp_path / "a")
    )
    assert recorded.returncode == 0, recorded.stderr[-2000:]
    envelopes = tmp_path / "a" / "envelopes.jsonl"
    first = json.loads((tmp_path / "a" / "report.json").read_text())

    # When a fresh stack is fed those envelopes (nothing said about days or seed)
    replayed = alchemiser("run", "--replay", str(envelopes), "--out", str(tmp_path / "b"))

    # Then the same workflows, the same orders and the same final portfolio
    assert replayed.returncode == 0, replayed.stderr[-2000:]
    again = json.loads((tmp_path / "b" / "report.json").read_text())
    assert [d["trading_date"] for d in again["days"]] == ["2026-11-16", "2026-11-17"]
    assert [d["correlation_id"] for d in again["days"]] == [
        d["correlation_id"] for d in first["days"]
    ]
    assert orders(again) == orders(first)
    assert all(orders(first))
    assert (again["positions"], again["cash"]) == (first["positions"], first["cash"])
    # and each recorded event met the one the fresh stack made again: handled once
    assert [d["events"] for d in again["days"]] == [d["events"] for d in first["days"]]
    assert again["envelopes_file"] == str(envelopes)


def test_replay_of_a_file_that_is_not_a_recording_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "envelopes.jsonl"
    bad.write_text(
        '{"kind": "alchemiser-run", "version": 1, "stage": "dev", "seed": 7, "dates": []}\n'
    )

    result = alchemiser("run", "--replay", str(bad), "--out", str(tmp_path / "out"))

    assert result.returncode == 2
    assert f"{bad}:1: not a recorded run: dates" in result.stderr
