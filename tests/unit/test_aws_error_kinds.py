"""What an SDK failure means, decided once: retry it, fix the deployment, or fix the code.

``socket.timeout`` is ``TimeoutError`` (Python 3.10 on): one row covers both.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from alchemiser.aws import error_kind, translate_aws_errors
from alchemiser.errors import ConfigError, MarketDataUnavailableError


def client_error(code: str, status: int = 400) -> ClientError:
    response: Any = {"Error": {"Code": code, "Message": code}}
    response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "GetObject")


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (client_error("SlowDown", 503), "transient"),
        (client_error("ProvisionedThroughputExceededException"), "transient"),
        (client_error("Whatever", 500), "transient"),
        (client_error("AccessDenied", 403), "configuration"),
        (client_error("ValidationException"), "bug"),
        (ReadTimeoutError(endpoint_url="http://x"), "transient"),
        (EndpointConnectionError(endpoint_url="http://x"), "transient"),
        (TimeoutError("The read operation timed out"), "transient"),
        (ConnectionResetError(104, "Connection reset by peer"), "transient"),
        (KeyError("Body"), "bug"),
    ],
)
def test_error_kind_of_each_failure(failure, kind):
    assert error_kind(failure) == kind


def test_a_socket_timeout_escaping_the_sdk_is_the_adapters_transient_error():
    with (
        pytest.raises(MarketDataUnavailableError, match="bar store: reading SPY: TimeoutError"),
        translate_aws_errors("bar store: reading SPY", transient=MarketDataUnavailableError),
    ):
        raise TimeoutError("The read operation timed out")


def test_a_permission_problem_is_a_configuration_error():
    with (
        pytest.raises(ConfigError, match="AccessDenied"),
        translate_aws_errors("bar store: reading SPY", transient=MarketDataUnavailableError),
    ):
        raise client_error("AccessDenied", 403)
