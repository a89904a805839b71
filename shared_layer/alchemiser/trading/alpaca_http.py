"""A small Alpaca REST client on the standard library (urllib, JSON, timeouts).

Why not alpaca-py: it depends on pandas and numpy and imports pandas when its request
and model modules load (``alpaca/trading/requests.py``, ``alpaca/data/models/base.py``).
Unzipped for manylinux2014_x86_64/cp312, alpaca-py 0.44.0 + pandas 2.3.2 + numpy 2.2.6
measure 101.8 MB (97.1 MiB), 108.7 MB with the rest of its dependency closure, against a
layer budget of 25 MB that already holds ~19 MB; pandas would also add hundreds of
milliseconds to every cold start. This client speaks the same endpoints alpaca-py uses
(trading API v2 and market data API v2) and nothing more.

Behaviour: JSON numbers are parsed as Decimal (never float); 429 and 5xx responses and
transport failures (timeouts, refused connections) are retried with exponential
backoff, honouring ``Retry-After`` up to a bound, and end in ``BrokerApiError``
(retryable) when the attempts run out; any other 4xx raises ``OrderRejectedError`` at
once, with Alpaca's ``code`` and ``message``. Keys travel only in request headers: they
are never part of a URL, an error message or a log line.
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from alchemiser.errors import BrokerApiError, OrderRejectedError
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from email.message import Message

    from alchemiser.trading.alpaca_config import AlpacaCredentials

__all__ = ["AlpacaHttp", "RetryPolicy"]

_NOT_FOUND = 404
_TOO_MANY_REQUESTS = 429
_SERVER_ERROR = 500
_USER_AGENT = "alchemiser/1 (+urllib)"

_log = get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: ``attempts`` in all, backoff doubling from ``backoff_seconds``."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based)."""
        wanted = (
            retry_after if retry_after is not None else self.backoff_seconds * 2 ** (attempt - 1)
        )
        return max(0.0, min(wanted, self.max_backoff_seconds))


def _retry_after(headers: Message | None) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to the backoff


def _alpaca_message(body: bytes) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return body.decode(errors="replace")[:300]
    if isinstance(data, dict):
        code, message = data.get("code"), data.get("message")
        return f"{message} (code {code})" if code is not None else str(message)
    return str(data)[:300]


def _classify(method: str, path: str, exc: urllib.error.HTTPError) -> Exception:
    """429 and 5xx are worth retrying; any other status is a refusal."""
    status, message = exc.code, _alpaca_message(exc.read())
    if status == _TOO_MANY_REQUESTS or status >= _SERVER_ERROR:
        return _Retryable(f"HTTP {status}: {message}", _retry_after(exc.headers))
    endpoint = path.partition("?")[0]
    return OrderRejectedError(f"Alpaca {method} {endpoint}: HTTP {status}: {message}")


class _Retryable(Exception):  # noqa: N818 - internal control flow, never escapes
    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


class AlpacaHttp:
    """JSON over HTTPS to one Alpaca API (trading or data), with bounded retries."""

    def __init__(
        self,
        base_url: str,
        credentials: AlpacaCredentials,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    def get(
        self, path: str, query: Mapping[str, str] | None = None, *, missing_ok: bool = False
    ) -> Any:  # noqa: ANN401 - parsed JSON
        """GET ``path``; None on 404 when ``missing_ok``."""
        url = f"{path}?{urlencode(query)}" if query else path
        return self._request("GET", url, None, missing_ok=missing_ok)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:  # noqa: ANN401 - parsed JSON
        """POST ``body`` as JSON to ``path``."""
        return self._request("POST", path, json.dumps(body).encode(), missing_ok=False)

    def _request(self, method: str, path: str, data: bytes | None, *, missing_ok: bool) -> Any:  # noqa: ANN401
        attempts = max(1, self.retry.attempts)
        problem = "not attempted"
        for attempt in range(1, attempts + 1):
            try:
                return self._once(method, path, data, missing_ok=missing_ok)
            except _Retryable as exc:
                problem = exc.problem
                if attempt == attempts:
                    break
                delay = self.retry.delay(attempt, exc.retry_after)
                _log.warning(
                    "alpaca_retry",
                    method=method,
                    path=path.partition("?")[0],
                    problem=problem,
                    delay=delay,
                )
                self._sleep(delay)
        raise BrokerApiError(
            f"Alpaca {method} {path.partition('?')[0]}: {problem} after {attempts} attempts"
        )

    def _once(self, method: str, path: str, data: bytes | None, *, missing_ok: bool) -> Any:  # noqa: ANN401
        request = urllib.request.Request(  # noqa: S310 - the URL is an https base from config
            f"{self.base_url}{path}",
            data=data,
            method=method,
            headers={
                "APCA-API-KEY-ID": self._credentials.api_key_id.get_secret_value(),
                "APCA-API-SECRET-KEY": self._credentials.api_secret_key.get_secret_value(),
                "Accept": "application/json",
                "Content-Type": "application/json",
                "User-Agent": _USER_AGENT,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == _NOT_FOUND and missing_ok:
                return None
            raise _classify(method, path, exc) from exc
        except (
            urllib.error.URLError,
            TimeoutError,
            ConnectionError,
            http.client.HTTPException,
        ) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        return json.loads(raw, parse_float=Decimal) if raw.strip() else None
