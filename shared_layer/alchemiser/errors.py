"""One error hierarchy for the whole package.

Handlers decide what to do with a failure by its family, never by its message:
`InputRejectedError` is permanent (returned as ``status: "rejected"``, never retried);
`TransientError` is retryable (raised so Lambda, EventBridge and SQS retry and the
DLQ keeps what still fails). Adapters translate SDK errors into these with ``from exc``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    from datetime import date

    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

__all__ = [
    "TRANSIENT_BUILTINS",
    "AlchemiserError",
    "BarRefreshIncompleteError",
    "BarStoreConfigError",
    "BarStoreConflictError",
    "BarsFileRejectedError",
    "BrokerApiError",
    "BrokerCredentialsError",
    "BrokerResponseError",
    "CalendarRangeError",
    "CommandRejected",
    "ConfigError",
    "CrossFieldError",
    "EnvironmentNotAllowedError",
    "EventPublishError",
    "EventRejected",
    "EventTooLarge",
    "IdempotencyError",
    "IdempotencyInProgressError",
    "IdempotencyPayloadMismatchError",
    "IdempotencyRecordTooLargeError",
    "IdempotencyStoreConfigError",
    "IdempotencyStoreError",
    "IdempotencyStoreUnavailableError",
    "InputRejectedError",
    "LedgerUnavailableError",
    "LiveTradingRefusedError",
    "MarketDataError",
    "MarketDataUnavailableError",
    "MissingMarketDataError",
    "OrderRejectedError",
    "PaperAccountNotFoundError",
    "PaperAccountResetError",
    "PnlHistoryMissingError",
    "PublishError",
    "QueueNotProvisionedError",
    "RebalancePlanError",
    "RiskCommandRejectedError",
    "StaleMarketDataError",
    "StepOutputError",
    "StrategyConfigError",
    "TaskQueueError",
    "TaskQueueNotBoundError",
    "TaskSendError",
    "TradingError",
    "TradingStateUnavailableError",
    "TransientError",
    "TurnoverConflictError",
    "is_transient",
]


class AlchemiserError(Exception):
    """Root of every error this package raises on purpose."""


class TransientError(AlchemiserError):
    """Raised when a failure is expected to pass on retry (throttling, 5xx, timeouts)."""


#: Python's own transport failures (``socket.timeout`` is ``TimeoutError``): when one
#: escapes a library it means what a ``TransientError`` means, never a bug.
TRANSIENT_BUILTINS: tuple[type[OSError], ...] = (TimeoutError, ConnectionError)


def is_transient(error: BaseException) -> bool:
    """True for a failure a retry can fix: the family, or an escaped timeout or reset."""
    return isinstance(error, (TransientError, *TRANSIENT_BUILTINS))


# --- configuration -------------------------------------------------------------------


class ConfigError(AlchemiserError):
    """Raised when settings from the environment are missing or invalid."""


# --- rejected input --------------------------------------------------------------------


class InputRejectedError(AlchemiserError):
    """Raised when input can never succeed, however often it is retried.

    Carries the offending field and a reason so callers can return a structured error.
    """

    def __init__(
        self,
        reason: str,
        *,
        field: str | None = None,
        kind: str = "invalid",
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field
        self.kind = kind
        self.details = details or []

    @classmethod
    def from_validation(cls, exc: ValidationError, *, prefix: str | None = None) -> Self:
        """Name the first offending field (dotted, under ``prefix``) and keep every error."""
        errors = exc.errors(include_url=False, include_input=False)
        details: list[dict[str, Any]] = [
            {"field": _dotted(prefix, _loc(err)), "reason": _reason(err), "type": err["type"]}
            for err in errors
        ]
        field = details[0]["field"] if details else prefix
        reason = details[0]["reason"] if details else str(exc)
        return cls(reason, field=field, kind="invalid", details=details)

    def to_dict(self) -> dict[str, Any]:
        """Return the structured form handlers put in their ``rejected`` results."""
        body: dict[str, Any] = {
            "error": type(self).__name__,
            "kind": self.kind,
            "field": self.field,
            "reason": self.reason,
        }
        if self.details:
            body["details"] = self.details
        return body


class CrossFieldError(ValueError):
    """Raised inside a model validator to name the field a cross-field rule blames."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _loc(err: ErrorDetails) -> tuple[int | str, ...]:
    cause = err.get("ctx", {}).get("error")
    if isinstance(cause, CrossFieldError):
        return (*err["loc"], cause.field)
    return err["loc"]


def _reason(err: ErrorDetails) -> str:
    return err["msg"].removeprefix("Value error, ")


def _dotted(prefix: str | None, loc: tuple[int | str, ...]) -> str | None:
    parts = [prefix] if prefix else []
    parts.extend(str(part) for part in loc)
    return ".".join(parts) or None


class CommandRejected(InputRejectedError):  # noqa: N818 - contract name
    """Raised when a payload is not a valid command for TradingSystemFunction."""


class EventRejected(InputRejectedError):  # noqa: N818 - contract name
    """Raised when an envelope is not a routable domain event for EventRoutingFunction."""


# --- publishing ------------------------------------------------------------------------


class PublishError(AlchemiserError):
    """Base for failures to get events onto the bus."""


class EventTooLarge(PublishError):  # noqa: N818 - contract name
    """Raised when an event's PutEvents entry exceeds the EventBridge entry size limit."""

    def __init__(self, *, event_type: str, event_id: str, size: int, limit: int) -> None:
        super().__init__(
            f"{event_type} {event_id} is {size} bytes as a PutEvents entry; the limit is {limit}"
        )
        self.event_type = event_type
        self.event_id = event_id
        self.size = size
        self.limit = limit


class EventPublishError(PublishError, TransientError):
    """Raised when some events did not go out after the bounded retries."""

    def __init__(self, failures: list[dict[str, str]]) -> None:
        listed = ", ".join(
            f"{f['event_type']} {f['event_id']} ({f['error_code']})" for f in failures
        )
        super().__init__(f"{len(failures)} event(s) not published: {listed}")
        self.failures = failures


# --- idempotency -----------------------------------------------------------------------


class IdempotencyError(AlchemiserError):
    """Base for exactly-once processing failures."""


class IdempotencyInProgressError(IdempotencyError, TransientError):
    """Raised when a duplicate arrives while the first delivery is still being processed."""


class IdempotencyPayloadMismatchError(IdempotencyError, InputRejectedError):
    """Raised when a key is reused with a different payload: a bug, not a duplicate."""


class IdempotencyRecordTooLargeError(IdempotencyError):
    """Raised when a unit of work's result would not fit one DynamoDB item (a bug in the work).

    Neither transient nor the input's fault: the same work returns the same oversized
    result on every retry. Raised before the result is written; the claim is released.
    """

    def __init__(self, *, scope: str, key: str, size: int, limit: int) -> None:
        super().__init__(
            f"{scope} {key}: the result's idempotency record would be {size} bytes; "
            f"a DynamoDB item holds at most {limit}"
        )
        self.scope = scope
        self.key = key
        self.size = size
        self.limit = limit


class IdempotencyStoreError(IdempotencyError):
    """Base for failures to use the idempotency table."""


class IdempotencyStoreUnavailableError(IdempotencyStoreError, TransientError):
    """Raised when the idempotency table throttles or fails in a way a retry can fix."""


class IdempotencyStoreConfigError(IdempotencyStoreError, ConfigError):
    """Raised when the idempotency table does not exist or this role may not use it."""


# --- task queues (the env-reset Dramatiq broker) -----------------------------------------


class TaskQueueError(AlchemiserError):
    """Base for failures of the Dramatiq task queues and their env-reset broker."""


class EnvironmentNotAllowedError(TaskQueueError, InputRejectedError):
    """Raised when a target environment is outside the configured allow-list."""


class QueueNotProvisionedError(TaskQueueError, ConfigError):
    """Raised when a task queue the template should have created does not exist."""

    def __init__(self, queue_name: str) -> None:
        super().__init__(
            f"SQS queue {queue_name!r} does not exist; task queues come from template.yaml "
            "and are never created at run time (deploy the stack for this environment)"
        )
        self.queue_name = queue_name


class TaskQueueNotBoundError(TaskQueueError):
    """Raised when an actor is sent to before ``ensure_broker`` chose its environment."""


class TaskSendError(TaskQueueError, TransientError):
    """Raised when SQS did not take a task message (throttling, 5xx, network): retry."""


# --- dramatiq tasks (trade ledger, PnL reports) -------------------------------------------


class LedgerUnavailableError(TransientError):
    """Raised when the ledger table throttles or fails in a way a retry can fix."""


class PnlHistoryMissingError(InputRejectedError):
    """Raised when a PnL report is asked for a window without any equity snapshot."""


# --- trading domain ------------------------------------------------------------------


class TradingError(AlchemiserError):
    """Base for failures of the trading domain."""


class StrategyConfigError(TradingError, ConfigError):
    """Raised when the strategy configuration file is missing or invalid."""


class MarketDataError(TradingError):
    """Base for market data failures."""


class MissingMarketDataError(MarketDataError):
    """Raised when a symbol has no bars (or too few) in the market data source."""


class StaleMarketDataError(MarketDataError):
    """Raised when a symbol's latest bar is older than the freshness allows."""


class MarketDataUnavailableError(MarketDataError, TransientError):
    """Raised when the market data store fails in a way a retry can fix (throttling, 5xx)."""


class BarStoreConfigError(MarketDataError, ConfigError):
    """Raised when the bar store bucket is missing or this role may not read or write it."""


class BarStoreConflictError(MarketDataError, TransientError):
    """Raised when a bar object changed between its read and its conditional write."""


class BarRefreshIncompleteError(MarketDataError, TransientError):
    """Raised when a refresh leaves a symbol without the bars its strategies need.

    What could be refreshed is written first; ``problems`` maps each symbol left short,
    stale or unreadable to its reason (which names the symbol).
    """

    def __init__(self, problems: dict[str, str]) -> None:
        listed = "; ".join(problems.values())
        super().__init__(f"{len(problems)} symbol(s) not ready after the refresh: {listed}")
        self.problems = problems


class BarsFileRejectedError(InputRejectedError):
    """Raised when a user's OHLCV file has bad rows; every one is listed, nothing is written.

    ``details`` holds one ``{"file", "line", "column", "reason"}`` per problem.
    """

    def __init__(self, file: str, details: list[dict[str, Any]]) -> None:
        first = details[0]
        where = f"line {first['line']}" if first["line"] else "the file"
        if first["column"]:
            where += f", column {first['column']}"
        super().__init__(
            f"{len(details)} problem(s), nothing written; first at {where}: {first['reason']}",
            field=file,
            kind="invalid_rows",
            details=details,
        )
        self.file = file


class BrokerApiError(TradingError, TransientError):
    """Raised when a trading broker API fails in a way a retry can fix (5xx, 429, timeout)."""


class OrderRejectedError(TradingError):
    """Raised when a trading broker permanently refuses an order (4xx)."""


class LiveTradingRefusedError(TradingError, InputRejectedError):
    """Raised when live trading is asked for outside an explicit prod configuration."""


class RebalancePlanError(TradingError, InputRejectedError):
    """Raised when a plan cannot be made from its inputs (a held symbol without a price)."""


class PaperAccountNotFoundError(TradingError, ConfigError):
    """Raised when the paper broker's account was never opened (``open_account``)."""


class PaperAccountResetError(TradingError, InputRejectedError):
    """Raised when a paper account's cash (opening or ``paper reset``) or reset is invalid."""


class BrokerCredentialsError(TradingError, ConfigError):
    """Raised when the Alpaca keys are missing from Secrets Manager or malformed."""


class TradingStateUnavailableError(TradingError, TransientError):
    """Raised when the trading state table throttles or fails in a way a retry can fix."""


class TurnoverConflictError(TradingError, TransientError):
    """Raised when another plan of the same day reserved turnover while one was checked.

    Retrying the step re-reads the day's turnover, so the day never passes its limit.
    """


class RiskCommandRejectedError(TradingError, InputRejectedError):
    """Raised when an operator's risk command (``risk resume``) lacks who or why."""


class CalendarRangeError(TradingError, InputRejectedError):
    """Raised when a date is outside the days the NYSE calendar (or its source) covers."""

    def __init__(self, day: date, reason: str) -> None:
        super().__init__(f"{day.isoformat()}: {reason}", field="date", kind="out_of_range")
        self.day = day


class BrokerResponseError(TradingError):
    """Raised when a broker answers with a body that does not read as its API documents.

    Permanent: the same request gets the same answer (a field missing or out of bounds),
    so the workflow step fails with the fields named instead of retrying.
    """


# --- workflow steps --------------------------------------------------------------------


class StepOutputError(InputRejectedError):
    """Raised when a workflow step's output does not fit its event's model.

    The step's inputs (an event, a bar, a broker's answer) led to a value beyond the
    events' bounds; the same inputs give the same output on every retry, so the step
    fails for good, naming the field, and nothing of it is sent.
    """
