"""``alchemiser run`` as an operator runs it: a subprocess, a report, JSON logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.samples import WORKFLOW
from tests.support.template import ROOT


def alchemiser(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "alchemiser_local.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
        check=False,
    )


@pytest.fixture(scope="module")
def one_day(tmp_path_factory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("run")
    return alchemiser("run", "--start", "2026-11-16", "--out", str(out)), out


def test_run_completes_one_workflow_with_one_correlation_id(one_day):
    result, out = one_day
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((out / "report.json").read_text())
    assert report["succeeded"] is True
    (day,) = report["days"]
    assert day["events"] == WORKFLOW
    assert day["outcome"] == "traded"
    assert day["correlation_id"]
    assert day["orders"]
    assert {order["status"] for order in day["orders"]} == {"filled"}
    assert report["positions"]
    assert "workflow completed" in result.stdout


def test_run_logs_are_cloudwatch_json_lines_joined_by_the_correlation_id(one_day):
    _, out = one_day
    report = json.loads((out / "report.json").read_text())
    correlation_id = report["days"][0]["correlation_id"]
    lines = [json.loads(line) for line in (out / "lambda-logs.jsonl").read_text().splitlines()]
    assert lines
    assert all({"level", "event", "timestamp"} <= line.keys() for line in lines)
    workflow = [line for line in lines if line.get("correlation_id") == correlation_id]
    functions = {line["function"] for line in workflow}
    assert functions == {"alchemiser-trading-dev", "alchemiser-event-router-dev"}
    handled = [
        line["event_type"]
        for line in workflow
        if line["event"] == "event_outcome" and line["outcome"] == "handled"
    ]
    assert handled == WORKFLOW
    assert all("request_id" in line and "cold_start" in line for line in workflow)


def test_run_of_several_days_writes_an_equity_curve(tmp_path):
    result = alchemiser("run", "--days", "3", "--start", "2026-11-16", "--out", str(tmp_path))

    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [d["trading_date"] for d in report["days"]] == ["2026-11-16", "2026-11-17", "2026-11-18"]
    assert len({d["correlation_id"] for d in report["days"]}) == 3
    assert (tmp_path / "equity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_invoke_runs_one_handler_with_the_template_environment():
    result = alchemiser(
        "invoke", "TradingSystemFunction", "--event", "test-events/commands/health.json"
    )

    assert result.returncode == 0, result.stderr[-2000:]
    answer = json.loads(result.stdout)
    assert answer["status"] == "ok"
    assert answer["function"] == "alchemiser-trading-dev"
    assert answer["stage"] == "dev"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["invoke", "NoSuchFunction", "--event", "test-events/commands/health.json"],
            "functions: DeployHookFunction, EventRoutingFunction, TradingSystemFunction",
        ),
        (
            ["invoke", "TradingSystemFunction", "--event", "missing.json"],
            "cannot read event file missing.json",
        ),
        (["--template", "nowhere.yaml", "run"], "cannot read template nowhere.yaml"),
    ],
)
def test_cli_errors_are_clear_and_exit_2(args, message):
    result = alchemiser(*args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_event_file_names_its_path_and_position(tmp_path):
    bad = tmp_path / "event.json"
    bad.write_text('{"mode": "trade",\n "dry_run": tru}\n')

    result = alchemiser("invoke", "TradingSystemFunction", "--event", str(bad), timeout=60)

    assert result.returncode == 2
    assert f"{bad} is not valid JSON" in result.stderr
    assert "line 2, column 13" in result.stderr


def test_a_malformed_template_is_reported(tmp_path):
    broken = tmp_path / "template.yaml"
    broken.write_text("Resources: [unclosed\n")

    result = alchemiser("--template", str(broken), "run", "--out", str(tmp_path), timeout=60)

    assert result.returncode == 2
    assert "is not valid YAML" in result.stderr


def test_a_port_in_use_is_reported(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = alchemiser("--port", str(port), "run", "--out", str(tmp_path), timeout=60)

    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr


def test_up_keeps_the_stack_running_until_ctrl_c():
    import signal

    import boto3

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "alchemiser_local.cli", "up"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    try:
        printed = {}
        assert process.stdout is not None
        for line in process.stdout:
            if "=" in line and line.startswith("AWS_ENDPOINT_URL"):
                printed["endpoint"] = line.strip().split("=", 1)[1]
            elif line.split()[:1] == ["TradeLedgerQueueUrl"]:
                printed["queue"] = line.split()[1]
            if "Ctrl-C stops it" in line:
                break

        # While it runs, the stack answers the AWS SDK at the printed endpoint
        sqs = boto3.client(
            "sqs",
            endpoint_url=printed["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        urls = sqs.list_queues()["QueueUrls"]
        assert any(url.endswith("alchemiser-dev_trade_ledger") for url in urls)
        assert printed["queue"].endswith("alchemiser-dev_trade_ledger")

        # Ctrl-C stops it cleanly
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
