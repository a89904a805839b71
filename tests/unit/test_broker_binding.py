"""The broker manager without any network: declaration, allow-list, retries, queue names."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import dramatiq
import pytest
from dramatiq.middleware import Retries, TimeLimit
from dramatiq_sqs import SQSBroker

from alchemiser.actors import pnl_report, trade_ledger_entry
from alchemiser.config import Stage
from alchemiser.errors import (
    ConfigError,
    EnvironmentNotAllowedError,
    InputRejectedError,
    LedgerUnavailableError,
    TaskQueueNotBoundError,
    TaskSendError,
)
from alchemiser.taskqueue import (
    TaskBroker,
    close_brokers,
    current_environment,
    declared_actors,
    ensure_broker,
)
from alchemiser.taskqueue.sqs import MAX_RETRIES, VISIBILITY_TIMEOUT_SECONDS, build_middleware
from tests.support.tasks import allowed_environments
from tests.support.template import resources_of_type, sub_stage

if TYPE_CHECKING:
    from mypy_boto3_sqs.service_resource import SQSServiceResource

STAGES: tuple[Stage, ...] = ("dev", "staging", "prod")


class _MissingQueueError(Exception):
    pass


class RecordingSqs:
    """An SQS resource whose every queue exists; records each lookup and each send."""

    def __init__(self) -> None:
        self.looked_up: list[str] = []
        self.sent: list[tuple[str, dict[str, Any]]] = []
        exceptions = SimpleNamespace(QueueDoesNotExist=_MissingQueueError)
        self.meta = SimpleNamespace(client=SimpleNamespace(exceptions=exceptions))

    def get_queue_by_name(self, *, QueueName: str) -> SimpleNamespace:  # noqa: N803 - boto3
        self.looked_up.append(QueueName)

        def send_message(**kwargs: Any) -> None:
            self.sent.append((QueueName, kwargs))

        return SimpleNamespace(url=f"https://sqs.test/{QueueName}", send_message=send_message)

    def Queue(self, url: str) -> SimpleNamespace:  # boto3's lazy queue: no API call
        return SimpleNamespace(url=url)

    def as_resource(self) -> SQSServiceResource:
        """This fake where the broker expects boto3's resource (it uses only the above)."""
        return cast("SQSServiceResource", self)


@pytest.fixture(autouse=True)
def _container(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("ALLOWED_TARGET_ENVIRONMENTS", "dev,staging")
    close_brokers()
    yield
    close_brokers()


def _template_task_queues(stage: str) -> set[str]:
    names = {
        sub_stage(q["Properties"]["QueueName"], stage)
        for q in resources_of_type("AWS::SQS::Queue").values()
    }
    return {name for name in names if name.startswith(f"alchemiser-{stage}_")}


def test_importing_actors_builds_no_broker() -> None:
    # Given a fresh interpreter
    probe = (
        "import sys, dramatiq.broker as b, alchemiser.actors as a\n"
        "assert b.global_broker is None, b.global_broker\n"
        "assert type(a.pnl_report.broker).__name__ == 'UnboundBroker'\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('redis', 'pika')]\n"
    )
    # When it imports the actors, Then no global, Redis or RabbitMQ broker exists
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_an_actor_sent_before_ensure_broker_is_refused() -> None:
    # Given a container that has not chosen an environment
    # When an actor is sent to directly, Then nothing can be sent anywhere
    with pytest.raises(TaskQueueNotBoundError, match="ensure_broker"):
        pnl_report.send(request={})


def test_ensure_broker_refuses_an_environment_outside_the_allow_list() -> None:
    # Given an allow-list of dev and staging, When prod is targeted
    with pytest.raises(EnvironmentNotAllowedError) as refused:
        ensure_broker("prod", allowed=allowed_environments())

    # Then the error is a rejection naming the field, and nothing was bound
    assert isinstance(refused.value, InputRejectedError)
    assert refused.value.to_dict()["field"] == "environment"
    assert current_environment() is None
    assert isinstance(trade_ledger_entry.broker, type(pnl_report.broker))


def test_a_sender_without_an_allow_list_is_a_config_error(monkeypatch) -> None:
    # The allow-list is read once, at the edge, and passed to ensure_broker.
    monkeypatch.delenv("ALLOWED_TARGET_ENVIRONMENTS")
    with pytest.raises(ConfigError, match="ALLOWED_TARGET_ENVIRONMENTS"):
        ensure_broker("dev", allowed=allowed_environments())


def test_ensure_broker_binds_every_actor_and_the_global_broker() -> None:
    # When staging is targeted
    broker = ensure_broker("staging", allowed=allowed_environments())

    # Then every declared actor, and dramatiq's global, use staging's namespace
    assert isinstance(broker, TaskBroker)
    assert broker.namespace == "alchemiser-staging"
    assert dramatiq.get_broker() is broker
    assert {a.actor_name for a in declared_actors()} == set(broker.actors)
    assert all(actor.broker is broker for actor in declared_actors())


def test_only_transient_failures_are_retried_and_within_sqs_limits() -> None:
    # Given the middleware every broker is built with
    middleware = build_middleware()
    [retries] = [m for m in middleware if isinstance(m, Retries)]
    [time_limit] = [m for m in middleware if isinstance(m, TimeLimit)]
    retry = retries.retry_when
    assert retry is not None

    # Then transient errors are retried a bounded number of times, nothing else is
    assert retry(0, LedgerUnavailableError("throttled"))
    assert retry(0, TaskSendError("5xx"))
    assert not retry(MAX_RETRIES, LedgerUnavailableError("throttled"))
    assert not retry(0, InputRejectedError("bad payload"))
    assert not retry(0, KeyError("bug"))
    # And a retry's delay fits SQS (15 min), a task ends before its message reappears
    assert retries.max_backoff <= 15 * 60 * 1000
    assert time_limit.time_limit < VISIBILITY_TIMEOUT_SECONDS * 1000
    assert not [m for m in middleware if type(m).__name__ == "Prometheus"]


def test_task_broker_sets_every_attribute_dramatiq_sqs_would() -> None:
    # Given a stock SQSBroker (whose __init__ TaskBroker does not call)
    stock = SQSBroker(namespace="alchemiser-dev", dead_letter=True)

    # When a TaskBroker is built, Then it has every attribute the stock one has
    ours = TaskBroker(target_env="dev", sqs=RecordingSqs().as_resource())
    assert set(vars(stock)) <= set(vars(ours))
    assert ours.visibility_timeout == VISIBILITY_TIMEOUT_SECONDS
    assert ours.dead_letter is True


@pytest.mark.parametrize("stage", STAGES)
def test_broker_queue_names_are_the_template_queue_names(stage: str) -> None:
    # Given a broker for the stage with every actor declared
    sqs = RecordingSqs()
    broker = TaskBroker(target_env=stage, sqs=sqs.as_resource())
    for actor in declared_actors():
        broker.declare_actor(actor)

    # When a worker consumes every queue (queues and DLQs are looked up)
    for queue_name in broker.get_declared_queues():
        broker.consume(queue_name)

    # Then the names looked up are exactly the template's task queues and DLQs
    assert set(sqs.looked_up) == _template_task_queues(stage)
    assert len(sqs.looked_up) == len(set(sqs.looked_up))


def test_a_sender_looks_up_only_the_task_queue_never_its_dlq() -> None:
    # Given a broker for dev (Lambda roles may only GetQueueUrl/SendMessage the task queue)
    sqs = RecordingSqs()
    broker = TaskBroker(target_env="dev", sqs=sqs.as_resource())
    broker.declare_actor(trade_ledger_entry)

    # When a message is enqueued twice
    for _ in range(2):
        broker.enqueue(trade_ledger_entry.message(event={}))

    # Then only the task queue was looked up, once, and both messages went there
    assert sqs.looked_up == ["alchemiser-dev_trade_ledger"]
    assert [queue for queue, _ in sqs.sent] == ["alchemiser-dev_trade_ledger"] * 2
