"""PaperBroker against the moto server, on a table built from template.yaml."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from alchemiser.errors import OrderRejectedError, PaperAccountNotFoundError
from alchemiser.trading import PaperBroker, execute_plan, load_strategy_config, plan_rebalance
from tests.unit.trading.support import AS_OF, InMemoryMarketData, bars_from_closes, linear

D = Decimal
CID = "alc-b-SPY-0123456789abcdef01234567"


@pytest.fixture
def market() -> InMemoryMarketData:
    # Latest closes before AS_OF: SPY 100, TLT 50
    return InMemoryMarketData(
        {
            "SPY": bars_from_closes(linear(3, start="98")),
            "TLT": bars_from_closes(linear(3, start="52", step="-1")),
        }
    )


@pytest.fixture
def broker(paper_broker_table, dynamodb, market) -> PaperBroker:
    return PaperBroker(
        paper_broker_table,
        market_data=market,
        as_of=AS_OF,
        slippage_bps=D(10),
        client=dynamodb,
    )


def test_paper_broker_open_account_is_idempotent(broker):
    # Given a new table / When the account is opened twice with different cash
    assert broker.open_account(D(10_000)) is True
    assert broker.open_account(D(99)) is False
    # Then the first opening stands
    account = broker.get_account()
    assert (account.cash, account.equity, account.positions) == (D(10_000), D(10_000), {})


def test_paper_broker_buy_fills_at_the_latest_close_plus_slippage(broker):
    broker.open_account(D(10_000))
    # When 10 SPY are bought with 10 bps slippage on a 100 close
    order = broker.submit_market_order(
        symbol="SPY", side="buy", quantity=D(10), client_order_id=CID
    )
    # Then the buyer pays 100.10 a share
    assert (order.status, order.filled_quantity, order.average_price) == (
        "filled",
        D(10),
        D("100.1"),
    )
    account = broker.get_account()
    assert account.cash == D("8999.00")
    assert account.positions == {"SPY": D(10)}
    # And equity values the position at the close, not the fill price
    assert account.equity == D("9999.00")


def test_paper_broker_sell_receives_the_close_minus_slippage(broker):
    broker.open_account(D(10_000))
    broker.submit_market_order(symbol="TLT", side="buy", quantity=D(4), client_order_id="buy-1")
    order = broker.submit_market_order(
        symbol="TLT", side="sell", quantity=D("1.5"), client_order_id="sell-1"
    )
    assert order.average_price == D("49.95")
    account = broker.get_account()
    assert account.positions == {"TLT": D("2.5")}
    assert account.cash == D(10_000) - D("200.20") + D("74.92")  # 74.925 rounds half to even


def test_paper_broker_a_duplicate_client_order_id_returns_the_first_order(broker):
    broker.open_account(D(10_000))
    first = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    again = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    assert again == first
    assert broker.get_account().positions == {"SPY": D(1)}


def test_paper_broker_concurrent_duplicates_fill_once(broker):
    # Given eight workers submitting the same order at the same moment
    broker.open_account(D(10_000))
    barrier = threading.Barrier(8)
    results = []

    def submit() -> None:
        barrier.wait()
        results.append(
            broker.submit_market_order(symbol="SPY", side="buy", quantity=D(5), client_order_id=CID)
        )

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then all of them got the one order, and it filled once
    assert len(results) == 8
    assert len({r.broker_order_id for r in results}) == 1
    account = broker.get_account()
    assert account.positions == {"SPY": D(5)}
    assert account.cash == D("9499.50")


def test_paper_broker_refuses_a_buy_beyond_its_cash_and_remembers_it(broker):
    broker.open_account(D(100))
    order = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(2), client_order_id=CID)
    assert order.status == "rejected"
    assert order.error == "insufficient cash: needs 200.20, has 100"
    # And a retry under the same id gets the same answer, even with cash now there
    other = PaperBroker(
        broker.table_name,
        market_data=broker.market_data,
        as_of=AS_OF,
        slippage_bps=D(0),
        client=broker.client,
    )
    assert (
        other.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
        == order
    )
    assert broker.get_order(CID) == order
    assert broker.get_account().cash == D(100)


def test_paper_broker_refuses_to_sell_more_than_it_holds(broker):
    broker.open_account(D(1_000))
    broker.submit_market_order(symbol="SPY", side="buy", quantity=D(2), client_order_id="b")
    order = broker.submit_market_order(
        symbol="SPY", side="sell", quantity=D(3), client_order_id="s"
    )
    assert order.status == "rejected"
    assert order.error == "insufficient position: selling 3 SPY"
    assert broker.get_account().positions == {"SPY": D(2)}


def test_paper_broker_rejects_a_symbol_without_prices(broker):
    broker.open_account(D(1_000))
    order = broker.submit_market_order(symbol="ZZZ", side="buy", quantity=D(1), client_order_id="z")
    assert order.status == "rejected"
    assert order.error is not None
    assert "no price for ZZZ" in order.error


def test_paper_broker_without_an_account_says_so(broker):
    with pytest.raises(PaperAccountNotFoundError, match="paper"):
        broker.get_account()
    with pytest.raises(PaperAccountNotFoundError):
        broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)


def test_paper_broker_get_order_of_an_unknown_id_is_none(broker):
    assert broker.get_order("never-placed") is None


def test_paper_broker_runs_a_planned_rebalance_once_per_event(broker):
    # Given a funded account and a 60/40 target
    broker.open_account(D(10_000))
    config = load_strategy_config()
    weights = {"SPY": D("0.6"), "TLT": D("0.4")}
    prices = {"SPY": D(100), "TLT": D(50)}
    plan = plan_rebalance(
        broker.get_account(), prices=prices, target_weights=weights, config=config
    )
    # When the plan is executed twice for the same event (a redelivery)
    first = execute_plan(plan, broker, event_id="evt-1", dry_run=False)
    second = execute_plan(plan, broker, event_id="evt-1", dry_run=False)
    # Then the orders filled once and both reports agree
    assert first.orders_succeeded == 2
    assert second.orders == first.orders
    assert second.account_after == first.account_after
    assert first.account_after is not None
    assert first.account_after.positions == {"SPY": D("59.4"), "TLT": D("79.2")}


@pytest.mark.parametrize(
    "quantity",
    [D(0), D(-1), D("1e30"), D("1e999999"), D(10**3999), D("1e-999999")],
    ids=["zero", "negative", "1e30", "huge", "4000-digits", "tiny"],
)
def test_paper_broker_refuses_an_order_size_outside_the_bounds_with_a_named_error(broker, quantity):
    # (was: ValueError for 0; InvalidOperation/Overflow for 1e30 and "1e999999")
    broker.open_account(D(1_000))
    with pytest.raises(OrderRejectedError, match="SPY: quantity"):
        broker.submit_market_order(symbol="SPY", side="buy", quantity=quantity, client_order_id=CID)
    # And nothing was stored under the id
    assert broker.get_order(CID) is None
    assert broker.get_account().cash == D(1_000)


def test_paper_broker_execution_records_a_refused_size_as_a_rejected_order(broker):
    # Given a plan item the model would refuse, built around it (a bug upstream)
    broker.open_account(D(1_000))
    plan = plan_rebalance(
        broker.get_account(),
        prices={"SPY": D(100)},
        target_weights={"SPY": D("0.5")},
        config=load_strategy_config(),
    )
    item = plan.items[0].model_copy(update={"quantity": D(0)})
    report = execute_plan(
        plan.model_copy(update={"items": (item,)}), broker, event_id="e", dry_run=False
    )
    # Then execution carries on and reports the order as rejected, naming why
    (order,) = report.orders
    assert (order.status, report.failed_symbols) == ("rejected", ("SPY",))
    assert order.error is not None
    assert "quantity" in order.error


def test_paper_broker_rejects_an_order_when_the_close_is_beyond_any_price(
    paper_broker_table, dynamodb
):
    # Given a bar store whose latest SPY close is 1e30 (a corrupt object)
    market = InMemoryMarketData({"SPY": bars_from_closes([D("1e30")])})
    broker = PaperBroker(
        paper_broker_table, market_data=market, as_of=AS_OF, slippage_bps=D(5), client=dynamodb
    )
    broker.open_account(D(1_000))
    order = broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id=CID)
    assert order.status == "rejected"
    assert order.error is not None
    assert order.error.startswith("no price for SPY")
