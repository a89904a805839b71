"""The local stack writes function logs as Lambda does: stream names, platform lines, limits."""

from __future__ import annotations

import io
import re
import threading
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from alchemiser_local.lambda_logs import LogTee, report_line, stream_name
from alchemiser_local.log_shipper import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_EVENT_BYTES,
    batches,
)
from alchemiser_local.ops.log_records import platform_fields

REQUEST_ID = "8f5e0d1c-2b3a-4c5d-9e8f-7a6b5c4d3e2f"


def test_stream_name_is_the_date_the_version_and_the_container_id() -> None:
    name = stream_name(datetime(2026, 11, 16, 23, 59, tzinfo=UTC), "ab" * 16)

    assert name == "2026/11/16/[$LATEST]" + "ab" * 16


def test_report_line_is_lambdas_with_init_duration_on_a_cold_start() -> None:
    line = report_line(
        REQUEST_ID, duration_ms=12.341, memory_mb=512, max_memory_mb=80, init_ms=123.456
    )

    assert line == (
        f"REPORT RequestId: {REQUEST_ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\t"
        "Memory Size: 512 MB\tMax Memory Used: 80 MB\tInit Duration: 123.46 ms"
    )


def test_report_line_of_a_warm_invocation_has_no_init_duration() -> None:
    line = report_line(REQUEST_ID, duration_ms=0.2, memory_mb=512, max_memory_mb=80, init_ms=None)

    assert "Init Duration" not in line
    assert "\tBilled Duration: 1 ms\t" in line  # Lambda bills at least 1 ms


def test_report_line_reads_back_as_logs_insights_fields() -> None:
    line = report_line(REQUEST_ID, duration_ms=12.34, memory_mb=512, max_memory_mb=80, init_ms=5.5)

    assert platform_fields(line) == {
        "@type": "REPORT",
        "@requestId": REQUEST_ID,
        "@duration": 12.34,
        "@billedDuration": 13.0,
        "@memorySize": 512_000_000.0,
        "@maxMemoryUsed": 80_000_000.0,
        "@initDuration": 5.5,
    }


def test_start_and_end_lines_read_back_with_their_request_id() -> None:
    assert platform_fields(f"START RequestId: {REQUEST_ID} Version: $LATEST") == {
        "@type": "START",
        "@requestId": REQUEST_ID,
    }
    assert platform_fields('{"event": "START RequestId: x"}') is None


def _event(size: int) -> dict[str, object]:
    return {"timestamp": 0, "message": "x" * size}


@given(st.lists(st.integers(min_value=1, max_value=MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES)))
def test_batches_keep_every_event_in_order_within_cloudwatch_limits(sizes: list[int]) -> None:
    events = [_event(size) for size in sizes]

    split = list(batches(events))  # type: ignore[arg-type]

    assert [e for batch in split for e in batch] == events
    for batch in split:
        assert 0 < len(batch) <= MAX_BATCH_EVENTS
        assert sum(len(e["message"]) + EVENT_OVERHEAD_BYTES for e in batch) <= MAX_BATCH_BYTES


def test_batches_of_many_small_events_hold_at_most_ten_thousand() -> None:
    split = list(batches([_event(1) for _ in range(MAX_BATCH_EVENTS + 1)]))  # type: ignore[misc]

    assert [len(batch) for batch in split] == [MAX_BATCH_EVENTS, 1]


def test_tee_writes_every_line_and_keeps_only_the_invoking_threads() -> None:
    # Given a tee capturing this thread's lines
    file = io.StringIO()
    tee = LogTee(file)
    tee.start()

    # When this thread and another (the task worker) both log
    tee.write('{"event": "mine"}\n')
    other = threading.Thread(target=lambda: tee.write('{"event": "worker"}\n'))
    other.start()
    other.join()
    kept = tee.stop()
    tee.write('{"event": "after"}\n')

    # Then the file has every line, the invocation only its own
    assert file.getvalue().splitlines() == [
        '{"event": "mine"}',
        '{"event": "worker"}',
        '{"event": "after"}',
    ]
    assert [e["message"] for e in kept] == ['{"event": "mine"}']
    assert tee.stop() == []


def test_a_line_larger_than_a_log_event_is_cut_to_the_limit_on_a_character_boundary() -> None:
    tee = LogTee(io.StringIO())
    tee.start()

    tee.write("é" * MAX_EVENT_BYTES + "\n")  # two bytes each

    (event,) = tee.stop()
    size = len(event["message"].encode())
    assert MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES - 1 <= size <= MAX_EVENT_BYTES - 26
    assert re.fullmatch("é+", event["message"])
