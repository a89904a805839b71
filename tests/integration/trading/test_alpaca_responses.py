"""The Alpaca adapters on recorded Alpaca response bodies (tests/data/alpaca).

Each body is served by the emulator in place of its own answer (a ``respond`` fault),
so it reaches the adapter over HTTP exactly as Alpaca's would.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from alchemiser.errors import BrokerResponseError, TransientError
from alchemiser.events.models import AccountSnapshot, PlanItem, RebalancePlan
from alchemiser.trading import AlpacaBroker, AlpacaMarketData, execute_plan
from alchemiser.trading.alpaca_broker import ORDER_STATUSES
from alchemiser_local.alpaca_emulator import Fault

DATA = Path(__file__).parents[2] / "data" / "alpaca"
D = Decimal


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def replay(alpaca, path: str, body: Any, *, method: str = "GET", times: int = 1) -> None:
    """Answer the next ``times`` requests to ``path`` with ``body``."""
    alpaca.fail(Fault(kind="respond", method=method, path=path, status=200, body=body, times=times))


@pytest.fixture
def broker(alpaca_url, credentials) -> AlpacaBroker:
    return AlpacaBroker(credentials, base_url=alpaca_url, timeout=2, sleep=lambda _: None)


def test_alpaca_recorded_account_plans_with_long_us_equity_positions_only(
    broker, alpaca_state, logs
):
    # Given a margin account holding whole, fractional and short stock, an option, a coin
    replay(alpaca_state, "/v2/account", recorded("account.json"))
    replay(alpaca_state, "/v2/positions", recorded("positions.json"))
    # When the account is read
    account = broker.get_account()
    # Then only the long us_equity positions are planned with, amounts exact
    assert account == AccountSnapshot(
        equity=D("123346.11"),
        cash=D("122086.5"),
        buying_power=D("245432.61"),
        positions={"AAPL": D("5"), "SPY": D("3.251937112")},
    )
    # And one warning names each position left out, and why
    (warning,) = [r for r in logs.records() if r["level"] == "warning"]
    assert warning["event"] == "alpaca_positions_ignored"
    assert warning["positions"] == {
        "TSLA": "short",
        "AAPL231103C00170000": "us_option",
        "BTCUSD": "crypto",
    }


def test_alpaca_crypto_position_is_never_priced_as_a_stock(broker, alpaca_state):
    # Given a coin held beside the stocks (BTCUSD looks like a stock symbol)
    (coin,) = [p for p in recorded("positions.json") if p["asset_class"] == "crypto"]
    replay(alpaca_state, "/v2/positions", [coin])
    # When the account is read / Then the planner never sees it (so never sells or prices it)
    assert broker.get_account().positions == {}


#: Alpaca's order-status enum (trading API OpenAPI ``OrderStatus``, plus ``pending_review``
#: and ``held`` that alpaca-py's ``OrderStatus`` lists).
ALPACA_ORDER_STATUSES = {
    "new",
    "partially_filled",
    "filled",
    "done_for_day",
    "canceled",
    "expired",
    "replaced",
    "pending_cancel",
    "pending_replace",
    "pending_review",
    "accepted",
    "pending_new",
    "accepted_for_bidding",
    "stopped",
    "rejected",
    "suspended",
    "calculated",
    "held",
}

#: recorded case -> (outcome status, filled quantity)
OUTCOMES = {
    "accepted": ("accepted", "0"),
    "pending_new": ("accepted", "0"),
    "new": ("accepted", "0"),
    "accepted_for_bidding": ("accepted", "0"),
    "partially_filled": ("accepted", "0.75"),
    "pending_cancel": ("accepted", "0"),
    "pending_replace": ("accepted", "0"),
    "pending_review": ("accepted", "0"),
    "stopped": ("accepted", "0"),
    "suspended": ("accepted", "0"),
    "held": ("accepted", "0"),
    "filled": ("filled", "1.5"),
    "calculated": ("filled", "1.5"),
    "notional_filled": ("filled", "0.195172"),
    "done_for_day": ("partially_filled", "0.5"),
    "canceled_partially_filled": ("partially_filled", "0.5"),
    "calculated_partially_filled": ("partially_filled", "1"),
    "canceled": ("failed", "0"),
    "expired": ("failed", "0"),
    "replaced": ("failed", "0"),
    "rejected": ("rejected", "0"),
    "unlisted_status": ("accepted", "0"),
    "unlisted_status_filled": ("filled", "1.5"),
}
CID = "alc-b-SPY-0123456789abcdef01234567"


def test_alpaca_adapter_maps_every_status_of_alpacas_enum():
    assert set(ORDER_STATUSES) == ALPACA_ORDER_STATUSES


def test_alpaca_recorded_orders_cover_every_status_of_alpacas_enum():
    statuses = {order["status"] for order in recorded("orders.json").values()}
    assert statuses >= ALPACA_ORDER_STATUSES
    assert set(recorded("orders.json")) == set(OUTCOMES)


@pytest.mark.parametrize("case", sorted(OUTCOMES))
def test_alpaca_recorded_order_status_maps_to_its_outcome(broker, alpaca_state, case):
    # Given Alpaca's order in that state
    replay(alpaca_state, "/v2/orders:by_client_order_id", recorded("orders.json")[case])
    # When it is read
    outcome = broker.get_order(CID)
    # Then the workflow reports what the broker did: filled only when all of it filled
    assert outcome is not None
    assert (outcome.status, outcome.filled_quantity) == (OUTCOMES[case][0], D(OUTCOMES[case][1]))


def test_alpaca_ended_order_says_what_ended_it(broker, alpaca_state):
    replay(alpaca_state, "/v2/orders:by_client_order_id", recorded("orders.json")["replaced"])
    outcome = broker.get_order(CID)
    assert outcome is not None
    assert outcome.error == (
        "Alpaca status replaced (by order 5b1bdb2a-ba06-4a91-9b27-2da5bc0e2e6d): nothing filled"
    )


def test_alpaca_unlisted_status_is_kept_working_and_logged(broker, alpaca_state, logs):
    replay(
        alpaca_state, "/v2/orders:by_client_order_id", recorded("orders.json")["unlisted_status"]
    )
    broker.get_order(CID)
    (warning,) = [r for r in logs.records() if r["event"] == "alpaca_order_status_unlisted"]
    assert (warning["level"], warning["status"]) == ("warning", "queued_for_auction")


def test_alpaca_calculated_order_counts_as_succeeded(broker, alpaca_state):
    # Given an order Alpaca accepts and then reports "calculated" (done for the day), all filled
    orders = recorded("orders.json")
    replay(alpaca_state, "/v2/orders", orders["accepted"], method="POST")
    replay(alpaca_state, "/v2/orders:by_client_order_id", orders["calculated"], times=50)
    plan = RebalancePlan(
        account=AccountSnapshot(equity=D(1000), cash=D(1000), buying_power=D(1000)),
        items=(_buy("SPY", "1.5"),),
        cash_buffer=D(1),
        min_trade_value=D(1),
    )
    # When the plan is executed
    report = execute_plan(
        plan,
        broker,
        event_id="evt-9",
        dry_run=False,
        fill_timeout_seconds=2,
        poll_interval_seconds=0.01,
    )
    # Then the order is filled and the execution succeeded
    assert [o.status for o in report.orders] == ["filled"]
    assert (report.orders_succeeded, report.failed_symbols) == (1, ())


def _buy(symbol: str, quantity: str) -> PlanItem:
    return PlanItem.model_validate(
        {
            "symbol": symbol,
            "side": "buy",
            "quantity": quantity,
            "estimated_price": "500",
            "estimated_value": "750",
            "current_value": "0",
            "target_value": "750",
            "target_weight": "0.75",
            "reason": "test",
        }
    )


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {k: v for k, v in {**body, **changes}.items() if v is not _DROP}


_DROP = object()
ORDER = recorded("orders.json")["filled"]
PAGE = recorded("bars_page_2.json")
_BAD_BAR = {**PAGE["bars"]["TSLA"][0], "c": -1}

#: (case, path, recorded body made invalid, the field the error names)
INVALID = [
    (
        "equity_not_a_number",
        "/v2/account",
        _with(recorded("account.json"), equity="12,3"),
        "equity",
    ),
    ("equity_nan", "/v2/account", _with(recorded("account.json"), equity="NaN"), "equity"),
    ("cash_missing", "/v2/account", _with(recorded("account.json"), cash=_DROP), "cash"),
    ("positions_not_a_list", "/v2/positions", {"message": "oops"}, "body"),
    (
        "position_qty_absurd",
        "/v2/positions",
        [{**recorded("positions.json")[0], "qty": "1e400"}],
        "0.qty",
    ),
    ("order_without_id", "/v2/orders:by_client_order_id", _with(ORDER, id=_DROP), "id"),
    ("order_status_a_number", "/v2/orders:by_client_order_id", _with(ORDER, status=42), "status"),
    (
        "order_symbol_a_pair",
        "/v2/orders:by_client_order_id",
        _with(ORDER, symbol="BTC/USD"),
        "symbol",
    ),
    (
        "clock_without_zone",
        "/v2/clock",
        _with(recorded("clock.json"), timestamp="2025-03-12T09:35:00"),
        "timestamp",
    ),
    (
        "bar_negative_close",
        "/v2/stocks/bars",
        {"bars": {"TSLA": [_BAD_BAR]}, "next_page_token": None},
        "bars.TSLA.0.c",
    ),
    ("bars_a_list", "/v2/stocks/bars", {"bars": [], "next_page_token": None}, "bars"),
]


def _call(path: str, broker: AlpacaBroker, market: AlpacaMarketData) -> object:
    calls = {
        "/v2/account": broker.get_account,
        "/v2/positions": broker.get_account,
        "/v2/orders:by_client_order_id": lambda: broker.get_order(CID),
        "/v2/clock": broker.clock,
        "/v2/stocks/bars": lambda: market.daily_bars(["TSLA"], 1, as_of=date(2022, 2, 4)),
    }
    return calls[path]()


@pytest.mark.parametrize(
    ("path", "body", "field"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_alpaca_invalid_body_is_a_named_permanent_error(
    broker, alpaca_url, credentials, alpaca_state, path, body, field
):
    # Given Alpaca answers 200 with a body that does not read as its API documents
    replay(alpaca_state, path, body)
    market = AlpacaMarketData(credentials, base_url=alpaca_url)
    # When the adapter reads it / Then the error names the field, and nothing is retried
    with pytest.raises(BrokerResponseError, match=rf"unexpected response: {re.escape(field)}:"):
        _call(path, broker, market)
    assert alpaca_state.hits("GET", path) == 1


def test_alpaca_invalid_order_answer_is_not_taken_for_a_refusal(broker, alpaca_state):
    replay(alpaca_state, "/v2/orders", _with(ORDER, client_order_id=_DROP), method="POST")
    with pytest.raises(BrokerResponseError, match="POST /v2/orders: unexpected response"):
        broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    assert not isinstance(BrokerResponseError("x"), TransientError)


def test_alpaca_recorded_bar_pages_become_exact_bars(alpaca_url, credentials, alpaca_state):
    # Given Alpaca's answer in two pages: AAPL's bars, then TSLA's
    first, second = recorded("bars_page_1.json"), recorded("bars_page_2.json")
    replay(alpaca_state, "/v2/stocks/bars", first)
    replay(alpaca_state, "/v2/stocks/bars", second)
    market = AlpacaMarketData(credentials, base_url=alpaca_url)
    # When three bars before Friday 2022-02-04 are asked for
    got = market.daily_bars(["AAPL", "TSLA"], 3, as_of=date(2022, 2, 4))
    # Then both symbols have them, with Alpaca's JSON numbers as exact Decimals
    assert [b.close for b in got["AAPL"]] == [D("174.61"), D("175.84"), D("172.9")]
    assert [b.date.isoformat() for b in got["TSLA"]] == ["2022-02-01", "2022-02-02", "2022-02-03"]
    assert got["TSLA"][0].volume == D(24379446)
    # And the second page was asked for with the first page's token
    tokens = [r.query.get("page_token") for r in alpaca_state.requests]
    assert tokens == [None, first["next_page_token"]]


def test_alpaca_recorded_clock_with_nanoseconds_is_read(broker, alpaca_state):
    replay(alpaca_state, "/v2/clock", recorded("clock.json"))
    clock = broker.clock()
    assert clock.is_open is True
    assert clock.timestamp.utcoffset() == -timedelta(hours=4)
    assert (clock.timestamp.hour, clock.timestamp.minute) == (9, 35)


def test_alpaca_fill_price_finer_than_the_events_is_reported_rounded(broker, alpaca_state):
    # Given a filled order whose average price has more decimals than an event may carry
    # (a fractional fill), and a quantity at Alpaca's finest (9 places)
    order = {
        **recorded("orders.json")["filled"],
        "filled_avg_price": "187.330123456789",
        "qty": "0.123456789",
        "filled_qty": "0.123456789",
    }
    replay(alpaca_state, "/v2/orders:by_client_order_id", order)
    # When it is read, Then the fill is reported (never a failure for its 12th decimal)
    outcome = broker.get_order(CID)
    assert outcome is not None
    assert outcome.status == "filled"
    assert outcome.average_price == D("187.33012346")
    assert outcome.filled_quantity == D("0.123456789")
