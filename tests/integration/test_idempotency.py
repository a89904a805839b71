"""Exactly-once effects against a real DynamoDB table (moto server), built from the template."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from alchemiser.config import IdempotencySettings
from alchemiser.errors import (
    IdempotencyInProgressError,
    IdempotencyPayloadMismatchError,
    IdempotencyRecordTooLargeError,
    IdempotencyStoreError,
)
from alchemiser.idempotency import MAX_RECORD_BYTES, record_size, run_once


@dataclass
class Effects:
    """Counts real effects; a slow effect widens the race window for concurrency tests."""

    count: int = 0
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def apply(self) -> dict[str, int]:
        time.sleep(self.delay)
        with self.lock:
            self.count += 1
            return {"effect": self.count}


@dataclass
class FakeContext:
    remaining_ms: int

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def settings(idempotency_table: str) -> IdempotencySettings:
    return IdempotencySettings(idempotency_table_name=idempotency_table)


def test_run_once_sequential_duplicate_returns_first_result_without_second_effect(settings):
    effects = Effects()

    # Given a unit of work that already ran for a key
    first = run_once("test", key="k1", payload={"a": 1}, work=effects.apply, settings=settings)
    # When the same key and payload arrive again
    second = run_once("test", key="k1", payload={"a": 1}, work=effects.apply, settings=settings)

    # Then the first result is replayed and nothing happens twice
    assert first.duplicate is False
    assert second.duplicate is True
    assert second.result == first.result == {"effect": 1}
    assert effects.count == 1


def test_run_once_twenty_concurrent_duplicates_have_exactly_one_effect(settings):
    effects = Effects(delay=0.3)

    def attempt(_: int) -> str:
        try:
            once = run_once(
                "test", key="race", payload={"a": 1}, work=effects.apply, settings=settings
            )
        except IdempotencyInProgressError:
            return "in_progress"
        return "duplicate" if once.duplicate else "ran"

    # When 20 threads deliver the same request at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    # Then exactly one ran; every other one was held off or replayed
    assert outcomes.count("ran") == 1
    assert effects.count == 1
    assert set(outcomes) <= {"ran", "in_progress", "duplicate"}


def test_run_once_failure_releases_the_claim_so_a_retry_runs(settings):
    effects = Effects()

    def failing() -> dict[str, int]:
        raise RuntimeError("broker timed out")

    # Given a first delivery that failed
    with pytest.raises(RuntimeError):
        run_once("test", key="k2", payload={"a": 1}, work=failing, settings=settings)
    # When it is retried
    retried = run_once("test", key="k2", payload={"a": 1}, work=effects.apply, settings=settings)

    # Then the retry runs the work
    assert retried.duplicate is False
    assert effects.count == 1


def test_run_once_timed_out_claim_can_be_taken_again(settings):
    effects = Effects()

    # Given an invocation that claimed the key with 1 ms left, then died (Lambda timeout)
    def dies_mid_work() -> dict[str, int]:
        raise SystemExit("container killed")  # not an Exception: the claim is not released

    with pytest.raises(SystemExit):
        run_once(
            "test",
            key="k3",
            payload={"a": 1},
            work=dies_mid_work,
            context=FakeContext(remaining_ms=1),
            settings=settings,
        )
    time.sleep(0.01)

    # When the retry arrives after the claimant's remaining time ran out
    retried = run_once(
        "test",
        key="k3",
        payload={"a": 1},
        work=effects.apply,
        context=FakeContext(remaining_ms=60_000),
        settings=settings,
    )

    # Then it runs
    assert retried.duplicate is False
    assert effects.count == 1


def test_run_once_live_claim_blocks_a_concurrent_duplicate(settings):
    # Given a claim still within its invocation's remaining time
    started, release = threading.Event(), threading.Event()

    def slow() -> dict[str, int]:
        started.set()
        release.wait(5)
        return {"effect": 1}

    worker = threading.Thread(
        target=lambda: run_once(
            "test",
            key="k4",
            payload={"a": 1},
            work=slow,
            context=FakeContext(remaining_ms=60_000),
            settings=settings,
        )
    )
    worker.start()
    started.wait(5)
    try:
        # Then a duplicate is told to retry later, not run
        with pytest.raises(IdempotencyInProgressError):
            run_once("test", key="k4", payload={"a": 1}, work=Effects().apply, settings=settings)
    finally:
        release.set()
        worker.join()


def test_run_once_completed_record_expires_after_the_window(settings, dynamodb, idempotency_table):
    effects = Effects()
    run_once("test", key="k5", payload={"a": 1}, work=effects.apply, settings=settings)

    # Given the completed record's expiry has passed (the window elapsed)
    items = dynamodb.scan(TableName=idempotency_table)["Items"]
    assert len(items) == 1
    assert int(items[0]["expiration"]["N"]) - time.time() == pytest.approx(86_400, abs=60)
    dynamodb.update_item(
        TableName=idempotency_table,
        Key={"id": items[0]["id"]},
        UpdateExpression="SET expiration = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )

    # When the key arrives again, Then it runs again
    again = run_once("test", key="k5", payload={"a": 1}, work=effects.apply, settings=settings)
    assert again.duplicate is False
    assert effects.count == 2


def test_run_once_same_key_with_another_payload_is_an_error(settings):
    effects = Effects()
    run_once("test", key="k6", payload={"a": 1}, work=effects.apply, settings=settings)

    with pytest.raises(IdempotencyPayloadMismatchError) as raised:
        run_once("test", key="k6", payload={"a": 2}, work=effects.apply, settings=settings)

    assert raised.value.field == "payload"
    assert effects.count == 1


def test_run_once_scopes_do_not_share_keys(settings):
    effects = Effects()
    run_once("scope-a", key="k7", payload={}, work=effects.apply, settings=settings)
    other = run_once("scope-b", key="k7", payload={}, work=effects.apply, settings=settings)
    assert other.duplicate is False
    assert effects.count == 2


def test_run_once_missing_table_is_a_store_error(uid):
    settings = IdempotencySettings(idempotency_table_name=f"missing-{uid}")
    with pytest.raises(IdempotencyStoreError):
        run_once("test", key="k8", payload={}, work=Effects().apply, settings=settings)


def blob_of_record_size(scope: str, size: int) -> dict[str, str]:
    """A result whose stored record is ``size`` bytes by ``record_size``'s count."""
    empty = record_size(scope, {"blob": ""})
    return {"blob": "x" * (size - empty)}


def test_run_once_refuses_a_result_too_large_for_one_item_and_releases_the_claim(
    settings, dynamodb, idempotency_table
):
    # Given a unit of work whose result cannot fit a DynamoDB item
    oversized = blob_of_record_size("test", MAX_RECORD_BYTES + 1)

    # When it runs, Then a named error says so (a bug in the work, not a store outage)
    with pytest.raises(IdempotencyRecordTooLargeError) as raised:
        run_once("test", key="big", payload={}, work=lambda: oversized, settings=settings)
    assert raised.value.size == MAX_RECORD_BYTES + 1
    assert raised.value.limit == MAX_RECORD_BYTES
    assert "test big" in str(raised.value)
    # And nothing is left in the table: no result, no claim in progress
    assert dynamodb.scan(TableName=idempotency_table)["Items"] == []
    # So a retry of the fixed work runs at once instead of waiting out a stale claim
    retried = run_once("test", key="big", payload={}, work=lambda: {"ok": 1}, settings=settings)
    assert (retried.duplicate, retried.result) == (False, {"ok": 1})


def test_run_once_stores_and_replays_a_result_at_the_size_limit(settings):
    # Given a result whose record is exactly the largest allowed
    largest = blob_of_record_size("test", MAX_RECORD_BYTES)
    run_once("test", key="edge", payload={}, work=lambda: largest, settings=settings)

    # When it is delivered again, Then DynamoDB held it and the duplicate gets it back
    again = run_once("test", key="edge", payload={}, work=Effects().apply, settings=settings)
    assert again.duplicate is True
    assert again.result == largest


def test_record_size_counts_the_result_as_powertools_serializes_it():
    # Non-ASCII text is stored \\u-escaped (6 bytes a character), Decimals as strings
    plain = record_size("s", {"a": "e"})
    assert record_size("s", {"a": "é"}) == plain + 5
    assert record_size("s", {"a": Decimal("1.50")}) == record_size("s", {"a": "1.50"})
