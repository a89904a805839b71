"""The test evaluator of Logs Insights queries reads the subset the saved queries use."""

from __future__ import annotations

import json

import pytest

from alchemiser_local.ops.log_records import LogRecord
from tests.support.logs_insights import InsightsSyntaxError, insights_fields, parse_query

LINES = [
    {
        "event": "input_rejected",
        "level": "error",
        "error": {"kind": "unknown_mode", "field": "mode"},
    },
    {"event": "event_outcome", "outcome": "duplicate", "event_type": "TradeExecuted"},
    {"event": "event_outcome", "outcome": "handled", "event_type": "TradeExecuted"},
    {"event": "command_completed", "duplicate": True, "scope": "trading.start_workflow"},
]


def records() -> list[dict[str, object]]:
    events = [
        {
            "logStreamName": "s",
            "timestamp": i,
            "eventId": str(i),
            "message": json.dumps(line, separators=(",", ":")),
        }
        for i, line in enumerate(LINES)
    ]
    events.append(
        {
            "logStreamName": "s",
            "timestamp": 9,
            "eventId": "9",
            "message": "REPORT RequestId: r\tDuration: 5.00 ms\tBilled Duration: 5 ms"
            "\tInit Duration: 2.50 ms",
        }
    )
    return [insights_fields(LogRecord.of("F", e), "/aws/lambda/f") for e in events]


def test_nested_json_fields_are_dotted_and_report_fields_discovered() -> None:
    first, *_, report = records()

    assert first["error.kind"] == "unknown_mode"
    assert (report["@type"], report["@initDuration"], report["@log"]) == (
        "REPORT",
        2.5,
        "123456789012:/aws/lambda/f",
    )


def test_and_binds_tighter_than_or_and_parentheses_group() -> None:
    query = parse_query(
        'filter event = "event_outcome" and outcome = "duplicate" or event = "input_rejected"'
    )
    grouped = parse_query(
        'filter event = "event_outcome" and (outcome = "duplicate" or event = "input_rejected")'
    )

    assert [r["event"] for r in query.select(records())] == ["input_rejected", "event_outcome"]
    assert [r.get("outcome") for r in grouped.select(records())] == ["duplicate"]


def test_like_matches_a_regex_on_the_raw_message() -> None:
    query = parse_query('filter @message like /"duplicate":true/')

    assert [r["event"] for r in query.select(records())] == ["command_completed"]


def test_ispresent_and_a_missing_field_never_compare_equal() -> None:
    present = parse_query("filter ispresent(@initDuration)")
    different = parse_query('filter outcome != "handled"')

    assert [r["@type"] for r in present.select(records())] == ["REPORT"]
    assert [r["event"] for r in different.select(records())] == ["event_outcome"]


def test_stats_counts_each_group_and_every_named_field_is_known() -> None:
    query = parse_query(
        'fields @timestamp, event_type | filter event = "event_outcome" '
        "| stats count() by outcome, event_type"
    )

    assert query.stats(records()) == {
        ("duplicate", "TradeExecuted"): 1,
        ("handled", "TradeExecuted"): 1,
    }
    assert query.named == {"@timestamp", "event_type", "event", "outcome"}


def test_sort_and_limit() -> None:
    query = parse_query("sort @timestamp desc | limit 2")

    assert [r["@timestamp"] for r in query.select(records())] == [9, 3]


@pytest.mark.parametrize(
    "text",
    ["parse @message /x/", "filter event == 1", "filter strlen(event) > 1", "stats avg(x) by y"],
)
def test_anything_outside_the_subset_is_refused(text: str) -> None:
    with pytest.raises(InsightsSyntaxError):
        parse_query(text)
