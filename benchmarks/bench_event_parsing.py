"""Parse + validate time of a typical SignalGenerated envelope (target <= 50 us)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from _harness import per_call_seconds, report

from alchemiser.events import (
    SignalGenerated,
    StrategySignal,
    WorkflowConfiguration,
    from_envelope,
    to_entry,
)

TARGET_US = 50.0
SYMBOLS = ["SPY", "QQQ", "TQQQ", "BIL", "TLT", "GLD", "IEF", "VTI", "EFA", "EEM"]


def typical_signal_envelope() -> dict[str, object]:
    """What the router receives for a three-strategy, ten-symbol portfolio."""
    weight = Decimal("0.1")
    event = SignalGenerated(
        correlation_id="wf-1",
        causation_id="evt-0",
        configuration=WorkflowConfiguration(environment="dev"),
        trading_date=date(2026, 11, 20),
        strategies=tuple(
            StrategySignal(
                name=name,
                allocation=Decimal(1) / 3,
                weights=dict.fromkeys(SYMBOLS, weight),
                rationale="generated for the benchmark",
            )
            for name in ("dual_momentum", "trend_filter", "inverse_volatility")
        ),
        consolidated_portfolio=dict.fromkeys(SYMBOLS, weight),
        prices={s: Decimal("123.45") for s in SYMBOLS},
    )
    entry = to_entry(event, "alchemiser-events-dev")
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": entry["DetailType"],
        "source": entry["Source"],
        "account": "123456789012",
        "time": "2026-11-20T14:35:01Z",
        "region": "us-east-1",
        "resources": [],
        "detail": json.loads(entry["Detail"]),
    }


def main() -> None:
    envelope = typical_signal_envelope()
    seconds = per_call_seconds(lambda: from_envelope(envelope), number=2000)
    report(
        "event_parsing",
        event="SignalGenerated",
        parse_validate_us=round(seconds * 1e6, 2),
        target_us=TARGET_US,
        meets_target=seconds * 1e6 <= TARGET_US,
    )


if __name__ == "__main__":
    main()
