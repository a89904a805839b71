"""A loopback Alpaca for the local stack and the tests (trading API v2, market data API v2).

The Alpaca adapters (``AlpacaBroker``, ``AlpacaMarketData``, ``AlpacaCalendar``) run
locally through the same code as in AWS: the same HTTP client, paths, key headers, JSON
shapes, status codes and keep-alive connections, against a server that behaves like
Alpaca, refusals and failures included. One server answers both APIs: point the Alpaca
secret's ``trading_base_url`` and ``data_base_url`` at ``url`` (``secret()`` gives the
whole secret).

Alpaca's endpoints (``APCA-API-KEY-ID`` and ``APCA-API-SECRET-KEY`` required, else 401):

- ``GET /v2/account``, ``GET /v2/positions``
- ``POST /v2/orders``: market day orders by ``qty``; a reused ``client_order_id`` is a 422
- ``GET /v2/orders:by_client_order_id?client_order_id=``, ``GET /v2/orders/{id}``
- ``GET /v2/clock``, ``GET /v2/calendar?start=&end=``
- ``GET /v2/stocks/bars?symbols=&timeframe=1Day&start=&end=&limit=&page_token=&feed=
  &adjustment=&sort=``

The admin API (outside Alpaca's paths, no keys; the server listens on loopback only):

- ``GET /_emulator/state``: the clock, account, positions, orders and armed faults
- ``POST /_emulator/clock`` ``{"date": "YYYY-MM-DD"}`` (09:35 New York that day) or
  ``{"now": "<RFC 3339>"}``: the simulated time every answer is relative to
- ``POST /_emulator/orders`` ``{"fill_after_polls": N, "partial_fill": "0.5" | null}``
- ``POST /_emulator/faults`` a ``Fault``; ``DELETE /_emulator/faults`` disarms them all

From Python: ``with AlpacaEmulator(bars=..., today=...) as alpaca: alpaca.url``.
"""

from __future__ import annotations

import hmac
import re
import threading
from collections import deque
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self

from pydantic import ValidationError

from alchemiser.trading import is_trading_day
from alchemiser_local import alpaca_emulator_market as market
from alchemiser_local.alpaca_emulator_account import EmulatedAccount
from alchemiser_local.alpaca_emulator_admin import ADMIN_ROUTES, OrderBehaviour
from alchemiser_local.alpaca_emulator_faults import Fault, FaultPlan
from alchemiser_local.alpaca_emulator_http import ADMIN_PREFIX, EmulatedRequest, serve, shut
from alchemiser_local.alpaca_emulator_market import EmulatedMarket, EmulatorRequestError

if TYPE_CHECKING:
    import socket
    from collections.abc import Callable, Mapping, Sequence
    from http.server import ThreadingHTTPServer
    from types import TracebackType

    from alchemiser.trading import Bar

__all__ = ["DEFAULT_KEY_ID", "DEFAULT_SECRET_KEY", "AlpacaEmulator", "EmulatedRequest", "Fault"]

DEFAULT_KEY_ID = "PKEMULATOR0000000001"
DEFAULT_SECRET_KEY = "emulator-secret-key-0123456789abcdefghijk"  # noqa: S105 - not a secret
_ORDER_BY_ID = re.compile(r"^/v2/orders/([0-9a-f-]{36})$")
_KEPT_REQUESTS = 10_000

Route = tuple[str, str]


class AlpacaEmulator:
    """The emulated Alpaca account, market and faults, served over HTTP on loopback."""

    def __init__(
        self,
        *,
        bars: Mapping[str, Sequence[Bar]] | None = None,
        today: date | None = None,
        cash: Decimal = Decimal(100_000),
        positions: Mapping[str, Decimal] | None = None,
        key_id: str = DEFAULT_KEY_ID,
        secret_key: str = DEFAULT_SECRET_KEY,
        fill_after_polls: int = 0,
        partial_fill: Decimal | None = None,
        port: int = 0,
        idle_timeout: float = 60.0,
    ) -> None:
        bars = bars or {}
        start = today or _day_after(bars)
        self.market = EmulatedMarket.build(bars, start)
        self.account = EmulatedAccount.create(
            self.market,
            cash=cash,
            positions=positions or {},
            fill_after_polls=fill_after_polls,
            partial_fill=partial_fill,
        )
        self.faults = FaultPlan()
        self.requests: deque[EmulatedRequest] = deque(maxlen=_KEPT_REQUESTS)
        self.connections = 0
        self.key_id, self.secret_key = key_id, secret_key
        self._port, self._idle_timeout = port, idle_timeout
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- start and stop ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL of both APIs (``http://127.0.0.1:<port>``)."""
        if self._server is None:
            raise RuntimeError("the Alpaca emulator is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        """Serve on loopback (port 0 picks a free port); returns ``url``. Idempotent."""
        if self._server is None:
            self._server = serve(self, port=self._port, idle_timeout=self._idle_timeout)
            self._stopping.clear()
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="alpaca-emulator", daemon=True
            )
            self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and end open connections (hung answers return at once)."""
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            for sock in list(self._sockets):
                shut(sock)
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def secret(self) -> dict[str, str]:
        """The Alpaca secret's JSON (``AlpacaSecret``) for this emulator."""
        return {
            "api_key_id": self.key_id,
            "api_secret_key": self.secret_key,
            "trading_base_url": self.url,
            "data_base_url": self.url,
        }

    # --- programming it ------------------------------------------------------------------

    def set_today(self, day: date) -> None:
        """Move the simulated clock to 09:35 New York on ``day``."""
        self.set_now(market.new_york(day, market.RUN_TIME))

    def set_now(self, instant: datetime) -> None:
        """Move the simulated clock to ``instant``; day orders of past sessions end."""
        with self._lock:
            self.market.now = instant
            self.account.advance()

    def set_bars(self, bars: Mapping[str, Sequence[Bar]]) -> None:
        """Serve ``bars`` (per symbol, any order) from now on."""
        with self._lock:
            self.market.replace_bars(bars)

    def configure_orders(
        self, *, fill_after_polls: int = 0, partial_fill: Decimal | None = None
    ) -> None:
        """How orders placed from now on fill (see ``alpaca_emulator_account``)."""
        behaviour = OrderBehaviour(fill_after_polls=fill_after_polls, partial_fill=partial_fill)
        with self._lock:
            self.account.fill_after_polls = behaviour.fill_after_polls
            self.account.partial_fill = behaviour.partial_fill

    def fail(self, fault: Fault) -> None:
        """Arm ``fault`` (see ``Fault``)."""
        self.faults.add(fault)

    def hits(self, method: str, path: str) -> int:
        """How many ``method`` ``path`` requests arrived (admin requests included)."""
        return sum(1 for r in self.requests if (r.method, r.path) == (method, path))

    # --- answering -----------------------------------------------------------------------

    def authorized(self, headers: Mapping[str, str]) -> bool:
        """True when both key headers match (compared in constant time)."""
        key_id = headers.get("apca-api-key-id", "").encode()
        secret = headers.get("apca-api-secret-key", "").encode()
        return hmac.compare_digest(key_id, self.key_id.encode()) & hmac.compare_digest(
            secret, self.secret_key.encode()
        )

    def answer(self, request: EmulatedRequest) -> tuple[int, Any]:
        """Alpaca's answer to ``request`` (status, JSON body)."""
        with self._lock:
            try:
                return 200, self._dispatch(request)
            except EmulatorRequestError as exc:
                return exc.status, exc.body

    def _dispatch(self, request: EmulatedRequest) -> Any:  # noqa: ANN401 - JSON
        if request.path.startswith(ADMIN_PREFIX):
            return self._admin(request)
        route = _ROUTES.get((request.method, request.path))
        if route is not None:
            return route(self, request)
        found = _ORDER_BY_ID.match(request.path)
        if request.method == "GET" and found:
            return self.account.order(order_id=found.group(1))
        raise EmulatorRequestError(404, "endpoint not found", code=40410000)

    def _admin(self, request: EmulatedRequest) -> Any:  # noqa: ANN401 - JSON
        action = ADMIN_ROUTES.get((request.method, request.path.removeprefix(ADMIN_PREFIX)))
        if action is None:
            raise EmulatorRequestError(404, f"no admin endpoint {request.method} {request.path}")
        try:
            return action(self, request.body)
        except ValidationError as exc:
            raise EmulatorRequestError(400, str(exc.errors(include_url=False)[0]["msg"])) from exc

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (a hung answer), or less when the emulator stops."""
        self._stopping.wait(seconds)

    def state(self) -> dict[str, Any]:
        """``GET /_emulator/state``."""
        with self._lock:
            return {
                "now": self.market.clock()["timestamp"],
                "account": self.account.account_body(),
                "positions": self.account.positions_body(),
                "orders": [order.body() for order in self.account.orders.values()],
                "faults": self.faults.pending(),
                "connections": self.connections,
            }

    def track(self, sock: socket.socket, *, opened: bool) -> None:
        """Count a connection the server opened, or forget one it closed."""
        with self._lock:
            if opened:
                self.connections += 1
                self._sockets.add(sock)
            else:
                self._sockets.discard(sock)


def _required(request: EmulatedRequest, name: str) -> str:
    value = request.query.get(name)
    if not value:
        raise EmulatorRequestError(422, f"{name} is required", code=40010001)
    return value


_ROUTES: dict[Route, Callable[[AlpacaEmulator, EmulatedRequest], Any]] = {
    ("GET", "/v2/account"): lambda e, r: e.account.account_body(),
    ("GET", "/v2/positions"): lambda e, r: e.account.positions_body(),
    ("POST", "/v2/orders"): lambda e, r: e.account.submit(r.body),
    ("GET", "/v2/orders:by_client_order_id"): lambda e, r: e.account.order(
        client_order_id=_required(r, "client_order_id")
    ),
    ("GET", "/v2/clock"): lambda e, r: e.market.clock(),
    ("GET", "/v2/calendar"): lambda e, r: e.market.calendar(r.query),
    ("GET", "/v2/stocks/bars"): lambda e, r: e.market.stock_bars(r.query),
}


def _day_after(bars: Mapping[str, Sequence[Bar]]) -> date:
    """The trading day after the newest bar (the first day the bars are complete for)."""
    newest = max((bar.date for series in bars.values() for bar in series), default=None)
    day = (newest or date.today()) + timedelta(days=1)
    while not is_trading_day(day):
        day += timedelta(days=1)
    return day
