"""The Alpaca emulator itself, spoken to over plain HTTP as any Alpaca client would."""

from __future__ import annotations

import base64
import http.client
import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from alchemiser.trading import Bar, trading_days
from alchemiser_local.alpaca_emulator import AlpacaEmulator, Fault
from tests.integration.trading.fake_alpaca import AS_OF, CLOSES, KEY_ID, SECRET_KEY, bars

KEYS = {"APCA-API-KEY-ID": KEY_ID, "APCA-API-SECRET-KEY": SECRET_KEY}


class Client:
    """A bare HTTP client on one connection, to see exactly what the emulator answers."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)

    def __call__(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        keys: dict[str, str] | None = None,
        **query: str,
    ) -> tuple[int, Any]:
        return self.request(method, path, body, keys=keys, query=query)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        keys: dict[str, str] | None = None,
        query: dict[str, str],
    ) -> tuple[int, Any]:
        target = f"{path}?{urlencode(query)}" if query else path
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", **(KEYS if keys is None else keys)}
        self.connection.request(method, target, body=data, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        self.headers = response.headers
        return response.status, json.loads(raw) if raw else None


@pytest.fixture
def alpaca(alpaca_state, alpaca_url) -> Client:
    return Client(alpaca_url)


def _order(
    symbol: str = "SPY", qty: str = "1", side: str = "buy", cid: str = "c-1"
) -> dict[str, str]:
    return {
        "symbol": symbol,
        "qty": qty,
        "side": side,
        "type": "market",
        "time_in_force": "day",
        "client_order_id": cid,
    }


# --- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "keys",
    [{}, {**KEYS, "APCA-API-SECRET-KEY": "wrong"}, {"APCA-API-KEY-ID": KEY_ID}],
    ids=["none", "wrong-secret", "no-secret"],
)
def test_emulator_refuses_requests_without_the_right_keys(alpaca, keys):
    for path in ("/v2/account", "/v2/stocks/bars"):
        assert alpaca("GET", path, keys=keys) == (
            401,
            {"code": 40110000, "message": "request is not authorized"},
        )


def test_emulator_admin_api_needs_no_keys(alpaca):
    status, state = alpaca("GET", "/_emulator/state", keys={})
    assert status == 200
    assert state["now"] == "2025-03-12T09:35:00-04:00"


# --- orders ------------------------------------------------------------------------------


def test_emulator_market_order_fills_at_the_latest_close_and_books_it(alpaca, alpaca_state):
    status, order = alpaca("POST", "/v2/orders", _order(qty="2.5"))
    assert status == 200
    assert (order["status"], order["filled_qty"], order["filled_avg_price"]) == (
        "filled",
        "2.5",
        str(CLOSES["SPY"]),
    )
    _, account = alpaca("GET", "/v2/account")
    cost = (Decimal("2.5") * CLOSES["SPY"]).quantize(Decimal("0.01"))
    assert Decimal(account["cash"]) == Decimal("2500.50") - cost
    _, positions = alpaca("GET", "/v2/positions")
    assert [(p["symbol"], p["qty"], p["asset_class"]) for p in positions] == [
        ("SPY", "5.75", "us_equity")
    ]


def test_emulator_duplicate_client_order_id_is_a_422(alpaca):
    alpaca("POST", "/v2/orders", _order())
    assert alpaca("POST", "/v2/orders", _order()) == (
        422,
        {"code": 40010001, "message": "client_order_id must be unique"},
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (_order(qty="1E-7"), 422, "invalid qty"),
        (_order(qty="0"), 422, "qty must be > 0"),
        (_order(qty="0.0000000001"), 422, "invalid qty"),
        ({**_order(), "type": "limit"}, 422, "invalid type"),
        ({**_order(), "time_in_force": "gtc"}, 422, "invalid time_in_force"),
        (_order(symbol="NOPE"), 422, 'asset "NOPE" not found'),
        (_order(qty="1000"), 403, "insufficient buying power"),
        (_order(side="sell", qty="4"), 403, "(requested: 4, available: 3.25)"),
    ],
)
def test_emulator_refuses_orders_as_alpaca_does(alpaca, body, status, message):
    got_status, error = alpaca("POST", "/v2/orders", body)
    assert got_status == status
    assert message in error["message"]


def test_emulator_order_can_be_read_by_id_and_by_client_order_id(alpaca):
    _, placed = alpaca("POST", "/v2/orders", _order())
    assert alpaca("GET", f"/v2/orders/{placed['id']}")[1]["client_order_id"] == "c-1"
    by_cid = alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1")[1]
    assert by_cid["id"] == placed["id"]
    assert alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="nope")[0] == 404
    assert alpaca("GET", "/v2/orders/00000000-0000-0000-0000-000000000000")[0] == 404


def test_emulator_order_stays_working_for_the_polls_asked(alpaca):
    alpaca("POST", "/_emulator/orders", {"fill_after_polls": 3})
    statuses = [alpaca("POST", "/v2/orders", _order())[1]["status"]]
    for _ in range(3):
        statuses.append(
            alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1")[1]["status"]
        )
    assert statuses == ["accepted", "new", "new", "filled"]


def test_emulator_partial_fill_ends_canceled_when_the_day_is_over(alpaca):
    alpaca("POST", "/_emulator/orders", {"partial_fill": "0.4"})
    _, order = alpaca("POST", "/v2/orders", _order(qty="2"))
    assert (order["status"], order["filled_qty"]) == ("partially_filled", "0.8")
    _, positions = alpaca("GET", "/v2/positions")
    assert positions[0]["qty"] == "4.05"
    alpaca("POST", "/_emulator/clock", {"date": "2025-03-13"})
    _, order = alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1")
    assert (order["status"], order["filled_qty"], order["canceled_at"] is not None) == (
        "canceled",
        "0.8",
        True,
    )


def test_emulator_order_placed_while_closed_fills_at_the_next_session(alpaca):
    alpaca("POST", "/_emulator/clock", {"date": "2025-03-15"})  # a Saturday
    _, order = alpaca("POST", "/v2/orders", _order())
    assert order["status"] == "accepted"
    alpaca("POST", "/_emulator/clock", {"date": "2025-03-17"})
    _, order = alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1")
    assert (order["status"], order["filled_avg_price"]) == ("filled", str(CLOSES["SPY"]))


def test_emulator_selling_a_whole_position_removes_it(alpaca):
    alpaca("POST", "/v2/orders", _order(side="sell", qty="3.25"))
    assert alpaca("GET", "/v2/positions") == (200, [])


# --- clock and calendar ------------------------------------------------------------------


def test_emulator_clock_follows_the_simulated_time(alpaca):
    assert alpaca("GET", "/v2/clock")[1]["is_open"] is True
    alpaca("POST", "/_emulator/clock", {"now": "2025-03-14T21:00:00Z"})  # Friday 17:00
    assert alpaca("GET", "/v2/clock")[1] == {
        "timestamp": "2025-03-14T17:00:00-04:00",
        "is_open": False,
        "next_open": "2025-03-17T09:30:00-04:00",
        "next_close": "2025-03-17T16:00:00-04:00",
    }


def test_emulator_calendar_lists_nyse_sessions_with_settlement(alpaca):
    status, days = alpaca("GET", "/v2/calendar", start="2025-04-16", end="2025-04-22")
    assert status == 200
    assert [d["date"] for d in days] == ["2025-04-16", "2025-04-17", "2025-04-21", "2025-04-22"]
    assert days[1] == {
        "date": "2025-04-17",
        "open": "09:30",
        "close": "16:00",
        "session_open": "0400",
        "session_close": "2000",
        "settlement_date": "2025-04-21",
    }
    _, old = alpaca("GET", "/v2/calendar", start="2024-05-23", end="2024-05-23")
    assert old[0]["settlement_date"] == "2024-05-28"  # T+2 before 2024-05-28
    _, edge = alpaca("GET", "/v2/calendar", start="2029-12-28", end="2030-01-10")
    assert [d["date"] for d in edge] == ["2029-12-28", "2029-12-31"]
    assert alpaca("GET", "/v2/calendar", start="someday")[0] == 400


# --- bars --------------------------------------------------------------------------------


def _bars(alpaca: Client, **query: str) -> tuple[int, Any]:
    return alpaca.request("GET", "/v2/stocks/bars", query={"timeframe": "1Day", **query})


def test_emulator_bars_are_sorted_by_symbol_then_time_and_paged(alpaca):
    query = {"symbols": "TLT,SPY", "start": "2025-03-05", "end": "2025-03-12T00:00:00Z"}
    status, page = _bars(alpaca, limit="4", **query)
    assert status == 200
    assert list(page["bars"]) == ["SPY"]
    assert [b["t"] for b in page["bars"]["SPY"]] == [
        "2025-03-05T05:00:00Z",
        "2025-03-06T05:00:00Z",
        "2025-03-07T05:00:00Z",
        "2025-03-10T04:00:00Z",
    ]
    token = base64.b64decode(page["next_page_token"]).decode()
    assert token == "SPY|D|2025-03-10T04:00:00Z"
    _, rest = _bars(alpaca, limit="4", page_token=page["next_page_token"], **query)
    assert {s: len(b) for s, b in rest["bars"].items()} == {"SPY": 1, "TLT": 3}
    _, last = _bars(alpaca, limit="4", page_token=rest["next_page_token"], **query)
    assert ({s: len(b) for s, b in last["bars"].items()}, last["next_page_token"]) == (
        {"TLT": 2},
        None,
    )


def test_emulator_bar_has_alpacas_fields_as_json_numbers(alpaca):
    _, page = _bars(alpaca, symbols="BIL", start="2025-03-11", end="2025-03-11")
    (bar,) = page["bars"]["BIL"]
    assert set(bar) == {"t", "o", "h", "l", "c", "v", "n", "vw"}
    assert bar["c"] == float(CLOSES["BIL"])
    assert isinstance(bar["v"], int)


def test_emulator_bars_sort_newest_first_on_request(alpaca):
    _, page = _bars(alpaca, symbols="SPY", start="2025-03-10", end="2025-03-11", sort="desc")
    assert [b["t"][:10] for b in page["bars"]["SPY"]] == ["2025-03-11", "2025-03-10"]


def test_emulator_serves_no_bar_of_a_session_not_yet_closed(alpaca_state, alpaca):
    alpaca_state.set_bars(
        {"SPY": bars([*trading_days(date(2025, 3, 3), AS_OF)], last_close=Decimal(9))}
    )
    _, page = _bars(alpaca, symbols="SPY", start="2025-03-11", end="2025-03-13")
    assert [b["t"][:10] for b in page["bars"]["SPY"]] == ["2025-03-11"]
    alpaca_state.set_now(datetime(2025, 3, 12, 20, 1, tzinfo=UTC))  # 16:01 New York
    _, page = _bars(alpaca, symbols="SPY", start="2025-03-11", end="2025-03-13")
    assert [b["t"][:10] for b in page["bars"]["SPY"]] == ["2025-03-11", "2025-03-12"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"symbols": "SPY", "timeframe": "1Min"}, "invalid timeframe"),
        ({"symbols": "SPY", "timeframe": "1Day", "limit": "10001"}, "invalid limit"),
        ({"symbols": "SPY", "timeframe": "1Day", "feed": "nyse"}, "invalid feed"),
        ({"symbols": "SPY", "timeframe": "1Day", "start": "2025-03-05T00:00:00"}, "invalid start"),
        ({"symbols": "SPY", "timeframe": "1Day", "page_token": "bm9wZQ=="}, "invalid page token"),
        ({"timeframe": "1Day"}, "symbols is required"),
    ],
)
def test_emulator_refuses_invalid_bar_queries(alpaca, query, message):
    status, error = alpaca("GET", "/v2/stocks/bars", **query)
    assert status == 400
    assert message in error["message"]


# --- faults ------------------------------------------------------------------------------


def test_emulator_faults_fire_for_their_requests_then_stop(alpaca):
    fault = {"kind": "rate_limit", "path": "/v2/clock", "retry_after": 7, "times": 2}
    assert alpaca("POST", "/_emulator/faults", fault)[0] == 200
    assert alpaca("GET", "/v2/account")[0] == 200  # another path
    assert alpaca("GET", "/v2/clock")[0] == 429
    assert alpaca.headers["Retry-After"] == "7"
    assert alpaca("GET", "/v2/clock") == (429, {"code": 42910000, "message": "rate limit exceeded"})
    assert alpaca("GET", "/v2/clock")[0] == 200


def test_emulator_faults_match_a_path_pattern_and_method(alpaca):
    alpaca(
        "POST",
        "/_emulator/faults",
        {"kind": "error", "status": 504, "path": "/v2/orders*", "method": "GET", "times": 5},
    )
    assert alpaca("POST", "/v2/orders", _order())[0] == 200
    assert alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1") == (
        504,
        {"code": 50410000, "message": "emulated fault (error)"},
    )
    assert alpaca("DELETE", "/_emulator/faults") == (200, [])
    assert alpaca("GET", "/v2/orders:by_client_order_id", client_order_id="c-1")[0] == 200


def test_emulator_dropped_connection_gets_no_answer(alpaca_state, alpaca):
    alpaca_state.fail(Fault(kind="drop", path="/v2/account"))
    with pytest.raises(http.client.RemoteDisconnected):
        alpaca("GET", "/v2/account")


def test_emulator_stops_at_once_even_while_an_answer_hangs(alpaca_state, alpaca):
    alpaca_state.fail(Fault(kind="hang", path="/v2/account", seconds=60))
    alpaca.connection.timeout = 0.2
    with pytest.raises(TimeoutError):
        alpaca("GET", "/v2/account")
    started = time.monotonic()
    alpaca_state.stop()
    assert time.monotonic() - started < 2


def test_emulator_admin_api_refuses_invalid_bodies(alpaca):
    assert alpaca("POST", "/_emulator/faults", {"kind": "meltdown", "path": "/v2/*"})[0] == 400
    assert alpaca("POST", "/_emulator/orders", {"partial_fill": "2"})[0] == 400
    assert alpaca("POST", "/_emulator/clock", {})[0] == 400
    assert alpaca("GET", "/_emulator/nothing")[0] == 404


# --- start and stop ----------------------------------------------------------------------


def test_emulator_starts_on_a_free_port_and_gives_the_alpaca_secret():
    emulator = AlpacaEmulator(
        bars={"SPY": [Bar(date=date(2025, 3, 11), open=1, high=1, low=1, close=1, volume=1)]}
    )
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.url
    with emulator as running:
        assert running.start() == running.url  # a second start changes nothing
        secret = running.secret()
        assert secret["trading_base_url"] == secret["data_base_url"] == running.url
        assert running.market.today == date(2025, 3, 12)  # the day after the newest bar
    emulator.stop()  # stopping twice is harmless
