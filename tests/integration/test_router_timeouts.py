"""A timeout inside a step is a failure a retry fixes, never a bug to page operators about.

Socket timeouts and dropped connections surface as Python's builtin ``TimeoutError`` and
``ConnectionError`` when they escape a library (``socket.timeout`` is ``TimeoutError``).
The router raises them, so Lambda retries the event, and notifies no one: the same as
for a ``TransientError`` of the package's own adapters.
"""

from __future__ import annotations

import pytest

from alchemiser.functions.routing import route_event
from alchemiser_local.lambda_context import LocalLambdaContext
from tests.integration.test_router import FailingServices
from tests.support import samples
from tests.support.aws import drain

FUNCTION = "alchemiser-event-router-test"


@pytest.fixture
def router_env(monkeypatch, lambda_env):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)
    return lambda_env


def deliver(envelope, services):
    return route_event(envelope, LocalLambdaContext(FUNCTION), services=services)


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("The read operation timed out"),
        ConnectionResetError(104, "Connection reset by peer"),
        BrokenPipeError(32, "Broken pipe"),
    ],
    ids=["TimeoutError", "ConnectionResetError", "BrokenPipeError"],
)
def test_a_timeout_escaping_into_a_step_is_retried_and_notifies_no_one(
    router_env, sqs, tapped_bus, logs, error
):
    envelope = samples.load("events/workflow-started.json")

    # When the signal step's market data read times out
    with pytest.raises(type(error)):
        deliver(envelope, FailingServices(error))

    # Then nothing is published: no ErrorNotificationRequested for a passing failure
    assert drain(sqs, tapped_bus.tap_url) == []
    raised = [r for r in logs.records() if r.get("outcome") == "raised"]
    assert [r["error_type"] for r in raised] == [type(error).__name__]
