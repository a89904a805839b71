"""A loopback stand-in for the Alpaca REST endpoints the adapters use.

It answers like Alpaca does (paths, JSON shapes, status codes, ``{"code", "message"}``
error bodies) for ``/v2/account``, ``/v2/positions``, ``/v2/orders``,
``/v2/orders:by_client_order_id``, ``/v2/clock`` and ``/v2/stocks/bars``, and can be
scripted to fail: a status for the next N requests to an endpoint, with headers (a
429's ``Retry-After``), or a pause longer than the client's timeout.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEY_ID = "PKTESTKEYID0000000001"
SECRET_KEY = "sEcReT-never-in-logs-0123456789abcdefghij"


@dataclass
class Failure:
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=lambda: {"code": 50010000, "message": "boom"})
    #: Seconds to stall before answering (beyond the client's timeout = a timeout).
    stall: float = 0.0
    #: Still perform the request (an order is created) but answer with the failure.
    apply_first: bool = False


@dataclass
class AlpacaState:
    account: dict[str, Any] = field(
        default_factory=lambda: {
            "id": "acc-1",
            "status": "ACTIVE",
            "equity": "10000.123456",
            "cash": "2500.5",
            "buying_power": "5001",
            "trading_blocked": False,
            "currency": "USD",
        }
    )
    positions: list[dict[str, Any]] = field(default_factory=list)
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, str] = field(default_factory=dict)
    #: Symbols refused with 403 insufficient buying power.
    refuse: set[str] = field(default_factory=set)
    #: GETs an order stays "accepted" before it fills.
    polls_to_fill: int = 0
    clock: dict[str, Any] = field(
        default_factory=lambda: {
            "timestamp": "2025-03-12T09:35:00.123-04:00",
            "is_open": True,
            "next_open": "2025-03-13T09:30:00-04:00",
            "next_close": "2025-03-12T16:00:00-04:00",
        }
    )
    #: symbol -> Alpaca bar dicts ("t", "o", "h", "l", "c", "v"), oldest first.
    bars: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    bars_page_size: int = 1000
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    queries: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, endpoint: str, failure: Failure) -> None:
        """Script ``failure`` for ``endpoint`` ("POST /v2/orders")."""
        self.failures.setdefault(endpoint, []).append(failure)

    def next_failure(self, endpoint: str) -> Failure | None:
        with self.lock:
            queue = self.failures.get(endpoint, [])
            if not queue:
                return None
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            return failure

    def hits(self, endpoint: str) -> int:
        return sum(1 for method, path, _ in self.requests if f"{method} {path}" == endpoint)


def _order(state: AlpacaState, body: dict[str, Any]) -> dict[str, Any]:
    status = "accepted" if state.polls_to_fill else "filled"
    return {
        "id": str(uuid.uuid4()),
        "client_order_id": body["client_order_id"],
        "symbol": body["symbol"],
        "side": body["side"],
        "qty": body["qty"],
        "type": body["type"],
        "time_in_force": body["time_in_force"],
        "status": status,
        "filled_qty": body["qty"] if status == "filled" else "0",
        "filled_avg_price": state.prices.get(body["symbol"]) if status == "filled" else None,
        "polls_left": state.polls_to_fill,
    }


def _public(order: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in order.items() if k != "polls_left"}


class _Handler(BaseHTTPRequestHandler):
    state: AlpacaState

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.state.requests.append((method, url.path, headers))
        self.state.queries.append((url.path, query))
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        if (
            headers.get("apca-api-key-id") != KEY_ID
            or headers.get("apca-api-secret-key") != SECRET_KEY
        ):
            self._send(401, {"code": 40110000, "message": "request is not authorized"})
            return
        failure = self.state.next_failure(f"{method} {url.path}")
        if failure is not None and not failure.apply_first:
            time.sleep(failure.stall)
            self._send(failure.status, failure.body, failure.headers)
            return
        status, answer = self._route(method, url.path, query, body)
        if failure is not None:
            self._send(failure.status, failure.body, failure.headers)
            return
        self._send(status, answer)

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        state = self.state
        if (method, path) == ("GET", "/v2/account"):
            return 200, state.account
        if (method, path) == ("GET", "/v2/positions"):
            return 200, state.positions
        if (method, path) == ("GET", "/v2/clock"):
            return 200, state.clock
        if (method, path) == ("POST", "/v2/orders"):
            return self._submit(body)
        if (method, path) == ("GET", "/v2/orders:by_client_order_id"):
            return self._by_client_id(query["client_order_id"])
        if (method, path) == ("GET", "/v2/stocks/bars"):
            return 200, self._bars(query)
        return 404, {"code": 40410000, "message": "endpoint not found"}

    def _submit(self, body: dict[str, Any]) -> tuple[int, Any]:
        with self.state.lock:
            if body["client_order_id"] in self.state.orders:
                return 422, {"code": 40010001, "message": "client_order_id must be unique"}
            if body["symbol"] in self.state.refuse:
                return 403, {"code": 40310000, "message": "insufficient buying power"}
            order = _order(self.state, body)
            self.state.orders[body["client_order_id"]] = order
            return 200, _public(order)

    def _by_client_id(self, client_order_id: str) -> tuple[int, Any]:
        with self.state.lock:
            order = self.state.orders.get(client_order_id)
            if order is None:
                return 404, {"code": 40410000, "message": "order not found"}
            if order["status"] == "accepted":
                order["polls_left"] -= 1
                if order["polls_left"] <= 0:
                    order["status"] = "filled"
                    order["filled_qty"] = order["qty"]
                    order["filled_avg_price"] = self.state.prices.get(order["symbol"])
            return 200, _public(order)

    def _bars(self, query: dict[str, str]) -> dict[str, Any]:
        start, end = query["start"], query["end"]
        rows = [
            (symbol, bar)
            for symbol in query["symbols"].split(",")
            for bar in self.state.bars.get(symbol, [])
            if start <= bar["t"][:10] <= end
        ]
        offset = int(query.get("page_token", "0"))
        page = rows[offset : offset + self.state.bars_page_size]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for symbol, bar in page:
            grouped.setdefault(symbol, []).append(bar)
        following = offset + self.state.bars_page_size
        return {
            "bars": grouped,
            "next_page_token": str(following) if following < len(rows) else None,
            "currency": "USD",
        }


@contextmanager
def fake_alpaca(state: AlpacaState) -> Iterator[str]:
    """Serve ``state`` on loopback; yields the base URL."""
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
