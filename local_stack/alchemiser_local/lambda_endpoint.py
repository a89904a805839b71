"""The local stack's one AWS endpoint: Lambda's Invoke API served here, the rest by moto.

moto cannot run the functions (it would need Docker), so ``alchemiser up`` answers
``Invoke`` itself, the way ``sam local start-lambda`` does: operator commands call
``lambda.invoke`` through boto3 exactly as they do against AWS, and the function runs
in the local stack's process with Lambda's semantics (``RequestResponse`` waits for the
result; ``Event`` is queued, retried, and sent to the failure destination).

The local stack runs no CodeDeploy deployments (``stack.SET_ASIDE``), but a pre-traffic
hook reports its verdict with CodeDeploy's ``PutLifecycleEventHookExecutionStatus``;
that one call is answered here too (and recorded), so the deploy hook runs unchanged
against the local stack. Every other request is forwarded unchanged to the emulator
(its ``Host`` included: with IAM enforced the emulator checks the request's signature,
which covers it).
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from alchemiser_local.emulator_iam import AUTHORIZE_ONLY_HEADER

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["InvokeResult", "LambdaEndpoint"]

_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
#: CodeDeploy's JSON protocol names the operation in this header.
_HOOK_STATUS_TARGET = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host"}
)
_NOT_FOUND = 404
_ACCEPTED = 202
_OK = 200
#: The emulator's answer to an authorization-only Invoke that is allowed.
_AUTHORIZED = 204


@dataclass(frozen=True)
class InvokeResult:
    """What one synchronous invocation returned: a payload, or a function error."""

    payload: object
    function_error: str | None = None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        del format, args  # one line per request otherwise

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _invoke(self, name: str) -> None:
        body = self._body()
        if self.server.authorize_invokes:
            status, headers, answer = self._upstream(body, {AUTHORIZE_ONLY_HEADER: "1"})
            if status != _AUTHORIZED:  # refused (or not found): as Lambda would answer
                self._reply(status, answer, headers)
                return
        asynchronous = self.headers.get("X-Amz-Invocation-Type") == "Event"
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError as exc:
            self._reply(400, _error("InvalidRequestContentException", f"not JSON: {exc}"))
            return
        try:
            result = self.server.invoke(unquote(name), payload, asynchronous)
        except LookupError as exc:
            self._reply(_NOT_FOUND, _error("ResourceNotFoundException", str(exc)))
            return
        if result is None:
            self._reply(_ACCEPTED, b"")
            return
        headers = {"Content-Type": "application/json", "X-Amz-Executed-Version": "$LATEST"}
        if result.function_error:
            headers["X-Amz-Function-Error"] = result.function_error
        self._reply(_OK, json.dumps(result.payload, default=str).encode(), headers)

    def _hook_status(self) -> None:
        try:
            report = json.loads(self._body())
            execution_id = str(report["lifecycleEventHookExecutionId"])
            status = {
                "deploymentId": str(report["deploymentId"]),
                "lifecycleEventHookExecutionId": execution_id,
                "status": str(report["status"]),
            }
        except (ValueError, KeyError, TypeError) as exc:
            self._reply(400, _error("InvalidRequestException", f"not a hook status: {exc}"))
            return
        self.server.hook_status(status)
        body = json.dumps({"lifecycleEventHookExecutionId": execution_id}).encode()
        self._reply(_OK, body, {"Content-Type": "application/x-amz-json-1.1"})

    def _upstream(
        self, body: bytes, extra: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        """Send the request on to the emulator as it came (``Host`` too: it is signed)."""
        upstream = http.client.HTTPConnection(self.server.upstream_host, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP - {"host"}}
        upstream.request(self.command, self.path, body=body, headers={**headers, **(extra or {})})
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        kept = {
            k: v
            for k, v in response.getheaders()
            if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"
        }
        return response.status, kept, data

    def _forward(self) -> None:
        status, headers, data = self._upstream(self._body())
        self._reply(status, data, headers)

    def _route(self) -> None:
        match = _INVOKE_PATH.match(urlsplit(self.path).path)
        if self.command == "POST" and match:
            self._invoke(match["name"])
        elif self.command == "POST" and self.headers.get("X-Amz-Target") == _HOOK_STATUS_TARGET:
            self._hook_status()
        else:
            self._forward()

    # http.server's method names.
    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _route  # noqa: N815


def _error(error_type: str, message: str) -> bytes:
    return json.dumps({"Type": "User", "Message": message, "__type": error_type}).encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        *,
        upstream_host: str,
        invoke: Callable[[str, object, bool], InvokeResult | None],
        hook_status: Callable[[dict[str, str]], None],
        authorize_invokes: bool,
    ) -> None:
        super().__init__(address, _Handler)
        self.upstream_host = upstream_host
        self.invoke = invoke
        self.hook_status = hook_status
        self.authorize_invokes = authorize_invokes


class LambdaEndpoint:
    """A loopback endpoint: ``invoke`` answers Lambda's Invoke API, moto the rest."""

    def __init__(
        self,
        *,
        upstream: str,
        invoke: Callable[[str, object, bool], InvokeResult | None],
        port: int = 0,
        hook_status: Callable[[dict[str, str]], None] = lambda _: None,
        authorize_invokes: bool = False,
    ) -> None:
        """``invoke(name_or_arn, payload, asynchronous)``: the result, or None once queued.

        ``hook_status`` is told of each CodeDeploy hook verdict reported here. With
        ``authorize_invokes`` (IAM enforced), each Invoke is first sent to the emulator
        as an authorization-only request (``emulator_iam``): a caller its IAM does not
        allow ``lambda:InvokeFunction`` gets the emulator's refusal, and nothing runs.
        """
        self._server = _Server(
            ("127.0.0.1", port),
            upstream_host=urlsplit(upstream).netloc,
            invoke=invoke,
            hook_status=hook_status,
            authorize_invokes=authorize_invokes,
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lambda-endpoint", daemon=True
        )

    @property
    def url(self) -> str:
        """What operators point boto3 at (``AWS_ENDPOINT_URL``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve on a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
