"""``dramatiq alchemiser.worker``: which environment the worker consumes, from configuration."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

import dramatiq
import pytest

from alchemiser.config import WorkerSettings, get_settings
from alchemiser.errors import EnvironmentNotAllowedError
from alchemiser.taskqueue import TaskBroker, close_brokers

WORKER_ENV = {
    "STAGE": "dev",
    "ALLOWED_TARGET_ENVIRONMENTS": "dev,staging",
    "LEDGER_TABLE_NAME": "alchemiser-ledger-dev",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
}


@pytest.fixture
def worker(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """The worker module, imported (which binds it) under a valid dev configuration."""
    for name, value in WORKER_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TARGET_ENVIRONMENT", raising=False)
    close_brokers()
    module = importlib.import_module("alchemiser.worker")
    close_brokers()
    get_settings.cache_clear()
    yield module
    close_brokers()


def test_worker_target_environment_defaults_to_the_stage(worker, monkeypatch) -> None:
    # Given no TARGET_ENVIRONMENT, When settings are read, Then the stage is the target
    assert get_settings(WorkerSettings).target_environment == "dev"
    # And an explicit TARGET_ENVIRONMENT wins
    get_settings.cache_clear()
    monkeypatch.setenv("TARGET_ENVIRONMENT", "staging")
    assert get_settings(WorkerSettings).target_environment == "staging"


def test_worker_setup_binds_the_actors_to_the_target_environment(worker, monkeypatch) -> None:
    # Given an operator running the worker for staging from a dev configuration
    monkeypatch.setenv("TARGET_ENVIRONMENT", "staging")

    # When the worker sets up (what importing the module does for the dramatiq CLI)
    broker = worker.setup()

    # Then the CLI's broker is staging's, with both task queues declared
    assert dramatiq.get_broker() is broker
    assert isinstance(broker, TaskBroker)
    assert broker.namespace == "alchemiser-staging"
    assert sorted(broker.get_declared_queues()) == ["pnl_reports", "trade_ledger"]


def test_worker_refuses_a_target_outside_the_allow_list(worker, monkeypatch) -> None:
    monkeypatch.setenv("TARGET_ENVIRONMENT", "prod")
    with pytest.raises(EnvironmentNotAllowedError, match="prod"):
        worker.setup()
