"""boto3 clients: created on first use, once per container, in this one place.

boto3 and botocore are imported lazily, so importing a handler stays cheap on a cold
start. Every client uses botocore's standard retry mode (throttling and 5xx are retried
before our own code sees them) and honours ``AWS_ENDPOINT_URL`` natively, so the local
stack and the tests need no special code path. Adapters also accept ``client=``.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs.service_resource import SQSServiceResource

__all__ = [
    "aws_errors",
    "dynamodb_client",
    "error_code",
    "events_client",
    "forget_clients",
    "s3_client",
    "secretsmanager_client",
    "sqs_resource",
]


def _config(*, connect_timeout: float = 60, read_timeout: float = 60) -> Config:
    from botocore.config import Config  # noqa: PLC0415 - first use, not import

    return Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


@cache
def s3_client() -> S3Client:
    """The container's S3 client."""
    import boto3  # noqa: PLC0415 - first use, not import, pays for boto3

    return boto3.client("s3", config=_config())


@cache
def dynamodb_client() -> DynamoDBClient:
    """The container's DynamoDB client."""
    import boto3  # noqa: PLC0415

    return boto3.client("dynamodb", config=_config())


@cache
def events_client() -> EventBridgeClient:
    """The container's EventBridge client."""
    import boto3  # noqa: PLC0415

    return boto3.client("events", config=_config())


@cache
def secretsmanager_client() -> SecretsManagerClient:
    """The container's Secrets Manager client."""
    import boto3  # noqa: PLC0415

    return boto3.client("secretsmanager", config=_config())


@cache
def sqs_resource() -> SQSServiceResource:
    """The container's SQS resource, shared by every environment's task broker.

    Senders fail fast on a dead endpoint; a worker's long polls (SQS waits at most 20 s)
    still fit the read timeout.
    """
    import boto3  # noqa: PLC0415

    return boto3.resource("sqs", config=_config(connect_timeout=5, read_timeout=30))


def forget_clients() -> None:
    """Drop every cached client (a new container, or an endpoint that moved)."""
    for factory in (s3_client, dynamodb_client, events_client, secretsmanager_client, sqs_resource):
        factory.cache_clear()


def aws_errors() -> tuple[type[Exception], ...]:
    """The exceptions a boto3 call raises (service errors and transport failures)."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 - cold start

    return (ClientError, BotoCoreError)


def error_code(exc: Exception) -> str | None:
    """The AWS error code of a ``ClientError`` (None for transport failures)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        return str(code) if code is not None else None
    return None
