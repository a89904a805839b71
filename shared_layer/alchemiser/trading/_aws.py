"""boto3 clients for the trading adapters: created on first use, once per container.

boto3 and botocore are imported here lazily, so ``import alchemiser.trading`` stays
cheap on a cold start; adapters accept an explicit ``client=`` for tests.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

__all__ = ["aws_errors", "dynamodb_client", "error_code", "s3_client", "secretsmanager_client"]


@cache
def s3_client() -> S3Client:
    """The container's S3 client."""
    import boto3  # noqa: PLC0415 - first use, not import, pays for boto3

    return boto3.client("s3")


@cache
def dynamodb_client() -> DynamoDBClient:
    """The container's DynamoDB client."""
    import boto3  # noqa: PLC0415 - first use, not import, pays for boto3

    return boto3.client("dynamodb")


@cache
def secretsmanager_client() -> SecretsManagerClient:
    """The container's Secrets Manager client."""
    import boto3  # noqa: PLC0415 - first use, not import, pays for boto3

    return boto3.client("secretsmanager")


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
