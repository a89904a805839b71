"""PaperBroker against the moto server, on a table built from template.yaml."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest

from alchemiser.errors import (
    BrokerApiError,
    OrderRejectedError,
    PaperAccountNotFoundError,
    PaperAccountResetError,
)
from alchemiser.trading import PaperBroker, execute_plan, load_strategy_config, plan_rebalance
from alchemiser.trading.paper_broker import reset_account
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
    assert order.error == "insufficient cash: needs 200.20, has 100.00"
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


# --- first use -----------------------------------------------------------------------


def first_use_broker(broker: PaperBroker, cash: str = "25000") -> PaperBroker:
    """Another broker on the same table that opens the account on first use."""
    return PaperBroker(
        broker.table_name,
        market_data=broker.market_data,
        as_of=AS_OF,
        slippage_bps=D(10),
        starting_cash=D(cash),
        client=broker.client,
    )


def opened_lines(logs) -> list[dict[str, Any]]:
    return [r for r in logs.records() if r["event"] == "paper_account_opened"]


def test_paper_broker_opens_itself_on_first_use_with_the_starting_cash(broker, logs):
    # Given a table where no account was ever opened (a fresh `sam deploy`)
    fresh = first_use_broker(broker)

    # When the first run reads the account
    account = fresh.get_account()

    # Then it holds the starting cash, and the opening was logged once
    assert (account.cash, account.equity, account.positions) == (D(25_000), D(25_000), {})
    assert fresh.get_account() == account
    (opened,) = opened_lines(logs)
    assert opened["account_id"] == "paper"
    assert opened["cash"] == "25000.00"


def test_paper_broker_first_use_keeps_an_account_that_is_already_open(broker, logs):
    broker.open_account(D(10_000))
    logs.stream.truncate(0)

    account = first_use_broker(broker, cash="99").get_account()

    assert account.cash == D(10_000)
    assert opened_lines(logs) == []


def test_paper_broker_concurrent_first_runs_open_the_account_once(broker, logs):
    # Given eight first runs of a new stack, each with its own broker, at the same moment
    brokers = [first_use_broker(broker) for _ in range(8)]
    barrier = threading.Barrier(len(brokers))
    accounts = []

    def first_run(each: PaperBroker) -> None:
        barrier.wait()
        accounts.append(each.get_account())

    threads = [threading.Thread(target=first_run, args=(each,)) for each in brokers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then one of them opened it, and every other one read the winner's account
    assert len(accounts) == len(brokers)
    assert {(a.cash, a.equity) for a in accounts} == {(D(25_000), D(25_000))}
    assert len(opened_lines(logs)) == 1


def test_paper_broker_an_order_on_an_unopened_account_opens_it_first(broker, logs):
    fresh = first_use_broker(broker)

    order = fresh.submit_market_order(symbol="SPY", side="buy", quantity=D(10), client_order_id=CID)

    assert order.status == "filled"
    assert fresh.get_account().cash == D(25_000) - D("1001.00")
    assert len(opened_lines(logs)) == 1


@pytest.mark.parametrize("cash", ["0", "-5", "1000000000000", "100.001", "NaN"])
def test_paper_broker_refuses_to_open_with_cash_out_of_bounds(broker, cash):
    with pytest.raises(PaperAccountResetError) as raised:
        broker.open_account(D(cash))
    assert raised.value.field == "cash"
    with pytest.raises(PaperAccountNotFoundError):
        broker.get_account()


# --- the operator's reset --------------------------------------------------------------


def test_paper_reset_sets_the_cash_and_closes_every_position(broker, logs):
    # Given an account with two positions
    broker.open_account(D(10_000))
    broker.submit_market_order(symbol="SPY", side="buy", quantity=D(3), client_order_id="b1")
    broker.submit_market_order(symbol="TLT", side="buy", quantity=D(2), client_order_id="b2")

    # When an operator resets it to 50,000
    reset = reset_account(broker.table_name, D(50_000), by="ops@example", client=broker.client)

    # Then it holds exactly that cash and nothing else, and the reset is logged
    assert reset.closed_positions == {"SPY": D(3), "TLT": D(2)}
    account = broker.get_account()
    assert (account.cash, account.equity, account.positions) == (D(50_000), D(50_000), {})
    stored = broker.client.get_item(
        TableName=broker.table_name,
        Key={"pk": {"S": "ACCOUNT#paper"}, "sk": {"S": "ACCOUNT"}},
    )["Item"]
    assert stored["starting_cash"] == {"N": "50000.00"}
    assert stored["reset_by"] == {"S": "ops@example"}
    assert "opened_at" in stored
    (line,) = [r for r in logs.records() if r["event"] == "paper_account_reset"]
    assert line["by"] == "ops@example"


def test_paper_reset_keeps_orders_so_an_old_event_never_fills_again(broker):
    # Given a rebalance executed for an event, then a reset of the account
    broker.open_account(D(10_000))
    plan = plan_rebalance(
        broker.get_account(),
        prices={"SPY": D(100), "TLT": D(50)},
        target_weights={"SPY": D("0.6"), "TLT": D("0.4")},
        config=load_strategy_config(),
    )
    first = execute_plan(plan, broker, event_id="evt-before-reset", dry_run=False)
    reset_account(broker.table_name, D(10_000), by="ops", client=broker.client)

    # When that event is delivered again (a late retry, a replay from the archive)
    again = execute_plan(plan, broker, event_id="evt-before-reset", dry_run=False)

    # Then it gets the orders it placed before, and the reset account is untouched
    assert again.orders == first.orders
    assert broker.get_order(first.orders[0].client_order_id) == first.orders[0]
    account = broker.get_account()
    assert (account.cash, account.positions) == (D(10_000), {})


def test_paper_reset_twice_leaves_the_same_account(broker):
    broker.open_account(D(1_000))
    broker.submit_market_order(symbol="SPY", side="buy", quantity=D(1), client_order_id="b")

    reset_account(broker.table_name, D("2500.50"), by="ops", client=broker.client)
    once = broker.get_account()
    second = reset_account(broker.table_name, D("2500.50"), by="ops", client=broker.client)

    assert second.closed_positions == {}
    assert broker.get_account() == once
    assert once.cash == D("2500.50")


def test_paper_reset_of_an_account_never_opened_opens_it(broker):
    reset_account(broker.table_name, D(7_000), by="ops", client=broker.client)
    assert broker.get_account().cash == D(7_000)


@pytest.mark.parametrize(
    ("cash", "reason"),
    [
        ("0", "greater than 0"),
        ("-1", "greater than 0"),
        ("1000000000000", "less than 1000000000000"),
        ("10.005", "2 decimal places"),
        ("Infinity", "finite"),
    ],
)
def test_paper_reset_refuses_cash_out_of_bounds_naming_the_field(broker, cash, reason):
    broker.open_account(D(1_000))
    with pytest.raises(PaperAccountResetError) as raised:
        reset_account(broker.table_name, D(cash), by="ops", client=broker.client)
    assert raised.value.field == "cash"
    assert reason in raised.value.reason
    assert broker.get_account().cash == D(1_000)


class FillsDuringTheReset:
    """The real client, except that an order fills just before the reset's transaction."""

    def __init__(self, broker: PaperBroker) -> None:
        self.broker = broker
        self.real = broker.client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def transact_write_items(self, **kwargs: Any) -> Any:
        self.broker.submit_market_order(
            symbol="SPY", side="buy", quantity=D(1), client_order_id="racing"
        )
        return self.real.transact_write_items(**kwargs)


def test_paper_reset_racing_a_fill_is_cancelled_whole_and_says_to_run_again(broker):
    broker.open_account(D(1_000))
    racing: Any = FillsDuringTheReset(broker)

    with pytest.raises(BrokerApiError, match="run it again"):
        reset_account(broker.table_name, D(5_000), by="ops", client=racing)

    # Nothing of the reset was applied: the racing fill stands as it was
    account = broker.get_account()
    assert (account.cash, account.positions) == (D("899.90"), {"SPY": D(1)})


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
