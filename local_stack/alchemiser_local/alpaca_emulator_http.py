"""The Alpaca emulator's HTTP side: HTTP/1.1 keep-alive, key checks and programmed faults.

Alpaca's servers keep connections alive, so the emulator does too: an adapter's client
that reconnects per request, or that cannot survive a connection the server closed
while idle (``idle_timeout``), shows here as it would against Alpaca.
"""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from alchemiser_local.alpaca_emulator import AlpacaEmulator
    from alchemiser_local.alpaca_emulator_faults import Fault

__all__ = ["ADMIN_PREFIX", "EmulatedRequest", "serve", "shut"]

ADMIN_PREFIX = "/_emulator/"
_MAX_BODY = 1_000_000


@dataclass(frozen=True)
class EmulatedRequest:
    """One request as the emulator saw it (header names in lower case)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


def shut(sock: socket.socket) -> None:
    """End ``sock`` both ways without an answer (a dropped connection)."""
    with contextlib.suppress(OSError):  # already closed by the peer
        sock.shutdown(socket.SHUT_RDWR)


def serve(emulator: AlpacaEmulator, *, port: int, idle_timeout: float) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 answering for ``emulator`` (not yet serving)."""
    handler = type("Handler", (_Handler,), {"emulator": emulator, "timeout": idle_timeout})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    return server


class _Handler(BaseHTTPRequestHandler):
    """One connection, kept alive across requests."""

    protocol_version = "HTTP/1.1"
    #: Headers and body go out as two writes; with Nagle's algorithm the body would wait
    #: for the client's delayed ACK (40 ms a request on a kept-alive connection).
    disable_nagle_algorithm = True
    emulator: ClassVar[AlpacaEmulator]

    def setup(self) -> None:
        super().setup()
        self.emulator.track(self.connection, opened=True)

    def finish(self) -> None:
        self.emulator.track(self.connection, opened=False)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ANN401
        """Quiet: the emulator keeps its requests in ``AlpacaEmulator.requests``."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        request = self._request(method)
        self.emulator.requests.append(request)
        if request.path.startswith(ADMIN_PREFIX):
            self._send(*self.emulator.answer(request))
            return
        if not self.emulator.authorized(request.headers):
            self._send(401, {"code": 40110000, "message": "request is not authorized"})
            return
        fault = self.emulator.faults.take(method, request.path)
        if fault is None:
            self._send(*self.emulator.answer(request))
        else:
            self._fault(fault, request)

    def _request(self, method: str) -> EmulatedRequest:
        url = urlsplit(self.path)
        length = min(int(self.headers.get("Content-Length") or 0), _MAX_BODY)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode(errors="replace")
        return EmulatedRequest(
            method=method,
            path=url.path,
            query={k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )

    def _fault(self, fault: Fault, request: EmulatedRequest) -> None:
        if fault.kind == "hang":
            self.emulator.pause(fault.seconds)
            self._send(*self.emulator.answer(request))
            return
        if fault.apply:
            self.emulator.answer(request)
        if fault.kind == "drop":
            self.close_connection = True
            shut(self.connection)
        elif fault.kind == "rate_limit":
            body = {"code": 42910000, "message": "rate limit exceeded"}
            self._send(429, body, {"Retry-After": str(fault.retry_after)})
        elif fault.kind == "respond" and fault.text is not None:
            self._send_bytes(fault.status, fault.text.encode(), "text/html; charset=UTF-8")
        elif fault.kind == "respond":
            self._send(fault.status, fault.body)
        else:
            self._send(fault.status, fault.error_body())

    def _send(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:  # noqa: ANN401
        self._send_bytes(
            status, json.dumps(body).encode(), "application/json; charset=UTF-8", headers
        )

    def _send_bytes(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except OSError:
            self.close_connection = True  # the client gave up (timed out) first
