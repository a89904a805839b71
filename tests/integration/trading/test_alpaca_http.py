"""The Alpaca HTTP client: one kept-alive connection, one retry policy, safe across threads."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from alchemiser.errors import BrokerApiError, BrokerCredentialsError
from alchemiser.trading import AlpacaBroker
from alchemiser.trading.alpaca_config import AlpacaCredentials
from alchemiser.trading.alpaca_http import RetryPolicy
from alchemiser_local.alpaca_emulator import AlpacaEmulator, Fault
from tests.integration.trading.fake_alpaca import KEY_ID, SECRET_KEY, Sleeps

CID = "alc-b-SPY-0123456789abcdef01234567"


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def broker(alpaca_url, credentials, sleeps) -> AlpacaBroker:
    return AlpacaBroker(credentials, base_url=alpaca_url, timeout=2, sleep=sleeps)


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
    order = broker.submit_market_order(
        symbol="SPY", side="buy", quantity=Decimal(1), client_order_id=CID
    )
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
