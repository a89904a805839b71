"""Exactly-once effects when the idempotency table itself fails, at the wire.

The table is the moto server's, reached through a ``FaultProxy`` that throttles or fails
the calls Powertools makes (PutItem claims, UpdateItem results), with botocore's retries
running as against AWS. A delivery is retried the way Lambda retries it: when the
handler raises, again, after the claim's in-progress time has run out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from alchemiser.aws import MAX_ATTEMPTS, dynamodb_client
from alchemiser.config import IdempotencySettings
from alchemiser.errors import TransientError
from alchemiser.idempotency import Once, run_once
from alchemiser.runtime import new_container
from alchemiser_local.fault_proxy import FaultProxy, running_proxy
from alchemiser_local.faults import AwsFault

#: How long a claim stays in progress in these tests (the context's remaining time).
CLAIM_MS = 300


@dataclass
class Context:
    remaining_ms: int = CLAIM_MS

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@dataclass
class Effects:
    count: int = 0

    def apply(self) -> dict[str, int]:
        self.count += 1
        return {"effect": self.count}


@pytest.fixture
def proxy(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultProxy]:
    """Every client of the container reaches the moto server through a fault proxy."""
    with running_proxy(upstream=moto_endpoint) as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
        new_container()
        yield proxy


@pytest.fixture
def settings(idempotency_table: str) -> IdempotencySettings:
    return IdempotencySettings(idempotency_table_name=idempotency_table)


def results_throttled(table: str, times: int) -> AwsFault:
    return AwsFault(
        kind="throttle", service="dynamodb", operation="UpdateItem", resource=table, times=times
    )


def deliver_like_lambda(effects: Effects, settings: IdempotencySettings) -> Once:
    """The first attempt and Lambda's two retries, each after the claim has expired."""
    for attempt in range(3):
        try:
            return run_once(
                "test",
                key="k",
                payload={},
                work=effects.apply,
                settings=settings,
                context=Context(),
            )
        except TransientError:
            if attempt == 2:
                raise
            time.sleep(CLAIM_MS / 1000 + 0.2)
    raise AssertionError("unreachable")


def test_every_sdk_call_is_attempted_max_attempts_times_in_all(proxy, idempotency_table):
    # Given a table throttling every call
    proxy.fail(AwsFault(kind="throttle", service="dynamodb", resource=idempotency_table, times=100))

    # When one call is made
    with pytest.raises(dynamodb_client().exceptions.ProvisionedThroughputExceededException):
        dynamodb_client().get_item(TableName=idempotency_table, Key={"id": {"S": "x"}})

    # Then botocore sent it MAX_ATTEMPTS times in all
    assert sum(r.fault == "throttle" for r in proxy.requests) == MAX_ATTEMPTS


def test_a_result_that_can_never_be_saved_does_not_run_the_work_again(
    proxy, settings, idempotency_table, logs
):
    # Given every result UpdateItem of the table throttled, persistently
    proxy.fail(results_throttled(idempotency_table, times=100_000))
    effects = Effects()

    # When a unit of work runs and is delivered the way Lambda delivers (retrying on errors)
    once = deliver_like_lambda(effects, settings)

    # Then it ran once and its result was returned: nothing left for a retry to re-run
    assert effects.count == 1
    assert once == Once(result={"effect": 1}, duplicate=False)
    # and operators are told the record could not be kept
    (unsaved,) = [r for r in logs.records() if r["event"] == "idempotency_result_unsaved"]
    assert unsaved["level"] == "error"
    assert unsaved["error"] == "ProvisionedThroughputExceededException"


def test_a_result_throttled_past_the_sdk_retries_is_still_saved(proxy, settings, idempotency_table):
    # Given the result's UpdateItem throttled once more than botocore retries it
    proxy.fail(results_throttled(idempotency_table, times=MAX_ATTEMPTS + 1))
    effects = Effects()

    # When the work runs, and the same request arrives again later
    first = deliver_like_lambda(effects, settings)
    again = deliver_like_lambda(effects, settings)

    # Then the result was saved after all: the second delivery is answered from it
    assert first == Once(result={"effect": 1}, duplicate=False)
    assert again == Once(result={"effect": 1}, duplicate=True)
    assert effects.count == 1
