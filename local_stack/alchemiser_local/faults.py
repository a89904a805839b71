"""Programmed AWS faults: what the next calls to a service, operation and resource meet.

Chaos runs need AWS to fail on cue, the way it fails in production, at the wire: a
throttle (the service's own throttling error and status), a 5xx, a request the service
applied whose answer was still a 500 (or never came), a ``PutEvents`` that took only
some of its entries (``FailedEntryCount`` with per-entry ``ErrorCode``), a slow answer,
and a connection dropped without one. ``fault_proxy`` plays them in front of the
emulator; this module says which call a request is and which fault it meets.

A fault matches a call by service (the SigV4 signing name: ``dynamodb``, ``events``,
``sqs``, ``s3``), operation (``UpdateItem``) and resource, each a shell pattern. The
resource is the table (every table of a transaction or batch), the queue's name, the
bucket (``<bucket>/<key>`` for an object), or for ``PutEvents`` each entry's
``<bus>/<detail-type>``, so a fault can hit the one object or event a step uses. After
``after`` matching calls have gone through, it fires on the next ``times``. The
stack's clients make ``alchemiser.aws.MAX_ATTEMPTS`` (3) attempts per call: a fault
that fires on all of them is one the code itself meets.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "AwsCall",
    "AwsFault",
    "AwsFaultKind",
    "CallPattern",
    "CallPlan",
    "call_matches",
    "call_of",
    "error_reply",
    "resources_of",
]

AwsFaultKind = Literal[
    "throttle", "error", "applied_error", "partial", "slow", "drop", "applied_drop"
]

_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/(?P<service>[^/]+)/aws4_request")
#: S3's REST operations the stack's code calls, by method (object keys; bucket level).
_S3_OPERATIONS = {
    "GET": ("GetObject", "ListObjects"),
    "HEAD": ("HeadObject", "HeadBucket"),
    "PUT": ("PutObject", "CreateBucket"),
    "DELETE": ("DeleteObject", "DeleteBucket"),
    "POST": ("PostObject", "DeleteObjects"),
}


class AwsFault(BaseModel):
    """One programmed fault (see the module docstring for matching).

    Kinds: ``throttle`` answers the service's throttling error (DynamoDB's
    ``ProvisionedThroughputExceededException``, SQS's ``RequestThrottled``, EventBridge's
    ``ThrottlingException``: 400; S3's ``SlowDown``: 503); ``error`` answers ``status``
    with the service's internal error; ``applied_error`` forwards the request (it takes
    effect) and still answers the error; ``partial`` forwards a ``PutEvents`` without
    its last ``failed_entries`` entries and reports those as failed with
    ``entry_error``; ``slow`` waits ``seconds`` then forwards; ``drop`` closes the
    connection without an answer; ``applied_drop`` forwards, then closes it unanswered.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: AwsFaultKind
    service: str = Field(min_length=1, max_length=40)
    operation: str = Field(default="*", min_length=1, max_length=80)
    resource: str = Field(default="*", min_length=1, max_length=300)
    times: int = Field(default=1, ge=1, le=1_000_000)
    after: int = Field(default=0, ge=0, le=1_000_000)
    status: int = Field(default=500, ge=400, le=599)
    seconds: float = Field(default=0.0, ge=0, le=600)
    failed_entries: int = Field(default=1, ge=1, le=10)
    entry_error: str = Field(default="InternalFailure", min_length=1, max_length=80)


@dataclass(frozen=True)
class AwsCall:
    """Which AWS call a request is: service, operation and the resources it names."""

    service: str
    operation: str
    resources: tuple[str, ...] = ()


def resources_of(service: str, operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The resources a call's parameters name (the module docstring lists them)."""
    if service == "events" and operation == "PutEvents":
        return tuple(
            f"{entry.get('EventBusName', 'default')}/{entry.get('DetailType', '')}"
            for entry in params.get("Entries", ())
        )
    named = _RESOURCES.get(service)
    return named(params) if named else ()


def _bus(params: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(params[k]) for k in ("EventBusName", "Name") if k in params)


def _queue(params: Mapping[str, Any]) -> tuple[str, ...]:
    url = params.get("QueueUrl") or params.get("QueueName") or ""
    return (str(url).rstrip("/").rsplit("/", 1)[-1],)


def _object(params: Mapping[str, Any]) -> tuple[str, ...]:
    bucket, key = params.get("Bucket"), params.get("Key")
    if not bucket:
        return ()
    return (f"{bucket}/{key}",) if key else (str(bucket),)


def _tables(params: Mapping[str, Any]) -> tuple[str, ...]:
    if "TableName" in params:
        return (str(params["TableName"]),)
    if "RequestItems" in params:  # BatchWriteItem, BatchGetItem
        return tuple(params["RequestItems"])
    tables = (  # TransactWriteItems, TransactGetItems: {"Put": {"TableName": ...}}
        action.get("TableName")
        for item in params.get("TransactItems", ())
        for action in item.values()
    )
    return tuple(dict.fromkeys(str(t) for t in tables if t))


_RESOURCES: dict[str, Callable[[Mapping[str, Any]], tuple[str, ...]]] = {
    "dynamodb": _tables,
    "events": _bus,
    "sqs": _queue,
    "s3": _object,
}


def call_of(method: str, path: str, headers: Mapping[str, str], body: bytes) -> AwsCall:
    """The call an HTTP request to an AWS endpoint makes (JSON protocols and S3's REST).

    ``headers`` are keyed in lower case.
    """
    scope = _CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    service = scope["service"] if scope else "unknown"
    target = headers.get("x-amz-target")
    if target:  # JSON protocols: "DynamoDB_20120810.UpdateItem", "AmazonSQS.SendMessage"
        operation = target.rpartition(".")[2]
        params = _json_object(body)
        return AwsCall(service, operation, resources_of(service, operation, params))
    if service == "s3":
        bucket, _, key = unquote(path.partition("?")[0]).lstrip("/").partition("/")
        object_op, bucket_op = _S3_OPERATIONS.get(method, (method, method))
        operation = object_op if key else bucket_op
        return AwsCall(
            service, operation, resources_of(service, operation, {"Bucket": bucket, "Key": key})
        )
    return AwsCall(service, method)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


#: Each JSON service's own codes: (throttling code, internal error code, content type).
_JSON_ERRORS = {
    "dynamodb": (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "com.amazonaws.dynamodb.v20120810#InternalServerError",
        "application/x-amz-json-1.0",
    ),
    "sqs": ("com.amazonaws.sqs#RequestThrottled", "InternalError", "application/x-amz-json-1.0"),
    "events": ("ThrottlingException", "InternalException", "application/x-amz-json-1.1"),
}
_THROTTLED = 400
_S3_SLOW_DOWN = 503


def error_reply(service: str, *, throttle: bool, status: int) -> tuple[int, str, bytes]:
    """The service's own error answer: status, content type and body."""
    if service == "s3":
        code, message = (
            ("SlowDown", "Please reduce your request rate.")
            if throttle
            else ("InternalError", "We encountered an internal error. Please try again.")
        )
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return (_S3_SLOW_DOWN if throttle else status), "application/xml", xml.encode()
    throttling, internal, content_type = _JSON_ERRORS.get(
        service, ("ThrottlingException", "InternalFailure", "application/x-amz-json-1.1")
    )
    body = {
        "__type": throttling if throttle else internal,
        "message": "Rate exceeded" if throttle else "emulated internal failure",
    }
    return (_THROTTLED if throttle else status), content_type, json.dumps(body).encode()


class CallPattern(Protocol):
    """What a fault or crash matches calls by, and how often it fires."""

    @property
    def service(self) -> str: ...  # noqa: D102
    @property
    def operation(self) -> str: ...  # noqa: D102
    @property
    def resource(self) -> str: ...  # noqa: D102
    @property
    def times(self) -> int: ...  # noqa: D102
    @property
    def after(self) -> int: ...  # noqa: D102


def call_matches(pattern: CallPattern, call: AwsCall) -> bool:
    """True when ``pattern``'s service, operation and resource patterns all match ``call``."""
    return (
        fnmatch.fnmatchcase(call.service, pattern.service)
        and fnmatch.fnmatchcase(call.operation, pattern.operation)
        and any(fnmatch.fnmatchcase(r, pattern.resource) for r in call.resources or ("",))
    )


@dataclass
class _Armed[P: CallPattern]:
    pattern: P
    skip: int
    left: int


@dataclass
class CallPlan[P: CallPattern]:
    """Patterns still to fire, oldest first; safe to use from any thread.

    Each lets ``after`` matching calls through, then fires on the next ``times``.
    """

    _armed: list[_Armed[P]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: What fired, in order: the pattern and the call it met.
    fired: list[tuple[P, AwsCall]] = field(default_factory=list)

    def add(self, pattern: P) -> None:
        """Arm ``pattern``."""
        with self._lock:
            self._armed.append(_Armed(pattern, pattern.after, pattern.times))

    def clear(self) -> None:
        """Disarm everything (what fired stays in ``fired``)."""
        with self._lock:
            self._armed.clear()

    def take(self, call: AwsCall, *, where: Callable[[P], bool] = lambda _: True) -> P | None:
        """The armed pattern ``call`` meets (using one of its ``times``), if any."""
        with self._lock:
            for armed in self._armed:
                if not (where(armed.pattern) and call_matches(armed.pattern, call)):
                    continue
                if armed.skip:
                    armed.skip -= 1
                    continue
                armed.left -= 1
                if armed.left == 0:
                    self._armed.remove(armed)
                self.fired.append((armed.pattern, call))
                return armed.pattern
        return None
