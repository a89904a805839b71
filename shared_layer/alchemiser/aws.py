"""boto3 clients and the one table of AWS error codes, in this one place.

Clients are created on first use, once per container, and only those a path needs:
boto3 and botocore are imported lazily, so importing a handler stays cheap on a cold
start. Every client uses botocore's standard retry mode (throttling, 5xx and dropped
connections are retried before our own code sees them) and honours
``AWS_ENDPOINT_URL`` natively, so the local stack and the tests need no special code
path. Adapters also accept ``client=``.

What an SDK failure means is decided here, once, for every adapter
(``translate_aws_errors``): permission and configuration problems are ``ConfigError``
(no retry can fix them), throttling, 5xx and transport failures are the adapter's
``TransientError`` (retried by Lambda, SQS or Dramatiq), anything else is a bug and
propagates as it is.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, cast

from alchemiser.container import container_cache
from alchemiser.errors import TRANSIENT_BUILTINS, ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from mypy_boto3_codedeploy import CodeDeployClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from alchemiser.errors import TransientError

__all__ = [
    "CONFIGURATION_CODES",
    "MAX_ATTEMPTS",
    "TRANSIENT_CODES",
    "ErrorKind",
    "aws_errors",
    "codedeploy_client",
    "dynamodb_client",
    "error_code",
    "error_kind",
    "events_client",
    "lambda_client",
    "s3_client",
    "secretsmanager_client",
    "sqs_config",
    "translate_aws_errors",
]

#: Attempts per call, the first included (botocore's standard mode). botocore reads a
#: ``max_attempts`` as retries after the first (one attempt more): the total is set.
MAX_ATTEMPTS = 3

#: Codes a retry can fix: botocore's standard-mode throttling and transient codes, and
#: the per-entry codes PutEvents reports for a partial failure.
TRANSIENT_CODES = frozenset(
    {
        "BandwidthLimitExceeded",
        "ConnectionFailed",
        "InternalError",
        "InternalException",
        "InternalFailure",
        "InternalServerError",
        "LimitExceededException",
        "PriorRequestNotComplete",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
        "ServiceUnavailable",
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "TransactionInProgressException",
    }
)

#: Codes that mean the deployment is wrong (permissions, a resource that is not there,
#: keys that cannot be decrypted): no retry fixes them, an operator must.
CONFIGURATION_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AWS.SimpleQueueService.NonExistentQueue",
        "DecryptionFailure",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "InvalidRequestException",
        "KMSAccessDeniedException",
        "KMSDisabledException",
        "NoSuchBucket",
        "QueueDoesNotExist",
        "ResourceNotFoundException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
    }
)

ErrorKind = Literal["transient", "configuration", "bug"]
_SERVER_ERROR = 500


def _config(*, connect_timeout: float, read_timeout: float) -> Any:  # noqa: ANN401 - botocore Config
    from botocore.config import Config  # noqa: PLC0415 - first use, not import

    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


@container_cache
def _client(service: str) -> Any:  # noqa: ANN401 - typed by the accessors below
    import boto3  # noqa: PLC0415 - first use, not import, pays for boto3

    make: Any = boto3.client  # typed per service by the accessors below
    return make(service, config=_config(connect_timeout=60, read_timeout=60))


def s3_client() -> S3Client:
    """The container's S3 client."""
    return cast("S3Client", _client("s3"))


def dynamodb_client() -> DynamoDBClient:
    """The container's DynamoDB client."""
    return cast("DynamoDBClient", _client("dynamodb"))


def events_client() -> EventBridgeClient:
    """The container's EventBridge client."""
    return cast("EventBridgeClient", _client("events"))


def secretsmanager_client() -> SecretsManagerClient:
    """The container's Secrets Manager client."""
    return cast("SecretsManagerClient", _client("secretsmanager"))


def lambda_client() -> LambdaClient:
    """The container's Lambda client (the deploy hook invokes the new versions with it)."""
    return cast("LambdaClient", _client("lambda"))


def codedeploy_client() -> CodeDeployClient:
    """The container's CodeDeploy client (the deploy hook reports its verdict with it)."""
    return cast("CodeDeployClient", _client("codedeploy"))


def sqs_config() -> Any:  # noqa: ANN401 - botocore Config
    """The SQS client settings of every environment's task broker.

    Senders fail fast on a dead endpoint; a worker's long polls (SQS waits at most 20 s)
    still fit the read timeout.
    """
    return _config(connect_timeout=5, read_timeout=30)


def aws_errors() -> tuple[type[Exception], ...]:
    """The exceptions a boto3 call raises (service errors and transport failures).

    A socket timeout or reset that escapes botocore's own wrapping (``TimeoutError``,
    ``ConnectionError``) is a transport failure like any other.
    """
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - cold start

    return (ClientError, BotoCoreError, *TRANSIENT_BUILTINS)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a ``ClientError`` (None for transport failures)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None


def _status(exc: BaseException) -> int:
    response = getattr(exc, "response", None)
    metadata = response.get("ResponseMetadata", {}) if isinstance(response, dict) else {}
    return int(metadata.get("HTTPStatusCode") or 0)


def error_kind(exc: BaseException) -> ErrorKind:
    """What an SDK failure means: retry it, fix the deployment, or fix the code."""
    from botocore.exceptions import (  # noqa: PLC0415 - cold start
        ClientError,
        ConnectionError,
        HTTPClientError,
        NoCredentialsError,
    )

    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in CONFIGURATION_CODES:
            return "configuration"
        if code in TRANSIENT_CODES or _status(exc) >= _SERVER_ERROR:
            return "transient"
        return "bug"
    if isinstance(exc, NoCredentialsError):
        return "configuration"
    if isinstance(exc, (ConnectionError, HTTPClientError, *TRANSIENT_BUILTINS)):
        return "transient"
    return "bug"


@contextmanager
def translate_aws_errors(
    what: str, *, transient: type[TransientError], config: type[ConfigError] = ConfigError
) -> Iterator[None]:
    """Re-raise an SDK failure inside the block as the package's error of its kind.

    Args:
        what: the operation, for the message (``"paper broker: reading the account"``).
        transient: the adapter's retryable error.
        config: the adapter's configuration error.

    Raises:
        TransientError: ``transient``, for throttling, 5xx and transport failures.
        ConfigError: ``config``, for permission and configuration problems.
    """
    try:
        yield
    except aws_errors() as exc:
        kind = error_kind(exc)
        detail = error_code(exc) or type(exc).__name__
        if kind == "transient":
            raise transient(f"{what}: {detail}") from exc
        if kind == "configuration":
            raise config(f"{what}: {detail}: {exc}") from exc
        raise
