"""Invocations' lines reach CloudWatch Logs (the moto server) the way Lambda sends them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import boto3
import pytest

from alchemiser_local.lambda_logs import LambdaLogs, LogTee
from tests.integration.conftest import REGION

STREAM = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")


@pytest.fixture
def logs(aws_env: str):
    return boto3.client("logs", region_name=REGION)


@pytest.fixture
def lambda_logs(logs) -> Iterator[LambdaLogs]:
    shipping = LambdaLogs(LogTee(io.StringIO()), logs)
    yield shipping
    shipping.close()


def invoke(lambda_logs: LambdaLogs, group: str, request_id: str, *lines: str, cold: bool) -> str:
    invocation = lambda_logs.start("TradingSystemFunction", group, request_id, cold=cold)
    for line in lines:
        lambda_logs.tee.write(line + "\n")
    lambda_logs.finish(invocation, seconds=0.0123, memory_mb=512, init_seconds=0.25)
    lambda_logs.flush()
    return invocation.stream


def messages(logs, group: str, stream: str) -> list[str]:
    events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    return [event["message"] for event in events["events"]]


def test_each_container_gets_a_stream_and_each_invocation_its_platform_lines(
    logs, lambda_logs, uid
) -> None:
    # Given the function's log group, as the stack creates it
    group = f"/aws/lambda/alchemiser-trading-{uid}"
    logs.create_log_group(logGroupName=group)

    # When a cold invocation, a warm one, then a new container's first run
    first = invoke(lambda_logs, group, "req-1", '{"event": "a"}', '{"event": "b"}', cold=True)
    again = invoke(lambda_logs, group, "req-2", '{"event": "c"}', cold=False)
    fresh = invoke(lambda_logs, group, "req-3", cold=True)

    # Then the first container's stream has both invocations, framed as Lambda frames them
    assert first == again != fresh
    assert STREAM.match(first)
    assert STREAM.match(fresh)
    written = messages(logs, group, first)
    assert [m for m in written if not m.startswith("REPORT")] == [
        "START RequestId: req-1 Version: $LATEST",
        '{"event": "a"}',
        '{"event": "b"}',
        "END RequestId: req-1",
        "START RequestId: req-2 Version: $LATEST",
        '{"event": "c"}',
        "END RequestId: req-2",
    ]
    report = r"REPORT RequestId: {}\tDuration: 12.30 ms\tBilled Duration: 13 ms\t"
    report += r"Memory Size: 512 MB\tMax Memory Used: \d+ MB"
    assert re.fullmatch(report.format("req-1") + r"\tInit Duration: 250.00 ms", written[4])
    assert re.fullmatch(report.format("req-2"), written[8])  # warm: no init duration
    # and the new container's stream starts with its own cold start
    assert messages(logs, group, fresh)[-1].endswith("\tInit Duration: 250.00 ms")


def test_a_log_group_the_stack_lacks_is_created_on_first_use(logs, lambda_logs, uid) -> None:
    group = f"/aws/lambda/never-created-{uid}"

    stream = invoke(lambda_logs, group, "req-1", '{"event": "a"}', cold=True)

    assert messages(logs, group, stream)[1] == '{"event": "a"}'


def test_a_line_that_could_not_be_stored_is_not_lost_silently(logs, lambda_logs, uid) -> None:
    # Given a stream whose group is deleted behind the shipper's back
    group = f"/aws/lambda/deleted-{uid}"
    invoke(lambda_logs, group, "req-1", cold=True)
    logs.delete_log_group(logGroupName=group)

    # When the next invocation's lines are shipped / Then flushing says they were not stored
    invocation = lambda_logs.start("TradingSystemFunction", group, "req-2", cold=False)
    lambda_logs.finish(invocation, seconds=0.001, memory_mb=512, init_seconds=0.0)
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        lambda_logs.flush()
