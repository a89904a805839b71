"""The local stack's seeded bar generator: deterministic, trading days only, sane bars."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal, localcontext

from alchemiser.trading import Bar, trading_days
from alchemiser_local.synthetic_bars import (
    SymbolProfile,
    fill_bar_store,
    symbol_profile,
    synthetic_bars,
)

START, END = date(2024, 1, 1), date(2024, 12, 31)
SYMBOLS = ["SPY", "QQQ", "TQQQ", "BIL"]

_SCRIPT = """
import json, sys
from datetime import date
from alchemiser_local.synthetic_bars import synthetic_bars
bars = synthetic_bars(["SPY", "QQQ", "TQQQ", "BIL"], date(2024, 1, 1), date(2024, 12, 31), seed=7)
print(json.dumps({s: [b.model_dump(mode="json") for b in v] for s, v in bars.items()}))
"""


def _as_json(bars: dict[str, tuple[Bar, ...]]) -> dict[str, list[dict[str, str]]]:
    return {s: [b.model_dump(mode="json") for b in v] for s, v in bars.items()}


def test_synthetic_bars_same_inputs_give_identical_bars_in_another_process():
    # Given the generator run here and in a fresh interpreter with another hash seed
    here = _as_json(synthetic_bars(SYMBOLS, START, END, seed=7))
    run = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
        cwd=".",
    )
    # Then both produced exactly the same bars
    assert json.loads(run.stdout) == here


def test_synthetic_bars_depend_on_the_seed():
    assert synthetic_bars(["SPY"], START, END, seed=1) != synthetic_bars(
        ["SPY"], START, END, seed=2
    )


def test_synthetic_bars_of_one_symbol_do_not_depend_on_the_others():
    alone = synthetic_bars(["SPY"], START, END, seed=7)["SPY"]
    together = synthetic_bars(["QQQ", "SPY", "GLD"], START, END, seed=7)["SPY"]
    assert alone == together


def test_synthetic_bars_ignore_the_callers_decimal_context():
    expected = synthetic_bars(["SPY"], START, END, seed=7)
    with localcontext() as ctx:
        ctx.prec = 6
        assert synthetic_bars(["SPY"], START, END, seed=7) == expected


def test_synthetic_bars_cover_exactly_the_trading_days_with_consistent_cents():
    bars = synthetic_bars(SYMBOLS, START, END, seed=7)
    for symbol, series in bars.items():
        assert tuple(b.date for b in series) == trading_days(START, END), symbol
        for bar in series:
            prices = (bar.open, bar.high, bar.low, bar.close)
            assert all(p == p.quantize(Decimal("0.01")) and p > 0 for p in prices)
            assert bar.low <= min(bar.open, bar.close) <= max(bar.open, bar.close) <= bar.high


def test_synthetic_bars_start_near_the_profile_price_and_accept_overrides():
    calm = SymbolProfile(
        start_price=Decimal(90), annual_drift=Decimal("0.04"), annual_volatility=Decimal("0.01")
    )
    bars = synthetic_bars(["SPY", "BIL"], START, END, seed=7, profiles={"BIL": calm})
    assert abs(bars["SPY"][0].close / symbol_profile("SPY").start_price - 1) < Decimal("0.1")
    closes = [b.close for b in bars["BIL"]]
    assert max(closes) - min(closes) < Decimal(8)  # a 1% volatility series stays near 90


class _RecordingStore:
    def __init__(self) -> None:
        self.written: dict[str, tuple[Bar, ...]] = {}

    def put_bars(self, symbol: str, bars: tuple[Bar, ...]) -> None:
        self.written[symbol] = tuple(bars)


def test_fill_bar_store_writes_every_symbol():
    store = _RecordingStore()
    counts = fill_bar_store(store, ["SPY", "BIL"], start=START, end=END, seed=7)  # type: ignore[arg-type]
    assert counts == {"SPY": 252, "BIL": 252}
    assert store.written == synthetic_bars(["SPY", "BIL"], START, END, seed=7)
