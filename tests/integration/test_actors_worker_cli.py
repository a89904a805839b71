"""The documented worker command, ``dramatiq alchemiser.worker``, runs the tasks (moto)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from alchemiser.actors import enqueue
from tests.integration.test_broker_env_reset import (
    envs,  # noqa: F401 - fixture
    queue_depth,
    trade_executed,
)
from tests.support.tasks import allowed_environments

DRAMATIQ = Path(sys.executable).with_name("dramatiq")


@pytest.fixture
def worker_env(aws_env: str, envs, ledger_table: str) -> dict[str, str]:  # noqa: F811
    """What an operator sets to run staging's worker locally against the moto server."""
    return {
        **os.environ,
        "STAGE": "dev",
        "TARGET_ENVIRONMENT": envs["staging"]["name"],
        "LEDGER_TABLE_NAME": ledger_table,
        "LOG_FORMAT": "json",
    }


@pytest.mark.slow  # starts a worker process: a few seconds
def test_dramatiq_cli_worker_consumes_its_target_environment(
    dynamodb,
    sqs,
    envs,  # noqa: F811
    ledger_table,
    worker_env,
) -> None:
    # Given a ledger task in staging's queue and one in dev's
    staging, dev = envs["staging"]["name"], envs["dev"]["name"]
    enqueue(trade_executed(staging), environment=staging, allowed=allowed_environments())
    enqueue(trade_executed(dev), environment=dev, allowed=allowed_environments())

    # When the documented command runs with TARGET_ENVIRONMENT=staging
    worker = subprocess.Popen(
        [str(DRAMATIQ), "alchemiser.worker", "--processes", "1", "--threads", "1"],
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and worker.poll() is None:
            if dynamodb.scan(TableName=ledger_table)["Count"] >= 3:
                break
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)

    # Then staging's task ran (orders and equity recorded) and dev's was left alone
    items = dynamodb.scan(TableName=ledger_table)["Items"]
    assert len(items) == 3, output
    assert {i["environment"]["S"] for i in items if "environment" in i} == {staging}
    assert queue_depth(sqs, envs["dev"][f"alchemiser-{dev}_trade_ledger"]) == 1
    assert '"event":"worker_ready"' in output
