"""AlpacaBroker and its HTTP client against the Alpaca emulator on loopback."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from alchemiser.errors import BrokerApiError, BrokerCredentialsError, OrderRejectedError
from alchemiser.events.models import AccountSnapshot, PlanItem, RebalancePlan
from alchemiser.trading import AlpacaBroker, ExecutionReport, execute_plan
from alchemiser.trading.alpaca_config import AlpacaCredentials
from alchemiser.trading.alpaca_http import RetryPolicy
from alchemiser_local.alpaca_emulator import AlpacaEmulator, Fault
from tests.integration.trading.fake_alpaca import CLOSES, KEY_ID, SECRET_KEY, Sleeps

D = Decimal
CID = "alc-b-SPY-0123456789abcdef01234567"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def broker(alpaca_url, credentials, sleeps) -> AlpacaBroker:
    return AlpacaBroker(credentials, base_url=alpaca_url, timeout=2, sleep=sleeps)


def test_alpaca_account_and_positions_become_an_exact_snapshot(broker):
    # Given 2500.50 in cash and 3.25 SPY (last close 512.3401)
    # When the account is read
    account = broker.get_account()
    # Then amounts are exact Decimals
    spy = (D("3.25") * CLOSES["SPY"]).quantize(D("0.01"))
    assert account == AccountSnapshot(
        equity=D("2500.5") + spy,
        cash=D("2500.5"),
        buying_power=D("2500.5"),
        positions={"SPY": D("3.25")},
    )


def test_alpaca_requests_carry_the_keys_in_headers_only(broker, alpaca_state):
    broker.get_account()
    request = alpaca_state.requests[0]
    assert (request.method, request.path) == ("GET", "/v2/account")
    assert request.headers["apca-api-secret-key"] == SECRET_KEY
    assert SECRET_KEY not in request.path
    assert SECRET_KEY not in str(request.query)


def test_alpaca_market_order_fills_at_the_latest_close(broker, alpaca_state):
    order = broker.submit_market_order(
        symbol="SPY", side="buy", quantity=D("1.5"), client_order_id=CID
    )
    assert (order.status, order.filled_quantity, order.average_price) == (
        "filled",
        D("1.5"),
        CLOSES["SPY"],
    )
    assert order.client_order_id == CID
    (sent,) = [r.body for r in alpaca_state.requests if r.method == "POST"]
    assert (sent["type"], sent["time_in_force"], sent["qty"]) == ("market", "day", "1.5")


def test_alpaca_quantities_are_sent_in_plain_decimal_notation(broker, alpaca_state):
    # Given quantities Python writes with an exponent (str() gives 1E-7 and 2E+1)
    tiny, twenty = D("0.0000001"), D("2E+1")
    # When they are ordered
    first = broker.submit_market_order(
        symbol="SPY", side="buy", quantity=tiny, client_order_id="alc-tiny"
    )
    second = broker.submit_market_order(
        symbol="BIL", side="buy", quantity=twenty, client_order_id="alc-twenty"
    )
    # Then Alpaca gets plain decimals and fills both
    sent = [r.body["qty"] for r in alpaca_state.requests if r.method == "POST"]
    assert sent == ["0.0000001", "20"]
    assert (first.status, first.filled_quantity) == ("filled", tiny)
    assert (second.status, second.filled_quantity) == ("filled", twenty)


def test_alpaca_duplicate_client_order_id_returns_the_existing_order(broker, alpaca_state):
    # Given an order already placed under the id
    first = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    # When it is submitted again (a retried execution)
    again = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    # Then Alpaca's 422 is answered with the order it already has: still one order
    assert again == first
    assert len(alpaca_state.account.orders) == 1


def test_alpaca_refusal_is_an_order_rejected_error_with_alpacas_reason(broker):
    with pytest.raises(OrderRejectedError) as caught:
        broker.submit_market_order(symbol="TQQQ", side="buy", quantity=D(1000), client_order_id=CID)
    assert str(caught.value) == (
        "Alpaca POST /v2/orders: HTTP 403: insufficient buying power (code 40310000)"
    )


def test_alpaca_5xx_is_retried_with_backoff(broker, alpaca_state, sleeps):
    # Given two 503s before the account answers
    alpaca_state.fail(Fault(kind="error", status=503, path="/v2/account", times=2))
    # When read / Then it succeeds on the third attempt after 0.5 s and 1 s
    assert broker.get_account().cash == D("2500.5")
    assert alpaca_state.hits("GET", "/v2/account") == 3
    assert sleeps == [0.5, 1.0]


def test_alpaca_rate_limit_honours_retry_after_within_the_bound(broker, alpaca_state, sleeps):
    alpaca_state.fail(Fault(kind="rate_limit", path="/v2/clock", retry_after=3))
    alpaca_state.fail(Fault(kind="rate_limit", path="/v2/clock", retry_after=600))
    assert broker.clock().is_open is True
    assert sleeps == [3.0, 8.0]


def test_alpaca_persistent_5xx_ends_in_a_retryable_broker_api_error(
    broker, alpaca_state, sleeps, capsys
):
    alpaca_state.fail(Fault(kind="error", status=500, path="/v2/positions", times=10))
    with pytest.raises(
        BrokerApiError,
        match=r"GET /v2/positions: HTTP 500: emulated fault \(error\) .* after 4 attempts",
    ):
        broker.get_account()
    assert alpaca_state.hits("GET", "/v2/positions") == 4
    assert len(sleeps) == 3
    assert SECRET_KEY not in capsys.readouterr().out


def test_alpaca_timeouts_are_retried_then_reported(alpaca_url, credentials, alpaca_state, sleeps):
    broker = AlpacaBroker(
        credentials, base_url=alpaca_url, timeout=0.2, retry=RetryPolicy(attempts=2), sleep=sleeps
    )
    alpaca_state.fail(Fault(kind="hang", path="/v2/account", seconds=0.6, times=2))
    with pytest.raises(BrokerApiError, match="after 2 attempts") as caught:
        broker.get_account()
    assert "timed out" in str(caught.value)


def test_alpaca_lost_order_response_is_resolved_by_client_order_id(broker, alpaca_state):
    # Given Alpaca creates the order but the response is a 502 (lost)
    alpaca_state.fail(Fault(kind="error", status=502, method="POST", path="/v2/orders", apply=True))
    # When the client retries the POST (Alpaca now says 422 duplicate)
    order = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(2), client_order_id=CID)
    # Then the order already there is returned and nothing was placed twice
    assert order.status == "filled"
    assert len(alpaca_state.account.orders) == 1
    assert alpaca_state.hits("POST", "/v2/orders") == 2


def test_alpaca_unknown_client_order_id_is_none(broker):
    assert broker.get_order("never-placed") is None


def test_alpaca_4xx_on_other_endpoints_is_not_retried(broker, alpaca_state, sleeps):
    alpaca_state.fail(
        Fault(kind="respond", status=403, path="/v2/account", body={"message": "forbidden"})
    )
    with pytest.raises(OrderRejectedError, match="HTTP 403: forbidden"):
        broker.get_account()
    assert sleeps == []


def test_alpaca_clock_reports_whether_the_market_is_open(broker, alpaca_state):
    alpaca_state.set_now(datetime(2025, 3, 12, 21, 0, tzinfo=UTC))  # 17:00 New York
    clock = broker.clock()
    assert clock.is_open is False
    assert clock.next_open.isoformat() == "2025-03-13T09:30:00-04:00"


def _item(symbol: str, side: str, quantity: str) -> PlanItem:
    return PlanItem.model_validate(
        {
            "symbol": symbol,
            "side": side,
            "quantity": quantity,
            "estimated_price": "10",
            "estimated_value": "10",
            "current_value": "0",
            "target_value": "10",
            "target_weight": "0.1",
            "reason": "test",
        }
    )


def test_alpaca_execution_waits_for_accepted_orders_and_records_refusals(broker, alpaca_state):
    # Given orders that fill on the second poll, and a TQQQ buy beyond the cash
    alpaca_state.configure_orders(fill_after_polls=2)
    plan = RebalancePlan(
        account=AccountSnapshot(equity=D(100), cash=D(100), buying_power=D(100)),
        items=(_item("SPY", "sell", "1"), _item("TQQQ", "buy", "1000"), _item("BIL", "buy", "2")),
        cash_buffer=D(1),
        min_trade_value=D(1),
    )
    # When executed (twice: a retried delivery of the same event)
    report = execute_plan(plan, broker, event_id="evt-7", dry_run=False, poll_interval_seconds=0.01)
    again = execute_plan(plan, broker, event_id="evt-7", dry_run=False, poll_interval_seconds=0.01)
    # Then SPY and BIL filled, TQQQ is reported refused, and nothing was placed twice
    assert [(o.symbol, o.status) for o in report.orders] == [
        ("SPY", "filled"),
        ("TQQQ", "rejected"),
        ("BIL", "filled"),
    ]
    assert report.orders[2].average_price == CLOSES["BIL"]
    assert (report.orders_placed, report.orders_succeeded, report.failed_symbols) == (
        2,
        2,
        ("TQQQ",),
    )
    assert [o.status for o in again.orders] == ["filled", "rejected", "filled"]
    assert len(alpaca_state.account.orders) == 2


def _execute_briefly(broker: AlpacaBroker, item: PlanItem, event_id: str) -> ExecutionReport:
    """Execute one order, waiting 0.2 s at most for its fill."""
    plan = RebalancePlan(
        account=AccountSnapshot(equity=D(100), cash=D(100), buying_power=D(100)),
        items=(item,),
        cash_buffer=D(1),
        min_trade_value=D(1),
    )
    return execute_plan(
        plan,
        broker,
        event_id=event_id,
        dry_run=False,
        fill_timeout_seconds=0.2,
        poll_interval_seconds=0.05,
    )


def test_alpaca_partial_fill_still_open_is_reported_partially_filled(broker, alpaca_state):
    # Given Alpaca fills 40% of each order and leaves the rest working
    alpaca_state.configure_orders(partial_fill=D("0.4"))
    # When a buy is executed and the wait for fills runs out
    report = _execute_briefly(broker, _item("BIL", "buy", "10"), "evt-8")
    # Then what filled is reported, and that the rest stays open at the broker
    (order,) = report.orders
    assert (order.status, order.filled_quantity) == ("partially_filled", D(4))
    assert order.error == "partially filled; the rest stays open at the broker after 0.2s"
    assert report.account_after is not None
    assert report.account_after.positions["BIL"] == D(4)
    # And once the day is over Alpaca has canceled the rest: still partially filled
    alpaca_state.set_today(date(2025, 3, 13))
    later = broker.get_order(order.client_order_id)
    assert later is not None
    assert (later.status, later.filled_quantity) == ("partially_filled", D(4))
    assert later.error == "Alpaca status canceled after filling 4 of 10"


def test_alpaca_order_never_filled_is_reported_failed_and_open(broker, alpaca_state):
    alpaca_state.configure_orders(fill_after_polls=1000)
    report = _execute_briefly(broker, _item("BIL", "buy", "1"), "evt-10")
    (order,) = report.orders
    assert (order.status, order.filled_quantity) == ("failed", D(0))
    assert order.error == "not filled; it stays open at the broker after 0.2s"
    assert (report.orders_placed, report.orders_succeeded) == (1, 0)


# --- the HTTP client: one kept-alive connection, one retry policy, safe across threads


def test_alpaca_client_makes_every_call_on_one_connection(broker, alpaca_state):
    # When the account is read three times and the clock once (seven requests)
    for _ in range(3):
        broker.get_account()
    broker.clock()
    # Then they all went over one kept-alive connection
    assert len(alpaca_state.requests) == 7
    assert alpaca_state.connections == 1


def test_alpaca_connection_closed_while_idle_is_reopened_without_a_retry(credentials, sleeps):
    # Given an Alpaca that closes connections idle for 0.2 s (a frozen Lambda container's)
    with AlpacaEmulator(key_id=KEY_ID, secret_key=SECRET_KEY, idle_timeout=0.2) as alpaca:
        broker = AlpacaBroker(credentials, base_url=alpaca.url, sleep=sleeps)
        broker.clock()
        time.sleep(0.5)
        # When the next call finds its connection closed
        clock = broker.clock()
    # Then it was sent again at once on a new connection: no backoff, no failure
    assert clock.timestamp is not None
    assert (alpaca.connections, sleeps) == (2, [])


def test_alpaca_dropped_kept_alive_connection_is_sent_again_at_once(broker, alpaca_state, sleeps):
    broker.clock()
    alpaca_state.fail(Fault(kind="drop", path="/v2/clock"))
    assert broker.clock().is_open is True
    assert (alpaca_state.hits("GET", "/v2/clock"), alpaca_state.connections) == (3, 2)
    assert sleeps == []


def test_alpaca_connection_dropped_twice_counts_as_a_failed_attempt(broker, alpaca_state, sleeps):
    broker.clock()
    alpaca_state.fail(Fault(kind="drop", path="/v2/clock", times=2))
    assert broker.clock().is_open is True
    assert sleeps == [0.5]


def test_alpaca_fresh_connection_dropped_is_retried_with_backoff(broker, alpaca_state, sleeps):
    alpaca_state.fail(Fault(kind="drop", path="/v2/clock"))
    assert broker.clock().is_open is True
    assert sleeps == [0.5]


def test_alpaca_order_dropped_after_it_was_placed_is_not_placed_twice(broker, alpaca_state):
    # Given a warm connection, and an order Alpaca places before the connection drops
    broker.get_account()
    alpaca_state.fail(Fault(kind="drop", method="POST", path="/v2/orders", apply=True))
    # When it is submitted (sent again at once: Alpaca now says the id is taken)
    order = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    # Then the order placed the first time is the one reported, and there is one
    assert order.status == "filled"
    assert len(alpaca_state.account.orders) == 1


def test_alpaca_client_is_safe_to_share_between_threads(broker, alpaca_state):
    # When eight threads read the clock through one client, five times each
    with ThreadPoolExecutor(max_workers=8) as pool:
        clocks = list(pool.map(lambda _: broker.clock(), range(40)))
    # Then every answer is whole, and the requests took turns on the one connection
    assert all(clock.is_open for clock in clocks)
    assert alpaca_state.connections == 1


def test_alpaca_answer_that_is_not_json_is_retried(broker, alpaca_state, sleeps):
    # Given a proxy answers 200 with an HTML page, then Alpaca answers
    alpaca_state.fail(Fault(kind="respond", path="/v2/clock", status=200, text="<html>hi</html>"))
    # When the clock is read / Then the page is retried like a failed request
    assert broker.clock().is_open is True
    assert sleeps == [0.5]


def test_alpaca_answers_that_are_never_json_end_in_a_retryable_error(
    alpaca_url, credentials, alpaca_state
):
    broker = AlpacaBroker(
        credentials, base_url=alpaca_url, retry=RetryPolicy(attempts=2), sleep=lambda _: None
    )
    alpaca_state.fail(Fault(kind="respond", path="/v2/clock", status=200, text="<html>", times=2))
    with pytest.raises(BrokerApiError, match=r"not JSON .* after 2 attempts"):
        broker.clock()


def test_alpaca_wrong_keys_are_a_credentials_error_never_retried(alpaca_url, alpaca_state, sleeps):
    wrong = AlpacaCredentials.model_validate(
        {"api_key_id": KEY_ID, "api_secret_key": "not-the-secret"}
    )
    broker = AlpacaBroker(wrong, base_url=alpaca_url, sleep=sleeps)
    with pytest.raises(
        BrokerCredentialsError, match="HTTP 401: request is not authorized"
    ) as caught:
        broker.get_account()
    assert "not-the-secret" not in str(caught.value)
    assert SECRET_KEY not in str(caught.value)
    assert (alpaca_state.hits("GET", "/v2/account"), sleeps) == (1, [])


def test_alpaca_retry_policy_refuses_unbounded_settings():
    with pytest.raises(ValueError, match="attempts must be 1 to 10"):
        RetryPolicy(attempts=0)
    with pytest.raises(ValueError, match="backoff_seconds"):
        RetryPolicy(backoff_seconds=30, max_backoff_seconds=8)
