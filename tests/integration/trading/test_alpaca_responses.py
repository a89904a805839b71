"""The Alpaca adapters on recorded Alpaca response bodies (tests/data/alpaca).

Each body is served by the emulator in place of its own answer (a ``respond`` fault),
so it reaches the adapter over HTTP exactly as Alpaca's would.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from alchemiser.events.models import AccountSnapshot
from alchemiser.trading import AlpacaBroker
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
