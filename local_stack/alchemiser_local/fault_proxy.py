"""A loopback proxy in front of the emulator that plays programmed AWS faults at the wire.

The functions' and the task worker's boto3 clients reach the emulator through it (their
``AWS_ENDPOINT_URL``), so a fault meets the real SDK: botocore's retries, its error
parsing and its connection handling run exactly as against AWS, and the code above it
sees what it would see there. Without a fault armed every request is forwarded as it
is, on one kept-alive upstream connection per client connection.

Each request is kept (``FaultProxy.requests``): which call it was, which fault it met,
whether the emulator applied it, and the body the emulator got, so a chaos run can
count what was sent, copies included.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from alchemiser_local.faults import AwsFault, CallPlan, call_of, error_reply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from alchemiser_local.faults import AwsCall

__all__ = ["FaultProxy", "ProxiedRequest", "running_proxy"]

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
_OK = range(200, 300)
_UPSTREAM_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class ProxiedRequest:
    """One request through the proxy, as the emulator got it (or did not)."""

    call: AwsCall
    fault: str | None
    #: The emulator took the request and answered 2xx (whatever the client was told).
    applied: bool
    #: What the emulator got (for a ``partial`` PutEvents, only the entries let through).
    body: bytes
    upstream_body: bytes


@dataclass(frozen=True)
class _Upstream:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    server: _ProxyServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self._upstream: http.client.HTTPConnection | None = None

    def finish(self) -> None:
        if self._upstream is not None:
            self._upstream.close()
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ANN401
        """Quiet: requests are kept in ``FaultProxy.requests``."""
        del format, args

    def _route(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        call = call_of(self.command, self.path, headers, body)
        fault = self.server.plan.take(call)
        if fault is None:
            self._relay(call, None, body)
            return
        if fault.kind in ("throttle", "error"):
            self._keep(call, fault, body, None)
            self._reply(
                *error_reply(call.service, throttle=fault.kind == "throttle", status=fault.status)
            )
            return
        getattr(self, f"_{fault.kind}")(call, fault, body)

    # --- faults --------------------------------------------------------------------------

    def _applied_error(self, call: AwsCall, fault: AwsFault, body: bytes) -> None:
        self._keep(call, fault, body, self._forward(body))
        self._reply(*error_reply(call.service, throttle=False, status=fault.status))

    def _slow(self, call: AwsCall, fault: AwsFault, body: bytes) -> None:
        time.sleep(fault.seconds)
        self._relay(call, fault, body)

    def _drop(self, call: AwsCall, fault: AwsFault, body: bytes) -> None:
        self._keep(call, fault, body, None)
        self._hang_up()

    def _applied_drop(self, call: AwsCall, fault: AwsFault, body: bytes) -> None:
        self._keep(call, fault, body, self._forward(body))
        self._hang_up()

    def _partial(self, call: AwsCall, fault: AwsFault, body: bytes) -> None:
        """PutEvents took the first entries only; the rest fail as AWS reports them."""
        request = json.loads(body)
        entries = request.get("Entries", [])
        kept = max(0, len(entries) - fault.failed_entries)
        through = json.dumps({**request, "Entries": entries[:kept]}).encode()
        upstream = self._forward(through) if kept else None
        self._keep(call, fault, through, upstream)
        accepted = json.loads(upstream.body).get("Entries", []) if upstream else []
        failed = [{"ErrorCode": fault.entry_error, "ErrorMessage": "emulated partial failure"}] * (
            len(entries) - kept
        )
        answer = {
            "FailedEntryCount": len(failed) + sum(1 for e in accepted if e.get("ErrorCode")),
            "Entries": accepted + failed,
        }
        self._reply(200, "application/x-amz-json-1.1", json.dumps(answer).encode())

    # --- the wire ------------------------------------------------------------------------

    def _relay(self, call: AwsCall, fault: AwsFault | None, body: bytes) -> None:
        upstream = self._forward(body)
        self._keep(call, fault, body, upstream)
        kept = [
            (k, v)
            for k, v in upstream.headers
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
        ]
        self._send(upstream.status, kept, upstream.body)

    def _forward(self, body: bytes) -> _Upstream:
        """The emulator's answer to this request with ``body``; one reconnect if stale."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        for attempt in (1, 2):
            connection = self._upstream or self._connect()
            try:
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self._upstream = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                connection.close()
                self._upstream = None
            return _Upstream(response.status, response.getheaders(), data)
        raise AssertionError("unreachable")  # pragma: no cover

    def _connect(self) -> http.client.HTTPConnection:
        self._upstream = http.client.HTTPConnection(
            self.server.upstream_host, timeout=_UPSTREAM_TIMEOUT_SECONDS
        )
        return self._upstream

    def _keep(
        self, call: AwsCall, fault: AwsFault | None, body: bytes, upstream: _Upstream | None
    ) -> None:
        applied = upstream is not None and upstream.status in _OK
        self.server.keep(
            ProxiedRequest(
                call=call,
                fault=fault.kind if fault else None,
                applied=applied,
                body=body,
                upstream_body=upstream.body if upstream else b"",
            )
        )

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self._send(status, [("Content-Type", content_type)], body)

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        try:
            self.send_response(status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client gave up first

    def _hang_up(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client is gone already
            self.connection.shutdown(socket.SHUT_RDWR)

    # http.server's method names.
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _route  # noqa: N815


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], *, upstream_host: str, plan: CallPlan[AwsFault]
    ) -> None:
        super().__init__(address, _Handler)
        self.upstream_host = upstream_host
        self.plan = plan
        self.requests: list[ProxiedRequest] = []
        self._lock = threading.Lock()

    def keep(self, request: ProxiedRequest) -> None:
        with self._lock:
            self.requests.append(request)


class FaultProxy:
    """``with running_proxy(upstream=emulator.endpoint) as proxy: proxy.fail(AwsFault(...))``."""

    def __init__(self, *, upstream: str, port: int = 0) -> None:
        """Forward to ``upstream`` (the emulator's URL) from a loopback ``port`` (0: any)."""
        self.plan: CallPlan[AwsFault] = CallPlan()
        self._server = _ProxyServer(
            ("127.0.0.1", port), upstream_host=urlsplit(upstream).netloc, plan=self.plan
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fault-proxy", daemon=True
        )

    @property
    def url(self) -> str:
        """What the clients are pointed at (``AWS_ENDPOINT_URL``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[ProxiedRequest]:
        """Every request so far, in arrival order (a copy)."""
        with self._server._lock:
            return list(self._server.requests)

    def fail(self, fault: AwsFault) -> None:
        """Arm ``fault`` (see ``faults.AwsFault``)."""
        self.plan.add(fault)

    def clear(self) -> None:
        """Disarm every fault."""
        self.plan.clear()

    def start(self) -> str:
        """Serve on a background thread; returns ``url``."""
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_proxy(*, upstream: str) -> Iterator[FaultProxy]:
    """A started ``FaultProxy`` in front of ``upstream``, stopped on exit."""
    proxy = FaultProxy(upstream=upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
