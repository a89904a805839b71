"""An operator's day on the local stack: a failure, its replay, the logs, the saved queries.

One ``alchemiser up --bare --parameter BrokerBackend=alpaca``: a fresh deployment whose
broker is the Alpaca emulator. The day, as the runbook (README, "Operating it") has it:
the bar store is backfilled; Alpaca answers every order 503 (a fault the emulator
offers), so the daily trade's RebalancePlanned fails Lambda's retries and lands in the
router's failure destination; the operator sees it (``dlq list``), fixes the cause and
replays it (``dlq replay``): the workflow completes, with one set of orders. Then the
schedule fires again for the same time (a duplicate), a command is rejected, a PnL
report is sent to staging's queue (the warm container's task broker switches
environment: ``broker.reset``) and the day is replayed from the event archive (every
event a duplicate). Then the operator reads it all back: ``logs trace``, ``logs tail``,
and the template's saved Logs Insights queries, evaluated over the emulator's log groups.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from alchemiser.clock import new_york_date
from alchemiser_local.ops.log_records import LogRecord
from tests.e2e.test_first_deploy import UpProcess, _last_session_open, _up
from tests.support.logs_insights import insights_fields, parse_query
from tests.support.samples import SAMPLES, WORKFLOW
from tests.support.template import resources_of_type, sub_stage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

FAILURES = "EventRoutingFailuresQueue"
ORDER_FAULT = {"kind": "error", "path": "/v2/orders*", "method": "POST", "times": 1000}
SECONDS = 60


@dataclass(frozen=True)
class Day:
    """What the day left, and what the operator saw while it happened."""

    up: UpProcess
    correlation_id: str
    listed: list[dict[str, Any]]
    dry_run: dict[str, Any]
    replayed: dict[str, Any]
    listed_after: list[dict[str, Any]]
    orders: list[dict[str, Any]]


def _alpaca(up: UpProcess, method: str, path: str, body: object = None) -> Any:
    """The Alpaca emulator's admin API, at the URL the stack's secret names."""
    secret = up.client("secretsmanager").get_secret_value(SecretId="alchemiser/dev/alpaca")
    base = json.loads(secret["SecretString"])["trading_base_url"].rstrip("/")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}/_emulator/{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _cli(up: UpProcess, *args: str, status: int = 0) -> str:
    result = up.alchemiser(*args)
    assert result.returncode == status, (
        f"{args}: {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def _waiting(up: UpProcess, queue: str) -> int:
    sqs = up.client("sqs")
    url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(found["Attributes"]["ApproximateNumberOfMessages"])


def _lines_with(up: UpProcess, *parts: str) -> int:
    return sum(all(p in line for p in parts) for line in up.lines)


def _invoke(up: UpProcess, sample: str) -> dict[str, Any]:
    payload = (SAMPLES / sample).read_bytes()
    answer = up.client("lambda").invoke(FunctionName="alchemiser-trading-dev", Payload=payload)
    result: dict[str, Any] = json.loads(answer["Payload"].read())
    return result


def _fail_then_replay(up: UpProcess, at: str) -> tuple[list[Any], dict[str, Any], dict[str, Any]]:
    _alpaca(up, "POST", "faults", ORDER_FAULT)
    _cli(up, "schedule", "fire", "DailyTradeSchedule", "--local", "--at", at)
    up.wait_for(
        lambda: _waiting(up, "alchemiser-dev-event-router-failures") == 1, SECONDS, "the failure"
    )
    listed = json.loads(_cli(up, "dlq", "list", "--local", "--json"))
    dry_run = json.loads(_cli(up, "dlq", "replay", FAILURES, "--local", "--dry-run"))
    _alpaca(up, "DELETE", "faults")  # the cause, fixed
    replayed = json.loads(_cli(up, "dlq", "replay", FAILURES, "--local"))
    up.wait_for(lambda: _lines_with(up, "WorkflowCompleted", "handled") == 1, SECONDS, "completion")
    return listed, dry_run, replayed


def _rest_of_the_day(up: UpProcess, at: str) -> None:
    # the schedule delivered again for the same time: the same run, answered again
    _cli(up, "schedule", "fire", "DailyTradeSchedule", "--local", "--at", at)
    up.wait_for(lambda: _lines_with(up, "command trade", "duplicate") == 1, SECONDS, "a duplicate")
    assert _invoke(up, "rejected/commands/unknown-mode.json")["status"] == "rejected"
    # staging's PnL queue, as staging's own stack has it (dev may send tasks to staging)
    up.client("sqs").create_queue(QueueName="alchemiser-staging_pnl_reports")
    assert _invoke(up, "commands/pnl-staging-target.json")["status"] == "queued"
    today = new_york_date(datetime.now(UTC)).isoformat()
    _cli(up, "replay", "--local", "--date", today, "--follow")
    duplicates = ("EventRoutingFunction", "duplicate")
    up.wait_for(lambda: _lines_with(up, *duplicates) == len(WORKFLOW), SECONDS, "the replay")


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    for up in _up(tmp_path_factory.mktemp("ops"), "--parameter", "BrokerBackend=alpaca"):
        _cli(up, "bars", "backfill", "--local")
        at = _last_session_open()
        listed, dry_run, replayed = _fail_then_replay(up, at)
        listed_after = json.loads(_cli(up, "dlq", "list", "--local", "--json"))
        _rest_of_the_day(up, at)
        (message,) = next(q for q in listed if q["queue"] == FAILURES)["messages"]
        yield Day(
            up=up,
            correlation_id=message["correlation_id"],
            listed=listed,
            dry_run=dry_run,
            replayed=replayed,
            listed_after=listed_after,
            orders=_alpaca(up, "GET", "state")["orders"],
        )


def test_a_failed_step_waits_in_its_failure_queue_saying_what_it_was(day: Day) -> None:
    depths = {queue["queue"]: queue["depth"] for queue in day.listed}
    assert depths == {
        "DomainEventsDLQ": 0,
        "EventRoutingFailuresQueue": 1,
        "NotificationsDLQ": 0,
        "PnlReportsDLQ": 0,
        "SchedulerDLQ": 0,
        "TradeLedgerDLQ": 0,
        "TradingFailuresQueue": 0,
    }
    (message,) = next(q for q in day.listed if q["queue"] == FAILURES)["messages"]
    assert message["event_type"] == "RebalancePlanned"
    assert message["error"].startswith("BrokerApiError: Alpaca POST /v2/orders: HTTP 503")
    assert message["error"].endswith("(RetriesExhausted)")
    assert 0 <= message["age_seconds"] < SECONDS
    assert message["redelivery"] == "invoke alchemiser-event-router-dev:$LATEST"


def test_a_dry_run_replays_nothing(day: Day) -> None:
    assert (day.dry_run["replayed"], day.dry_run["left"]) == (0, 0)
    assert [m["status"] for m in day.dry_run["messages"]] == ["would replay"]


def test_the_replay_completes_the_workflow_exactly_once(day: Day) -> None:
    # The message was re-delivered and deleted; every queue is empty afterwards
    assert (day.replayed["replayed"], day.replayed["left"]) == (1, 0)
    assert all(queue["depth"] == 0 for queue in day.listed_after)
    # One set of orders at the broker: one per symbol, none placed twice, all filled,
    # the duplicate schedule and the archive replay included
    symbols = [order["symbol"] for order in day.orders]
    assert symbols
    assert len(symbols) == len(set(symbols))
    assert {order["status"] for order in day.orders} == {"filled"}
    assert _lines_with(day.up, "WorkflowCompleted", "handled") == 1


def _trace(day: Day, *args: str) -> list[dict[str, Any]]:
    return json.loads(_cli(day.up, "logs", "trace", *args, "--local", "--json"))  # type: ignore[no-any-return]


def test_logs_trace_shows_every_step_from_the_schedule_to_workflow_completed(day: Day) -> None:
    # When the operator traces the workflow
    text = _cli(day.up, "logs", "trace", day.correlation_id, "--local")
    (workflow,) = _trace(day, day.correlation_id)
    steps = [(s["received"], s["outcome"]) for s in workflow["invocations"]]

    # Then every invocation is there in order: the command, the three failed attempts with
    # their error, the replayed one, then the duplicates of the second schedule and the
    # archive replay
    assert steps == [
        ("command", "completed"),
        ("WorkflowStarted", "handled"),
        ("SignalGenerated", "handled"),
        ("RebalancePlanned", "raised"),
        ("RebalancePlanned", "raised"),
        ("RebalancePlanned", "raised"),
        ("RebalancePlanned", "handled"),
        ("TradeExecuted", "handled"),
        ("WorkflowCompleted", "handled"),
        ("command", "duplicate"),
        *((event, "duplicate") for event in WORKFLOW),
    ]
    invocations = workflow["invocations"]
    assert all(s["duration_ms"] > 0 for s in invocations)
    assert invocations[1]["cold_start"] is True  # the router's first container
    assert invocations[1]["init_duration_ms"] is not None
    assert [e["error_type"] for s in invocations[3:6] for e in s["errors"]] == [
        "BrokerApiError"
    ] * 3
    # and the table says the same for people, durations and the failed step's error
    assert text.startswith(f"workflow {day.correlation_id}: {len(steps)} invocations")
    assert text.count("ERROR event_outcome: outcome=raised error_type=BrokerApiError") == 3
    assert "RebalancePlanned    execution           raised" in text
    assert "cold start, init" in text


def test_logs_trace_finds_the_workflow_by_its_trading_date(day: Day) -> None:
    trading_date = datetime.fromisoformat(_last_session_open()).astimezone(UTC)

    found = _trace(day, "--date", new_york_date(trading_date).isoformat())

    assert [w["correlation_id"] for w in found] == [day.correlation_id]


def test_logs_trace_of_an_unknown_workflow_or_day_says_so(day: Day) -> None:
    unknown = day.up.alchemiser("logs", "trace", "no-such-workflow", "--local")
    no_day = day.up.alchemiser("logs", "trace", "--date", "2001-09-10", "--local")

    assert unknown.returncode == 2
    assert "logged workflow no-such-workflow" in unknown.stderr
    assert no_day.returncode == 2
    assert "no workflow of trading date 2001-09-10" in no_day.stderr


def test_logs_tail_shows_the_days_errors_and_one_functions_lines(day: Day) -> None:
    errors = _cli(day.up, "logs", "tail", "--local", "--level", "error", "--since", "1h")
    trading = [
        json.loads(line)
        for line in _cli(
            day.up, "logs", "tail", "--local", "--function", "TradingSystemFunction", "--json"
        ).splitlines()
    ]
    started = time.monotonic()
    _cli(day.up, "logs", "tail", "--local", "--follow", "1", "--level", "critical")

    lines = errors.splitlines()
    assert sum("event_outcome" in line and "outcome=raised" in line for line in lines) == 3
    assert sum("input_rejected" in line for line in lines) == 1
    assert all(" error " in line for line in lines)
    assert {line["function"] for line in trading} == {"TradingSystemFunction"}
    assert any(line.get("fields", {}).get("event") == "broker.reset" for line in trading)
    assert time.monotonic() - started >= 1


def test_verify_deploy_checks_each_function_at_the_commit(day: Day) -> None:
    healthy = day.up.alchemiser("verify-deploy", "--local", "--commit", "unbuilt")
    stale = day.up.alchemiser("verify-deploy", "--local", "--commit", "0" * 40)

    assert healthy.returncode == 0, healthy.stderr
    assert "alchemiser-dev: every function is healthy at unbuilt" in healthy.stdout
    assert stale.returncode == 1
    for function in ("TradingSystemFunction", "EventRoutingFunction"):
        assert f"{function}: function_commit is 'unbuilt', expected {'0' * 40}" in stale.stderr


def test_replaying_a_queue_the_stack_does_not_have_names_those_it_has(day: Day) -> None:
    result = day.up.alchemiser("dlq", "replay", "NoSuchQueue", "--local")

    assert result.returncode == 2
    assert "no failure queue 'NoSuchQueue'" in result.stderr
    assert "EventRoutingFailuresQueue" in result.stderr


# --- the saved queries, over what the day wrote to CloudWatch Logs ------------------------

GROUPS = {
    "TradingSystemLogGroup": "/aws/lambda/alchemiser-trading-dev",
    "EventRoutingLogGroup": "/aws/lambda/alchemiser-event-router-dev",
}


@pytest.fixture(scope="module")
def emitted(day: Day) -> dict[str, list[dict[str, Any]]]:
    """Every event of each function's log group, with the fields Logs Insights finds."""
    logs = day.up.client("logs")
    found: dict[str, list[dict[str, Any]]] = {}
    for logical_id, group in GROUPS.items():
        pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group)
        found[logical_id] = [
            insights_fields(LogRecord.of(logical_id, event), group)
            for page in pages
            for event in page["events"]
        ]
    return found


def _query(logical_id: str, correlation_id: str) -> tuple[Any, list[str]]:
    props = resources_of_type("AWS::Logs::QueryDefinition")[logical_id]["Properties"]
    groups = [ref["Ref"] for ref in props["LogGroupNames"]]
    assert sub_stage(props["Name"], "dev").startswith("alchemiser-dev/")
    return parse_query(props["QueryString"].replace("CORRELATION_ID", correlation_id)), groups


def _selected(
    logical_id: str, day: Day, emitted: dict[str, list[dict[str, Any]]]
) -> tuple[Any, list[dict[str, Any]]]:
    query, groups = _query(logical_id, day.correlation_id)
    records = [record for group in groups for record in emitted[group]]
    selected = query.select(records)
    # every field the query names is in the lines it selects
    present = {name for record in selected for name in record}
    assert query.named <= present, f"{logical_id} names fields no line has: {query.named - present}"
    return query, selected


EXPECTED_STATS: dict[str, Callable[[Day], dict[tuple[Any, ...], int]]] = {
    "RejectionsQuery": lambda _: {("invalid", "mode", "alchemiser-trading-dev"): 1},
    "ErrorsByStepQuery": lambda _: {
        ("alchemiser-event-router-dev", "RebalancePlanned", "event_outcome"): 3,
        ("alchemiser-trading-dev", None, "input_rejected"): 1,
    },
    "OrdersQuery": lambda day: {("filled", "buy"): len(day.orders)},
}


@pytest.mark.parametrize("logical_id", sorted(EXPECTED_STATS))
def test_a_saved_stats_query_counts_exactly_the_days_lines(logical_id, day, emitted) -> None:
    query, _ = _selected(logical_id, day, emitted)
    records = [r for group in _query(logical_id, day.correlation_id)[1] for r in emitted[group]]

    assert dict(query.stats(records)) == EXPECTED_STATS[logical_id](day)


def test_the_workflow_query_selects_exactly_the_workflows_lines(day, emitted) -> None:
    _, selected = _selected("WorkflowQuery", day, emitted)

    every = [
        r
        for group in emitted.values()
        for r in group
        if r.get("correlation_id") == day.correlation_id
    ]
    assert selected == sorted(every, key=lambda r: r["@timestamp"])
    handled = [r["event_type"] for r in selected if r.get("outcome") == "handled"]
    assert handled == WORKFLOW


def test_the_broker_reset_query_finds_the_one_environment_switch(day, emitted) -> None:
    _, selected = _selected("BrokerResetsQuery", day, emitted)

    assert [(r["function"], r["previous_env"], r["target_env"]) for r in selected] == [
        ("alchemiser-trading-dev", "dev", "staging")
    ]


def test_the_cold_start_query_finds_one_report_per_container(day, emitted) -> None:
    _, selected = _selected("ColdStartsQuery", day, emitted)

    assert sorted(r["@log"].split(":", 1)[1] for r in selected) == sorted(GROUPS.values())
    assert all(r["@initDuration"] > 0 for r in selected)


def test_the_duplicates_query_finds_each_answered_redelivery(day, emitted) -> None:
    _, selected = _selected("DuplicatesQuery", day, emitted)

    assert sorted(r.get("event_type") or r["scope"] for r in selected) == sorted(
        [*WORKFLOW, "trading.start_workflow"]
    )
    assert {r["correlation_id"] for r in selected} == {day.correlation_id}
