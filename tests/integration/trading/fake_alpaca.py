"""The Alpaca of these tests: the local stack's Alpaca emulator, with this suite's account.

One Alpaca stand-in for the adapters' tests and the local stack (``alpaca_emulator``).
``AlpacaState`` is an emulator on 2025-03-12 (09:35 New York) with 2500.50 in cash and
3.25 SPY, and daily bars through 2025-03-11 for a few symbols, each closing at
``CLOSES`` on its last day: the price a market order fills at.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from alchemiser.trading import Bar, trading_days
from alchemiser_local.alpaca_emulator import AlpacaEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "AS_OF",
    "CLOSES",
    "DAYS",
    "KEY_ID",
    "SECRET_KEY",
    "AlpacaState",
    "Sleeps",
    "bars",
    "fake_alpaca",
]

KEY_ID = "PKTESTKEYID0000000001"
SECRET_KEY = "sEcReT-never-in-logs-0123456789abcdefghij"
AS_OF = date(2025, 3, 12)
DAYS = trading_days(date(2025, 1, 2), date(2025, 3, 11))
CLOSES = {"SPY": Decimal("512.3401"), "TLT": Decimal("90.12"), "BIL": Decimal("91.5")}
CLOSES |= {"TQQQ": Decimal("60.25")}


def bars(days: Sequence[date], *, last_close: Decimal) -> tuple[Bar, ...]:
    """Daily bars over ``days`` rising by a cent a day to ``last_close``."""
    count = len(days)
    return tuple(
        Bar(
            date=day,
            open=close,
            high=close + Decimal("0.5"),
            low=close - Decimal("0.5"),
            close=close,
            volume=Decimal(1_000_000 + i),
        )
        for i, day in enumerate(days)
        for close in [last_close - Decimal("0.01") * (count - 1 - i)]
    )


class AlpacaState(AlpacaEmulator):
    """The emulator with this suite's keys, account and bars."""

    def __init__(self) -> None:
        super().__init__(
            bars={symbol: bars(DAYS, last_close=close) for symbol, close in CLOSES.items()},
            today=AS_OF,
            cash=Decimal("2500.50"),
            positions={"SPY": Decimal("3.25")},
            key_id=KEY_ID,
            secret_key=SECRET_KEY,
        )


class Sleeps(list[float]):
    """A ``sleep`` for the adapters that records the pauses instead of taking them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@contextmanager
def fake_alpaca(state: AlpacaState) -> Iterator[str]:
    """Serve ``state`` on loopback for the test; yields the base URL of both APIs."""
    with state:
        yield state.url
