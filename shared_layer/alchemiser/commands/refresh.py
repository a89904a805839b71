"""The ``refresh_market_data`` command: the bar store brought up to the last session.

Fired on weekdays before the trade by template.yaml's MarketDataRefreshSchedule, it
fetches from Alpaca market data whatever the strategy configuration's symbols lack
(``trading.bar_refresh``); ``backfill: true`` (``alchemiser bars backfill``) fetches every
symbol's whole lookback again. A failed refresh is logged (``market_data_refresh_failed``),
counted (``MarketDataRefreshFailed``, the alarm's metric) and raised, so Lambda retries
and the failure destination keeps the command; what it could write stays written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.commands.runs import CommandRun, trading_day
from alchemiser.logging import get_logger
from alchemiser.metrics import put_metric

if TYPE_CHECKING:
    from alchemiser.commands.runs import Run
    from alchemiser.trading.bar_refresh import BarRefreshResult

__all__ = ["REFRESH_FAILED_METRIC", "REFRESH_MARKET_DATA"]

#: The metric MarketDataRefreshAlarm watches (template.yaml).
REFRESH_FAILED_METRIC = "MarketDataRefreshFailed"

_log = get_logger(__name__)


def _refresh_bars(run: Run) -> BarRefreshResult:
    from alchemiser.trading.bar_refresh import refresh_bars  # noqa: PLC0415 - first use
    from alchemiser.trading.factory import build_bar_source, build_bar_store  # noqa: PLC0415
    from alchemiser.trading.signals import symbol_requirements  # noqa: PLC0415
    from alchemiser.trading.strategy_config import load_strategy_config  # noqa: PLC0415

    settings, command = run.settings, run.command
    needed = symbol_requirements(load_strategy_config(settings.strategy_config_path))
    return refresh_bars(
        build_bar_store(settings),
        build_bar_source(settings),  # reads the Alpaca secret: a bad one fails every run
        needed,
        as_of=trading_day(command),
        backfill=bool(command.backfill),
        dry_run=command.dry_run,
    )


def _refresh(run: Run) -> dict[str, Any]:
    try:
        result = _refresh_bars(run)
    except Exception as exc:
        _log.error("market_data_refresh_failed", error=str(exc), error_type=type(exc).__name__)
        put_metric(REFRESH_FAILED_METRIC)
        raise
    return {
        "correlation_id": run.ids.correlation_id,
        "as_of": result.as_of.isoformat(),
        "through": result.through.isoformat(),
        "backfill": result.backfill,
        "dry_run": result.dry_run,
        "written": result.written,
        "symbols": [entry.model_dump(mode="json") for entry in result.symbols],
    }


#: Refresh the bar store once per run; duplicates get the first run's answer.
REFRESH_MARKET_DATA = CommandRun(
    scope="trading.refresh_market_data", status="refreshed", work=_refresh
)
