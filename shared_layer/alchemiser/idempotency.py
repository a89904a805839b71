"""Exactly-once effects on at-least-once delivery, shared by both functions.

Powertools for AWS Lambda's idempotency utility with its DynamoDB persistence layer is
the implementation (the reference, not re-written): the claim is one conditional
PutItem, never check-then-put; an in-progress record blocks a concurrent duplicate
until the claiming invocation's remaining time has run out (so a timed-out claim can
be taken again), or ``IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS`` if that is sooner; a
failure deletes the claim so a retry runs; a completed record answers duplicates with
the first result until it expires; the same key with another payload is an error.
This module gives it the package's shape: an explicit key and payload, nothing built at
import time, errors from the package's hierarchy, and a flag telling a first run from a
duplicate.

A hard crash (Lambda stopping a timed-out invocation, the sandbox dying) deletes
nothing: the claim stays in progress until it expires, and a retry that comes before
that is refused. Lambda retries a failed asynchronous invocation about 60 s after the
failure (then about 120 s after that), so the numbers in template.yaml keep, for every
function, ``Timeout`` (45 s) <= in-progress expiry (45 s) < 60 s: the first retry after
any crash finds the claim expired and does the work, and an invocation still running
can never outlive its claim (a concurrent duplicate cannot take it from a live run).
A test reads the relation from template.yaml; ``make chaos`` shows it scaled down.

AWS calls per unit of work: one PutItem (claim) and one UpdateItem (result) when it
runs; one conditional PutItem, answered with the stored record, for a duplicate.

When the work is done its effects have happened (events published, orders placed), so
saving its result must not fail the invocation: Powertools would raise, Lambda would
retry, and once the claim had expired the retry would do the work again (publish its
events a second time). The result's UpdateItem is tried ``RESULT_SAVES`` times (each
with botocore's own retries); if it still fails, ``idempotency_result_unsaved`` is
logged at error level and the result returned. The claim then stays in progress until
its in-progress expiry; only a duplicate delivered after that would run the work again,
and every unit of work is safe to repeat (derived event ids, client order ids, the
day's execution record, conditional ledger writes): a repeat, not a loss.

A result is measured before Powertools stores it: one that would make the record larger
than a DynamoDB item may be is refused with ``IdempotencyRecordTooLargeError`` while the
work is still inside the guard, so Powertools releases the claim. Otherwise DynamoDB
would refuse the UpdateItem, leaving the claim in progress until it timed out and the
failure dressed as a store outage that a retry could fix.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from alchemiser.aws import aws_errors, dynamodb_client, error_code, error_kind
from alchemiser.container import container_cache
from alchemiser.errors import (
    IdempotencyInProgressError,
    IdempotencyPayloadMismatchError,
    IdempotencyRecordTooLargeError,
    IdempotencyStoreConfigError,
    IdempotencyStoreUnavailableError,
)
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.config import IdempotencySettings

__all__ = ["MAX_RECORD_BYTES", "RESULT_SAVES", "Once", "RemainingTime", "record_size", "run_once"]

#: Calls of a result's UpdateItem before it is given up (each with botocore's retries).
RESULT_SAVES = 3
#: Pause before the second call; doubles before each further one.
_RESULT_SAVE_PAUSE_SECONDS = 0.25

#: DynamoDB's item limit, "400 KB", read in decimal: the service enforces 409,600 bytes,
#: so a record this size always fits, with no reliance on how DynamoDB rounds.
MAX_RECORD_BYTES = 400_000
#: A stored record besides its result and key: the attribute names (id, expiration,
#: in_progress_expiration, status, data, validation), two numbers (21 bytes at most
#: each), the longest status (INPROGRESS) and the payload hash (a hex digest; 128
#: characters holds sha512, md5 is the default).
_RECORD_OVERHEAD_BYTES = 54 + 2 * 21 + 10 + 128
#: The hashed idempotency key after ``<scope>#`` (a hex digest, as above).
_HASHED_KEY_BYTES = 128


class RemainingTime(Protocol):
    """The part of Lambda's context that bounds an in-progress claim."""

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until Lambda stops this invocation."""
        ...


@dataclass(frozen=True, slots=True)
class _FixedBudget:
    """Outside Lambda (worker, CLI) a claim is bounded by Lambda's longest timeout."""

    millis: int = 15 * 60 * 1000

    def get_remaining_time_in_millis(self) -> int:
        return self.millis


@dataclass(frozen=True, slots=True)
class _Capped:
    """A remaining time that never exceeds ``millis`` (the in-progress expiry setting)."""

    budget: RemainingTime
    millis: int

    def get_remaining_time_in_millis(self) -> int:
        return min(self.budget.get_remaining_time_in_millis(), self.millis)


def _claim_budget(context: RemainingTime | None, settings: IdempotencySettings) -> RemainingTime:
    """How long a claim taken now may stay in progress (see the module docstring)."""
    budget = context or _FixedBudget()
    cap = settings.idempotency_in_progress_expiry_seconds
    return budget if cap is None else _Capped(budget, int(cap * 1000))


@dataclass(frozen=True, slots=True)
class Once:
    """The result of a unit of work, and whether this call ran it or replayed it."""

    result: dict[str, Any]
    duplicate: bool


_log = get_logger(__name__)


@functools.cache
def _result_keeping_layer() -> type[DynamoDBPersistenceLayer]:
    """Powertools' DynamoDB layer whose result save never fails finished work.

    Made on first use: Powertools is imported when a unit of work first runs.
    """
    from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415 - cold start
        DynamoDBPersistenceLayer,
    )

    class ResultKeepingLayer(DynamoDBPersistenceLayer):
        """Saves a result ``RESULT_SAVES`` times over, then gives up without raising."""

        def save_success(self, data: dict[str, Any], result: dict[str, Any]) -> None:
            save = super().save_success
            _save_result(lambda: save(data=data, result=result), key=str(data.get("key")))

    return ResultKeepingLayer


def _save_result(save: Callable[[], None], *, key: str) -> None:
    """Call ``save`` until it works or ``RESULT_SAVES`` calls failed (then log, not raise)."""
    for attempt in range(1, RESULT_SAVES + 1):
        try:
            save()
        except aws_errors() as exc:
            failure: BaseException = exc
        else:
            return
        if attempt < RESULT_SAVES:
            time.sleep(_RESULT_SAVE_PAUSE_SECONDS * 2 ** (attempt - 1))
    _log.error(
        "idempotency_result_unsaved",
        key=key,
        calls=RESULT_SAVES,
        error=error_code(failure) or type(failure).__name__,
        reason="the work is done; its record stays in progress until the claim expires",
    )


@container_cache
def _store(table_name: str, client: DynamoDBClient) -> DynamoDBPersistenceLayer:
    """One persistence layer per table and client (the container's, unless forgotten)."""
    return _result_keeping_layer()(table_name=table_name, boto3_client=client)


def run_once(
    scope: str,
    *,
    key: str,
    payload: Mapping[str, Any],
    work: Callable[[], dict[str, Any]],
    settings: IdempotencySettings,
    context: RemainingTime | None = None,
) -> Once:
    """Run ``work`` once per ``(scope, key)``; a duplicate gets the first run's result.

    ``payload`` is what must be identical for a call to count as the same request.

    Raises:
        IdempotencyInProgressError: another invocation holds the claim (retry later).
        IdempotencyPayloadMismatchError: ``key`` was used before with another payload.
        IdempotencyStoreUnavailableError: the table throttled or failed (retry).
        IdempotencyStoreConfigError: the table does not exist, or this role may not use it.
        IdempotencyRecordTooLargeError: the result would not fit one DynamoDB item (a bug
            in ``work``); nothing was stored and the claim was released.
    """
    from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415 - cold start
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import (  # noqa: PLC0415
        IdempotencyAlreadyInProgressError,
        IdempotencyInconsistentStateError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=settings.idempotency_expiry_seconds,
        response_hook=_replayed,
    )
    config.register_lambda_context(_claim_budget(context, settings))  # type: ignore[arg-type]

    def unit_of_work(request: dict[str, Any]) -> dict[str, Any]:
        result = work()
        size = record_size(scope, result)
        if size > MAX_RECORD_BYTES:  # raised inside the guard: Powertools drops the claim
            raise IdempotencyRecordTooLargeError(
                scope=scope, key=key, size=size, limit=MAX_RECORD_BYTES
            )
        return result

    guarded = idempotent_function(
        unit_of_work,
        data_keyword_argument="request",
        persistence_store=_store(settings.idempotency_table_name, dynamodb_client()),
        config=config,
        key_prefix=scope,
    )
    try:
        result = guarded(request={"key": key, "payload": dict(payload)})
    except IdempotencyAlreadyInProgressError as exc:
        raise IdempotencyInProgressError(f"{scope} {key} is being processed elsewhere") from exc
    except IdempotencyValidationError as exc:
        raise IdempotencyPayloadMismatchError(
            f"{scope} {key} was processed before with a different payload",
            field="payload",
            kind="idempotency_payload_mismatch",
        ) from exc
    except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError) as exc:
        if exc.__cause__ is not None and error_kind(exc.__cause__) == "configuration":
            raise IdempotencyStoreConfigError(
                f"idempotency table {settings.idempotency_table_name}: {exc.__cause__}"
            ) from exc
        raise IdempotencyStoreUnavailableError(
            f"idempotency store failed for {scope} {key}"
        ) from exc
    return result if isinstance(result, Once) else Once(result=result, duplicate=False)


def record_size(scope: str, result: Mapping[str, Any]) -> int:
    """Bytes of the record that stores ``result`` (names and values, as DynamoDB counts).

    The result is serialized exactly as Powertools stores it (its JSON encoder, sorted
    keys); the rest of the record is bounded from above.
    """
    from aws_lambda_powertools.shared.json_encoder import Encoder  # noqa: PLC0415 - cold start

    data = json.dumps(result, cls=Encoder, sort_keys=True).encode()
    key = len(f"{scope}#".encode()) + _HASHED_KEY_BYTES
    return _RECORD_OVERHEAD_BYTES + key + len(data)


def _replayed(response: Any, idempotent_data: DataRecord) -> Once:  # noqa: ANN401 - stored JSON
    """Powertools' response hook: called only when a stored result answers a duplicate."""
    del idempotent_data
    return Once(result=response, duplicate=True)
