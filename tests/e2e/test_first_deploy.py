"""The first-deploy runbook, run against `alchemiser up --bare` (a stack fresh from a deploy).

Nothing is seeded: the bar store is empty and the paper account does not exist. The
operator's commands (`bars backfill`, `schedule fire`) with `--local` are all it takes
to complete a workflow, as the same commands with `--stage S` after `sam deploy`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from alchemiser.trading.alpaca_broker import AlpacaBroker
from alchemiser.trading.alpaca_config import AlpacaSecret
from alchemiser.trading.market_calendar import is_trading_day, previous_trading_day
from alchemiser_local.runner import new_york_open
from tests.support.template import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

STARTUP_SECONDS = 90
WORKFLOW_SECONDS = 60


class UpProcess:
    """`alchemiser up` in a subprocess, its output collected line by line."""

    def __init__(self, state_dir: Path, *args: str) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env["ALCHEMISER_LOCAL_STATE_DIR"] = str(state_dir)
        self.state_file = state_dir / "dev.json"
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "alchemiser_local.cli", "up", "--bare", *args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, predicate: object, seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if callable(predicate) and predicate():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        pytest.fail(f"{what} did not happen; up said:\n" + "\n".join(self.lines[-40:]))

    def state(self) -> dict[str, str]:
        state: dict[str, str] = json.loads(self.state_file.read_text())
        return state

    def alchemiser(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "alchemiser_local.cli", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def client(self, service: str) -> Any:
        make: Any = boto3.client
        return make(
            service,
            endpoint_url=self.state()["endpoint"],
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


def _up(tmp_path: Path, *args: str) -> Iterator[UpProcess]:
    up = UpProcess(tmp_path, *args)
    try:
        up.wait_for(up.state_file.exists, STARTUP_SECONDS, "the state file")
        yield up
    finally:
        if up.process.poll() is None:
            assert up.stop() == 0
    assert not up.state_file.exists()  # a stopped stack leaves no state behind


@pytest.fixture
def bare_stack(tmp_path: Path) -> Iterator[UpProcess]:
    yield from _up(tmp_path)


@pytest.fixture
def bare_alpaca_stack(tmp_path: Path) -> Iterator[UpProcess]:
    yield from _up(tmp_path, "--parameter", "BrokerBackend=alpaca")


def _last_session_open() -> str:
    """The latest trading day's 09:35 New York (the daily schedule's time), as --at."""
    today = datetime.now(UTC).date()
    day = today if is_trading_day(today) else previous_trading_day(today)
    return new_york_open(day).isoformat()


def _run_the_runbook(up: UpProcess) -> None:
    # When the operator backfills the bar store, then fires the daily schedule
    backfill = up.alchemiser("bars", "backfill", "--local")
    assert backfill.returncode == 0, backfill.stderr
    refreshed = json.loads(backfill.stdout)
    assert refreshed["status"] == "refreshed"
    assert len(refreshed["written"]) == 7  # every symbol the strategies need
    fired = up.alchemiser(
        "schedule", "fire", "DailyTradeSchedule", "--local", "--at", _last_session_open()
    )
    assert fired.returncode == 0, fired.stderr
    assert json.loads(fired.stdout)["status"] == 202

    # Then the stack runs the workflow to its end by itself
    up.wait_for(
        lambda: any("WorkflowCompleted" in line for line in up.lines),
        WORKFLOW_SECONDS,
        "WorkflowCompleted",
    )
    assert not any(" error" in line for line in up.lines if "Function" in line)


def test_the_runbook_completes_a_workflow_on_a_bare_stack(bare_stack: UpProcess) -> None:
    # Given a stack fresh from a deploy: no bars, no paper account
    s3 = bare_stack.client("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "bars" in b["Name"])
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0

    _run_the_runbook(bare_stack)

    # And the paper account opened itself and holds what the orders bought
    table = next(
        t for t in bare_stack.client("dynamodb").list_tables()["TableNames"] if "paper" in t
    )
    items = bare_stack.client("dynamodb").scan(TableName=table)["Items"]
    filled = [i for i in items if i.get("status", {}).get("S") == "filled"]
    held = [i for i in items if i["sk"]["S"].startswith("POSITION#")]
    assert filled
    assert len(held) == len(filled)
    assert all(Decimal(i["quantity"]["N"]) > 0 for i in held)


def test_the_runbook_completes_a_workflow_against_alpaca(bare_alpaca_stack: UpProcess) -> None:
    # Given a bare stack whose broker is Alpaca (the local stack's emulator)
    _run_the_runbook(bare_alpaca_stack)

    # Then the orders were placed at Alpaca, through the Alpaca adapter
    secrets = bare_alpaca_stack.client("secretsmanager")
    raw = secrets.get_secret_value(SecretId="alchemiser/dev/alpaca")["SecretString"]
    secret = AlpacaSecret.model_validate_json(raw)
    account = AlpacaBroker(secret.credentials, base_url=secret.trading_base_url).get_account()
    assert account.positions
    assert account.cash < Decimal(100_000)
