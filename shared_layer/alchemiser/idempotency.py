"""Exactly-once effects on at-least-once delivery, shared by both functions.

Powertools for AWS Lambda's idempotency utility with its DynamoDB persistence layer is
the implementation (the reference, not re-written): the claim is one conditional
PutItem, never check-then-put; an in-progress record blocks a concurrent duplicate
until the claiming invocation's remaining time has run out (so a timed-out claim can
be taken again); a failure deletes the claim so a retry runs; a completed record
answers duplicates with the first result until it expires; the same key with another
payload is an error. This module gives it the package's shape: an explicit key and
payload, nothing built at import time, errors from the package's hierarchy, and a flag
telling a first run from a duplicate.

AWS calls per unit of work: one PutItem (claim) and one UpdateItem (result) when it
runs; one conditional PutItem, answered with the stored record, for a duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from alchemiser.aws import dynamodb_client, error_kind
from alchemiser.container import container_cache
from alchemiser.errors import (
    IdempotencyInProgressError,
    IdempotencyPayloadMismatchError,
    IdempotencyStoreConfigError,
    IdempotencyStoreUnavailableError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.config import IdempotencySettings

__all__ = ["Once", "RemainingTime", "run_once"]


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
class Once:
    """The result of a unit of work, and whether this call ran it or replayed it."""

    result: dict[str, Any]
    duplicate: bool


@container_cache
def _store(table_name: str, client: DynamoDBClient) -> DynamoDBPersistenceLayer:
    """One persistence layer per table and client (the container's, unless forgotten)."""
    from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415 - cold start
        DynamoDBPersistenceLayer,
    )

    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=client)


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
    config.register_lambda_context(context or _FixedBudget())  # type: ignore[arg-type]

    def unit_of_work(request: dict[str, Any]) -> dict[str, Any]:
        return work()

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


def _replayed(response: Any, idempotent_data: DataRecord) -> Once:  # noqa: ANN401 - stored JSON
    """Powertools' response hook: called only when a stored result answers a duplicate."""
    del idempotent_data
    return Once(result=response, duplicate=True)
