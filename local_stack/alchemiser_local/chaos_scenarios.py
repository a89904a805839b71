"""The faults ``make chaos`` runs the workflow under, each a ``Scenario``.

Every fault is one a deployed stack meets: DynamoDB throttling and errors on the
idempotency, paper broker and ledger tables; ``PutEvents`` partial failures and
requests applied but answered 500 (or never answered); SQS send errors and sends
applied but answered 500; S3 errors; Alpaca 5xx, 429, timeouts and dropped connections;
a step killed by the Lambda timeout before and after its effects; a timeout escaping a
library inside a step; an old workflow delivered again after its idempotency records
expired. Faults that botocore's retries absorb and faults that persist beyond them (a
fault of ``SDK_ATTEMPTS`` requests or more is one the code itself meets) are both here.

Timing: Lambda retries an asynchronous invocation about 1 and 2 minutes after a
failure; the local stack retries at once unless told otherwise. That is enough
wherever the function's own error handling runs (a failed unit of work releases its
idempotency claim). A crash skips that handling and leaves the claim in progress until
it expires, so crash scenarios run on ``SCALED`` timing: the relation template.yaml
keeps on AWS (function timeout <= in-progress expiry < the first retry's delay), with
every duration read from template.yaml and scaled down by one factor (a minute lasts
2.5 s) through the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from alchemiser.aws import MAX_ATTEMPTS as SDK_ATTEMPTS
from alchemiser.idempotency import RESULT_SAVES
from alchemiser_local.alpaca_emulator_faults import Fault
from alchemiser_local.crashes import Crash
from alchemiser_local.faults import AwsFault

__all__ = [
    "FAST",
    "LAMBDA_FIRST_RETRY_SECONDS",
    "SCALED",
    "SCENARIOS",
    "SDK_ATTEMPTS",
    "TEMPLATE",
    "Scenario",
    "Timing",
    "baseline_of",
]


#: Lambda's wait before the first retry of a failed asynchronous invocation (about a
#: minute; the second comes about two minutes after that).
LAMBDA_FIRST_RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class Timing:
    """How long functions may run, claims are held, and Lambda waits before a retry.

    ``scale`` None: template.yaml's timeouts and in-progress expiry, retries at once.
    Otherwise every duration is AWS's times ``scale``: each function's ``Timeout``, the
    template's ``IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS``, and Lambda's first retry delay.
    """

    scale: float | None = None

    @property
    def retry_delay_seconds(self) -> float:
        """The local stack's wait before a retry."""
        return 0.0 if self.scale is None else LAMBDA_FIRST_RETRY_SECONDS * self.scale


#: template.yaml's timeouts and in-progress expiry; retries at once.
TEMPLATE = Timing()
#: template.yaml's relation scaled down: a minute lasts 2.5 s.
SCALED = Timing(scale=2.5 / LAMBDA_FIRST_RETRY_SECONDS)


@dataclass(frozen=True)
class Scenario:
    """One fault (or several at once) and how the run is set up for it."""

    name: str
    description: str
    faults: tuple[AwsFault, ...] = ()
    alpaca_faults: tuple[Fault, ...] = ()
    crashes: tuple[Crash, ...] = ()
    backend: Literal["paper", "alpaca"] = "paper"
    timing: Timing = TEMPLATE
    days: int = 1
    #: After the run, expire the idempotency records and deliver the first day again.
    redeliver: bool = False

    @property
    def crashing(self) -> bool:
        """Whether an invocation is killed (the figure "first retry proceeds" applies)."""
        return any(c.raises == "kill" for c in self.crashes)


def baseline_of(scenario: Scenario) -> Scenario:
    """The fault-free run ``scenario`` is compared with: same backend, same days."""
    return Scenario(
        name=f"fault-free-{scenario.backend}-{scenario.days}d",
        description="no fault",
        backend=scenario.backend,
        days=scenario.days,
    )


_IDEMPOTENCY = "alchemiser-idempotency-*"
_PAPER = "alchemiser-paper-broker-*"
_LEDGER = "alchemiser-ledger-*"
_BARS = "alchemiser-bars-*"
_SPY_BARS = "alchemiser-bars-*/bars/SPY.*"
_LEDGER_QUEUE = "alchemiser-*_trade_ledger"
_ORDERS = "/v2/orders"


def _dynamodb(kind: str, operation: str, table: str, **options: int) -> AwsFault:
    return AwsFault.model_validate(
        {"kind": kind, "service": "dynamodb", "operation": operation, "resource": table, **options}
    )


def _aws(kind: str, service: str, operation: str, resource: str, **options: int) -> AwsFault:
    return AwsFault.model_validate(
        {"kind": kind, "service": service, "operation": operation, "resource": resource, **options}
    )


_DYNAMODB = (
    Scenario(
        "dynamodb-throttle-idempotency-claim",
        "a step's claim (PutItem) throttled past botocore's retries",
        faults=(_dynamodb("throttle", "PutItem", _IDEMPOTENCY, times=SDK_ATTEMPTS, after=1),),
    ),
    Scenario(
        "dynamodb-throttle-idempotency-result",
        "the execution step's result UpdateItem throttled on every attempt of every save",
        faults=(
            _dynamodb(
                "throttle", "UpdateItem", _IDEMPOTENCY, times=RESULT_SAVES * SDK_ATTEMPTS, after=3
            ),
        ),
        # A retry meets the claim as it would on AWS: expired a minute later.
        timing=SCALED,
    ),
    Scenario(
        "dynamodb-error-idempotency",
        "idempotency table answering 500 past botocore's retries",
        faults=(_dynamodb("error", "*", _IDEMPOTENCY, times=SDK_ATTEMPTS, after=3),),
    ),
    Scenario(
        "dynamodb-throttle-paper-broker",
        "the paper broker's order transaction throttled past botocore's retries",
        faults=(_dynamodb("throttle", "TransactWriteItems", _PAPER, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "dynamodb-applied-500-paper-broker",
        "the paper broker's order transaction applied, answered 500",
        faults=(_dynamodb("applied_error", "TransactWriteItems", _PAPER),),
    ),
    Scenario(
        "dynamodb-error-paper-broker-read",
        "the paper account's Query answering 500 past botocore's retries",
        faults=(_dynamodb("error", "Query", _PAPER, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "dynamodb-throttle-ledger",
        "the ledger's PutItem throttled past botocore's retries (the worker retries)",
        faults=(_dynamodb("throttle", "PutItem", _LEDGER, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "dynamodb-error-ledger",
        "the ledger's PutItem answering 500 (absorbed by botocore)",
        faults=(_dynamodb("error", "PutItem", _LEDGER, times=SDK_ATTEMPTS - 1),),
    ),
)

_EVENTBRIDGE = (
    Scenario(
        "putevents-partial",
        "PutEvents failing one entry (FailedEntryCount 1, InternalFailure)",
        faults=(_aws("partial", "events", "PutEvents", "*/SignalGenerated"),),
    ),
    Scenario(
        "putevents-partial-persistent",
        "PutEvents failing the step's entry on every attempt of the publisher",
        faults=(_aws("partial", "events", "PutEvents", "*/RebalancePlanned", times=3),),
    ),
    Scenario(
        "putevents-throttle",
        "PutEvents throttled past botocore's retries",
        faults=(_aws("throttle", "events", "PutEvents", "*/TradeExecuted", times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "putevents-applied-500",
        "PutEvents applied, answered 500 (botocore sends it again)",
        faults=(_aws("applied_error", "events", "PutEvents", "*/TradeExecuted"),),
    ),
    Scenario(
        "putevents-applied-dropped",
        "PutEvents applied, connection dropped before the answer",
        faults=(_aws("applied_drop", "events", "PutEvents", "*/RebalancePlanned"),),
    ),
)

_SQS_S3 = (
    Scenario(
        "sqs-send-error",
        "the ledger task's SendMessage answering 500 past botocore's retries",
        faults=(_aws("error", "sqs", "SendMessage", _LEDGER_QUEUE, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "sqs-send-throttle",
        "the ledger task's SendMessage throttled past botocore's retries",
        faults=(_aws("throttle", "sqs", "SendMessage", _LEDGER_QUEUE, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "sqs-send-applied-500",
        "the ledger task's SendMessage applied, answered 500 (botocore sends it again)",
        faults=(_aws("applied_error", "sqs", "SendMessage", _LEDGER_QUEUE),),
    ),
    Scenario(
        "s3-error-bar-store",
        "the bar store's GetObject of SPY answering 500, past botocore's retries",
        faults=(_aws("error", "s3", "GetObject", _SPY_BARS, times=SDK_ATTEMPTS),),
    ),
    Scenario(
        "s3-throttle-bar-store",
        "the bar store's GetObjects throttled (SlowDown), absorbed by botocore",
        faults=(_aws("throttle", "s3", "GetObject", _BARS, times=SDK_ATTEMPTS - 1),),
    ),
)


def _alpaca(name: str, description: str, *faults: Fault) -> Scenario:
    return Scenario(name, description, alpaca_faults=faults, backend="alpaca")


_ALPACA = (
    _alpaca(
        "alpaca-5xx-orders",
        "Alpaca answering 503 to every attempt of an order submission",
        Fault(kind="error", path=_ORDERS, method="POST", times=4),
    ),
    _alpaca(
        "alpaca-5xx-order-applied",
        "an order placed, Alpaca answering 503",
        Fault(kind="error", path=_ORDERS, method="POST", apply=True),
    ),
    _alpaca(
        "alpaca-429",
        "Alpaca rate limiting (429, Retry-After 1) twice",
        Fault(kind="rate_limit", path="/v2/*", times=2, retry_after=1),
    ),
    _alpaca(
        "alpaca-timeout",
        "an order submission unanswered past the client's 10 s timeout",
        Fault(kind="hang", path=_ORDERS, method="POST", seconds=11),
    ),
    _alpaca(
        "alpaca-dropped-order",
        "an order placed, the connection dropped before the answer",
        Fault(kind="drop", path=_ORDERS, method="POST", apply=True),
    ),
    _alpaca(
        "alpaca-dropped-account",
        "the account read dropped on every attempt",
        Fault(kind="drop", path="/v2/account", times=4),
    ),
)


def _crash(name: str, description: str, crash: Crash) -> Scenario:
    return Scenario(name, description, crashes=(crash,), timing=SCALED)


_CRASHES = (
    _crash(
        "crash-before-order",
        "the execution step killed by the Lambda timeout before its first order",
        Crash("dynamodb", "TransactWriteItems", _PAPER, when="before"),
    ),
    _crash(
        "crash-after-order",
        "the execution step killed by the Lambda timeout just after its first order",
        Crash("dynamodb", "TransactWriteItems", _PAPER, when="after"),
    ),
    _crash(
        "crash-after-publish",
        "the execution step killed after publishing TradeExecuted, before its result is saved",
        Crash("events", "PutEvents", "*/TradeExecuted", when="after"),
    ),
    _crash(
        "crash-before-ledger-task",
        "the monitor step killed before it queues the ledger task",
        Crash("sqs", "SendMessage", _LEDGER_QUEUE, when="before"),
    ),
    Scenario(
        "timeout-error-in-step",
        "a builtin TimeoutError escaping the S3 client inside the signal step",
        crashes=(Crash("s3", "GetObject", _BARS, raises="timeout_error"),),
    ),
)

_REDELIVERY = (
    Scenario(
        "redelivery-after-expiry",
        "day one's WorkflowStarted, SignalGenerated and RebalancePlanned delivered again"
        " after their idempotency records expired (and a day has passed)",
        days=2,
        redeliver=True,
    ),
)

SCENARIOS: tuple[Scenario, ...] = (
    *_DYNAMODB,
    *_EVENTBRIDGE,
    *_SQS_S3,
    *_ALPACA,
    *_CRASHES,
    *_REDELIVERY,
)
#: The profile ``make test`` runs: one of each family that reached a defect.
FAST = (
    "dynamodb-throttle-idempotency-result",
    "putevents-applied-500",
    "sqs-send-applied-500",
    "crash-before-order",
    "timeout-error-in-step",
)
