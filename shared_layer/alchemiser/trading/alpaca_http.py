"""A small Alpaca REST client on the standard library: one kept-alive connection, one retry policy.

Why not alpaca-py: it depends on pandas and numpy and imports pandas when its request
and model modules load (``alpaca/trading/requests.py``, ``alpaca/data/models/base.py``).
Unzipped for manylinux2014_x86_64/cp312, alpaca-py 0.44.0 + pandas 2.3.2 + numpy 2.2.6
measure 101.8 MB (97.1 MiB), 108.7 MB with the rest of its dependency closure, against a
layer budget of 25 MB that already holds ~19 MB; pandas would also add hundreds of
milliseconds to every cold start. This client speaks the same endpoints alpaca-py uses
(trading API v2 and market data API v2) and nothing more.

Why not urllib: it opens a new connection per request, a TCP and TLS handshake (two to
three round trips) before every Alpaca call. This client keeps one persistent
``http.client`` connection to its host and reuses it. A kept-alive connection that the
server closed while it sat idle (or the Lambda container was frozen) fails on its next
request as a dropped connection; that request is sent again at once on a new
connection, once, before it counts as a failed attempt. Sending again is safe for every
call the adapters make: reads, and order submissions, which client order ids make
idempotent (Alpaca answers a repeat with a 422 and the adapter returns the order).

The retry policy, one for every Alpaca adapter: 429 and 5xx answers, timeouts, refused
or dropped connections and 2xx answers whose body is not JSON are retried with
exponential backoff, honouring ``Retry-After`` up to a bound, and end in
``BrokerApiError`` (retryable) when the attempts run out. A 401 is a
``BrokerCredentialsError``; any other 4xx raises ``OrderRejectedError`` at once, with
Alpaca's ``code`` and ``message``. JSON numbers are parsed as Decimal (never float).
Keys travel only in request headers: never in a URL, an error message or a log line.

Threads: a lock serialises requests on the connection. Alpaca calls are sequential per
adapter (the parallel reads of market data go to the S3 bar store through boto3, not
here), so the lock costs nothing and makes a client shared across threads safe anyway.
A connection per thread would pay off only for parallel Alpaca calls, which nothing
makes.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode, urlsplit

from alchemiser.errors import (
    BrokerApiError,
    BrokerCredentialsError,
    BrokerResponseError,
    OrderRejectedError,
)
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from email.message import Message

    from alchemiser.trading.alpaca_config import AlpacaCredentials

__all__ = ["AlpacaAdapter", "AlpacaHttp", "RetryPolicy"]

_NOT_FOUND = 404
_UNAUTHORIZED = 401
_TOO_MANY_REQUESTS = 429
_CLIENT_ERROR = 400
_SERVER_ERROR = 500
_OK_RANGE = range(200, 300)
#: Larger than any answer the adapters ask for (a page of 10,000 bars is ~1.2 MB).
_MAX_BODY = 32 * 1024 * 1024
_USER_AGENT = "alchemiser/1 (+http.client)"
#: A kept-alive connection the server closed: the request never reached it (or its
#: answer never left); sent again at once on a new connection.
_DROPPED = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)
#: Any other transport failure (timeouts, refused connections, TLS, bad HTTP).
_TRANSPORT = (OSError, http.client.HTTPException)

_log = get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: ``attempts`` in all, backoff doubling from ``backoff_seconds``."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 8.0

    def __post_init__(self) -> None:
        if not 1 <= self.attempts <= 10:
            raise ValueError(f"attempts must be 1 to 10, got {self.attempts}")
        if not 0 <= self.backoff_seconds <= self.max_backoff_seconds:
            raise ValueError("backoff_seconds must be from 0 to max_backoff_seconds")

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed ``attempt`` (1-based)."""
        wanted = (
            retry_after if retry_after is not None else self.backoff_seconds * 2 ** (attempt - 1)
        )
        return max(0.0, min(wanted, self.max_backoff_seconds))


def _retry_after(headers: Message) -> float | None:
    value = headers.get("Retry-After")
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


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


class _Retryable(Exception):  # noqa: N818 - internal control flow, never escapes
    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Message
    body: bytes


class AlpacaHttp:
    """JSON over HTTPS to one Alpaca API (trading or data) on one kept-alive connection."""

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
        url = urlsplit(self.base_url)
        self._https, self._host, self._port = url.scheme == "https", url.hostname or "", url.port
        self._prefix = url.path
        self._credentials = credentials
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None
        self._answered = 0
        #: Connections opened so far (one, while the server keeps it alive).
        self.connections_opened = 0

    def get(
        self, path: str, query: Mapping[str, str] | None = None, *, missing_ok: bool = False
    ) -> Any:  # noqa: ANN401 - parsed JSON
        """GET ``path``; None on 404 when ``missing_ok``."""
        target = f"{path}?{urlencode(query)}" if query else path
        return self._request("GET", target, None, missing_ok=missing_ok)

    def post(self, path: str, body: Mapping[str, Any]) -> Any:  # noqa: ANN401 - parsed JSON
        """POST ``body`` as JSON to ``path``."""
        return self._request("POST", path, json.dumps(body).encode(), missing_ok=False)

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        with self._lock:
            self._drop()

    def _request(self, method: str, target: str, data: bytes | None, *, missing_ok: bool) -> Any:  # noqa: ANN401
        endpoint = target.partition("?")[0]
        problem = "not attempted"
        for attempt in range(1, self.retry.attempts + 1):
            try:
                answer = self._exchange(method, target, data)
                return self._read(method, endpoint, answer, missing_ok=missing_ok)
            except _Retryable as exc:
                problem = exc.problem
                if attempt == self.retry.attempts:
                    break
                delay = self.retry.delay(attempt, exc.retry_after)
                _log.warning(
                    "alpaca_retry", method=method, path=endpoint, problem=problem, delay=delay
                )
                self._sleep(delay)
        raise BrokerApiError(
            f"Alpaca {method} {endpoint}: {problem} after {self.retry.attempts} attempts"
        )

    def _read(self, method: str, endpoint: str, answer: _Answer, *, missing_ok: bool) -> Any:  # noqa: ANN401
        status = answer.status
        if status in _OK_RANGE:
            return self._json(answer.body)
        if status == _NOT_FOUND and missing_ok:
            return None
        message = _alpaca_message(answer.body)
        if status == _TOO_MANY_REQUESTS or status >= _SERVER_ERROR:
            raise _Retryable(f"HTTP {status}: {message}", _retry_after(answer.headers))
        where = f"Alpaca {method} {endpoint}: HTTP {status}"
        if status == _UNAUTHORIZED:
            raise BrokerCredentialsError(
                f"{where}: {message}; the keys are wrong or belong to another endpoint"
                " (paper keys work only with the paper URL)"
            )
        if status < _CLIENT_ERROR:
            raise BrokerResponseError(f"{where}: an answer Alpaca's API never gives")
        raise OrderRejectedError(f"{where}: {message}")

    @staticmethod
    def _json(body: bytes) -> Any:  # noqa: ANN401 - parsed JSON
        if not body.strip():
            return None
        try:
            return json.loads(body, parse_float=Decimal, parse_constant=_no_constant)
        except ValueError as exc:  # a proxy's error page, a truncated answer
            raise _Retryable(f"the answer is not JSON ({exc})") from exc

    # --- the connection ------------------------------------------------------------------

    def _exchange(self, method: str, target: str, data: bytes | None) -> _Answer:
        """One request on the kept-alive connection, sent again once if it was dropped."""
        with self._lock:
            reused = self._connection is not None and self._answered > 0
            try:
                return self._send(method, target, data)
            except _DROPPED as exc:
                self._drop()
                if not reused:
                    raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
                _log.info("alpaca_connection_reopened", host=self._host, problem=str(exc))
            except _TRANSPORT as exc:
                self._drop()
                raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
            try:
                return self._send(method, target, data)
            except _TRANSPORT as exc:
                self._drop()
                raise _Retryable(f"{type(exc).__name__}: {exc}") from exc

    def _send(self, method: str, target: str, data: bytes | None) -> _Answer:
        connection = self._connection or self._connect()
        connection.request(method, self._prefix + target, body=data, headers=self._headers(data))
        response = connection.getresponse()
        body = response.read(_MAX_BODY + 1)
        if len(body) > _MAX_BODY:
            self._drop()
            endpoint = target.partition("?")[0]
            raise BrokerResponseError(
                f"Alpaca {method} {endpoint}: an answer larger than {_MAX_BODY} bytes"
            )
        if response.will_close:
            self._drop()
        else:
            self._answered += 1
        return _Answer(response.status, response.headers, body)

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
        self._connection = kind(self._host, self._port, timeout=self.timeout)
        self._answered = 0
        self.connections_opened += 1
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _headers(self, data: bytes | None) -> dict[str, str]:
        headers = {
            "APCA-API-KEY-ID": self._credentials.api_key_id.get_secret_value(),
            "APCA-API-SECRET-KEY": self._credentials.api_secret_key.get_secret_value(),
            "Accept": "application/json",
            "User-Agent": _USER_AGENT,
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        return headers


class AlpacaAdapter:
    """What every Alpaca adapter shares: the keys, one client to its API, the retry policy."""

    #: The API the adapter speaks to unless ``base_url`` says otherwise.
    DEFAULT_URL: ClassVar[str]

    def __init__(
        self,
        credentials: AlpacaCredentials,
        *,
        base_url: str | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or self.DEFAULT_URL).rstrip("/")
        self._http = AlpacaHttp(
            self.base_url, credentials, timeout=timeout, retry=retry, sleep=sleep
        )
