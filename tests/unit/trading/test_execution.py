"""Execution: sells first, bounded waits, partial failures, dry runs and safe retries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from alchemiser.errors import BrokerApiError
from alchemiser.events.models import AccountSnapshot, PlanItem, RebalancePlan
from alchemiser.trading import ExecutionReport, client_order_id, execute_plan
from tests.unit.trading.fake_broker import FakeBroker

D = Decimal
EVENT_ID = "0b9d3c57-6c55-4a43-9d0c-1a7e1f9d5c11"
PRICES = {"SPY": D(100), "TLT": D(50), "GLD": D(200), "BIL": D(90)}


def _item(symbol: str, side: str, quantity: str) -> PlanItem:
    qty, price = D(quantity), PRICES[symbol]
    return PlanItem.model_validate(
        {
            "symbol": symbol,
            "side": side,
            "quantity": qty,
            "estimated_price": price,
            "estimated_value": qty * price,
            "current_value": D(0),
            "target_value": qty * price,
            "target_weight": D("0.1"),
            "reason": "test",
        }
    )


def _plan(*items: PlanItem) -> RebalancePlan:
    account = AccountSnapshot(equity=D(10_000), cash=D(1_000), buying_power=D(1_000))
    return RebalancePlan(account=account, items=items, cash_buffer=D(100), min_trade_value=D(25))


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _execute(
    plan: RebalancePlan,
    broker: FakeBroker,
    *,
    event_id: str = EVENT_ID,
    dry_run: bool = False,
    fill_timeout_seconds: float = 30.0,
) -> ExecutionReport:
    clock = FakeClock()
    return execute_plan(
        plan,
        broker,
        event_id=event_id,
        dry_run=dry_run,
        fill_timeout_seconds=fill_timeout_seconds,
        clock=clock,
        sleep=clock.sleep,
    )


PLAN = _plan(_item("TLT", "sell", "10"), _item("SPY", "buy", "3"), _item("GLD", "buy", "1"))


def test_execution_waits_for_every_sell_to_fill_before_the_first_buy():
    # Given a sale that takes two polls to fill
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)}, polls_to_fill={"TLT": 2})
    # When the plan is executed
    report = _execute(PLAN, broker)
    # Then the buys are only submitted after the sale was seen filled
    calls = [name for name, _ in broker.calls]
    first_buy = broker.calls.index(("submit", "buy SPY"))
    assert calls[:3] == ["submit", "get_order", "get_order"]
    assert first_buy == 3
    assert [o.status for o in report.orders] == ["filled", "filled", "filled"]
    assert (report.orders_placed, report.orders_succeeded) == (3, 3)
    assert report.failed_symbols == ()
    assert report.failure_reason is None
    assert report.account_after is not None
    assert report.account_after.positions == {"SPY": D(3), "GLD": D(1)}


def test_execution_records_a_rejected_order_and_carries_on():
    # Given a broker that refuses GLD
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)}, refuse={"GLD"})
    # When executed
    report = _execute(PLAN, broker)
    # Then SPY still goes through, and GLD is reported as rejected with the reason
    statuses = {o.symbol: o.status for o in report.orders}
    assert statuses == {"TLT": "filled", "SPY": "filled", "GLD": "rejected"}
    assert (report.orders_placed, report.orders_succeeded) == (2, 2)
    assert report.failed_symbols == ("GLD",)
    assert report.failure_reason is not None
    assert "buy GLD rejected: HTTP 403: insufficient buying power" in report.failure_reason


def test_execution_retried_after_a_transient_failure_never_places_an_order_twice():
    # Given a broker that fails transiently on the second submission (after TLT was sold)
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)}, fail_on_submit={2})
    # When the execution raises and Lambda retries it with the same event id
    with pytest.raises(BrokerApiError):
        _execute(PLAN, broker)
    report = _execute(PLAN, broker)
    # Then every order was filled exactly once and the report is complete
    assert sorted(broker.fills.values()) == [1, 1, 1]
    assert report.orders_succeeded == 3
    assert report.account_after is not None
    assert report.account_after.positions == {"SPY": D(3), "GLD": D(1)}


def test_execution_with_another_event_id_places_new_orders():
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(20)})
    _execute(PLAN, broker)
    _execute(PLAN, broker, event_id="another-event")
    assert len(broker.fills) == 6


def test_execution_dry_run_sends_nothing():
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)})
    report = _execute(PLAN, broker, dry_run=True)
    assert broker.calls == []
    assert [o.status for o in report.orders] == ["not_placed"] * 3
    assert (report.orders_placed, report.orders_succeeded) == (0, 0)
    assert report.failed_symbols == ()
    assert report.account_after is None


def test_execution_an_order_not_filled_in_time_fails_after_a_bounded_wait():
    # Given a sale that would need 1,000 polls and a 5 s wait with 0.5 s polls
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)}, polls_to_fill={"TLT": 1000})
    clock = FakeClock()
    # When executed
    report = execute_plan(
        _plan(_item("TLT", "sell", "10")),
        broker,
        event_id=EVENT_ID,
        dry_run=False,
        fill_timeout_seconds=5,
        poll_interval_seconds=0.5,
        clock=clock,
        sleep=clock.sleep,
    )
    # Then it waited 5 s, no more, and reports the order as failed (still open)
    assert sum(clock.sleeps) == 5
    (order,) = report.orders
    assert order.status == "failed"
    assert order.error is not None
    assert "stays open at the broker" in order.error
    assert report.orders_placed == 1
    assert report.failed_symbols == ("TLT",)


def test_execution_a_partial_fill_at_the_deadline_is_reported_as_partial():
    broker = FakeBroker(prices=PRICES, positions={"TLT": D(10)}, stuck_at={"TLT": D(4)})
    report = _execute(_plan(_item("TLT", "sell", "10")), broker, fill_timeout_seconds=1)
    (order,) = report.orders
    assert (order.status, order.filled_quantity) == ("partially_filled", D(4))
    assert order.error is not None
    assert report.failed_symbols == ("TLT",)


def test_client_order_id_is_deterministic_short_and_safe():
    # Given the same event, symbol and side twice
    first = client_order_id(EVENT_ID, "BRK.B", "buy")
    # Then the id is the same, at most 48 characters of letters, digits and dashes
    assert first == client_order_id(EVENT_ID, "BRK.B", "buy")
    assert len(first) <= 48
    assert re.fullmatch(r"[A-Za-z0-9-]+", first)
    assert first.startswith("alc-b-BRK-B-")
    # And any change of event, symbol or side gives another id
    others = {
        client_order_id("other-event", "BRK.B", "buy"),
        client_order_id(EVENT_ID, "BRK-B", "buy"),
        client_order_id(EVENT_ID, "BRK.B", "sell"),
    }
    assert first not in others
    assert len(others) == 3


def test_client_order_id_fits_the_longest_symbol():
    assert len(client_order_id("x" * 128, "ABCDEFGHIJKLMNO", "sell")) <= 48


def test_client_order_id_refuses_an_unknown_side():
    with pytest.raises(ValueError, match="side"):
        client_order_id(EVENT_ID, "SPY", "short")
