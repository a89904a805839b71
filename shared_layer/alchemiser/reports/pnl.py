"""PnL reports from the equity history the trade ledger keeps.

A period's PnL is its last equity snapshot minus the last snapshot before it (the
previous close); when the history starts inside the period, its first snapshot is the
start. Weekly periods are ISO weeks (Monday to Sunday), monthly periods calendar months;
the one holding ``as_of`` ends on ``as_of``. A trailing window (``pnl_period``) starts
from the last snapshot on or before ``as_of`` minus the window.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

from alchemiser.aws import dynamodb_client
from alchemiser.errors import PnlHistoryMissingError
from alchemiser.logging import get_logger
from alchemiser.reports.models import PnlPeriod, PnlReport
from alchemiser.reports.store import equity_pk, ledger_errors, report_pk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_dynamodb import DynamoDBClient

    from alchemiser.reports.models import PnlReportRequest

__all__ = ["build_pnl_report", "months_back"]

_PCT = Decimal("0.01")


class _Window(NamedTuple):
    """Snapshots dated after ``opens`` up to ``end``; the baseline is the last on ``opens``."""

    label: str
    opens: date
    end: date


class _Snapshot(NamedTuple):
    day: date
    equity: Decimal


def months_back(day: date, months: int) -> date:
    """``day`` moved back ``months`` calendar months (clamped to the month's last day)."""
    from dateutil.relativedelta import relativedelta  # noqa: PLC0415 - the worker's only

    return day - relativedelta(months=months)


def _windows(request: PnlReportRequest) -> list[_Window]:
    """The report's periods, oldest first."""
    as_of = request.as_of
    if request.pnl_period is not None:
        count, unit = int(request.pnl_period[:-1]), request.pnl_period[-1]
        opens = (
            as_of - timedelta(weeks=count)
            if unit == "W"
            else months_back(as_of, count * (12 if unit == "Y" else 1))
        )
        return [_Window(request.pnl_period, opens, as_of)]
    windows = []
    for back in range(request.pnl_periods or 1):
        if request.pnl_type == "weekly":
            start = as_of - timedelta(days=as_of.weekday(), weeks=back)
            end = start + timedelta(days=6)
            year, week, _ = start.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            start = months_back(as_of.replace(day=1), back)
            end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
            label = f"{start.year}-{start.month:02d}"
        windows.append(_Window(label, start - timedelta(days=1), min(end, as_of)))
    return windows[::-1]


def _period(window: _Window, history: Sequence[_Snapshot]) -> PnlPeriod | None:
    before = [s for s in history if s.day <= window.opens]
    inside = [s for s in history if window.opens < s.day <= window.end]
    if not inside:
        return None
    first = before[-1] if before else inside[0]
    last = inside[-1]
    return PnlPeriod(
        label=window.label,
        start=window.opens + timedelta(days=1),
        end=window.end,
        start_equity=first.equity,
        end_equity=last.equity,
        pnl=last.equity - first.equity,
        return_pct=_return_pct(last.equity - first.equity, first.equity),
        snapshots=len(inside),
    )


def _return_pct(pnl: Decimal, start: Decimal) -> Decimal | None:
    return (pnl / start * 100).quantize(_PCT) if start else None


def _equity_history(
    client: DynamoDBClient, table_name: str, request: PnlReportRequest
) -> list[_Snapshot]:
    """Every equity snapshot on or before ``as_of``, in date order."""
    pages = client.get_paginator("query").paginate(
        TableName=table_name,
        KeyConditionExpression="pk = :pk AND sk <= :as_of",
        ExpressionAttributeValues={
            ":pk": {"S": equity_pk(request.trading_mode)},
            ":as_of": {"S": request.as_of.isoformat()},
        },
        ProjectionExpression="sk, equity",
    )
    return [
        _Snapshot(date.fromisoformat(item["sk"]["S"]), Decimal(item["equity"]["N"]))
        for page in pages
        for item in page.get("Items", [])
    ]


def _report(request: PnlReportRequest, periods: list[PnlPeriod]) -> PnlReport:
    total = periods[-1].end_equity - periods[0].start_equity
    return PnlReport(
        correlation_id=request.correlation_id,
        as_of=request.as_of,
        trading_mode=request.trading_mode,
        basis=request.pnl_period or str(request.pnl_type),
        periods=tuple(periods),
        total_pnl=total,
        total_return_pct=_return_pct(total, periods[0].start_equity),
        generated_at=datetime.now(UTC),
    )


def build_pnl_report(
    request: PnlReportRequest, *, table_name: str, client: DynamoDBClient | None = None
) -> PnlReport:
    """Compute the report ``request`` asks for from the equity history, and store it.

    Raises:
        PnlHistoryMissingError: no equity snapshot falls in any requested period.
        LedgerUnavailableError: the table throttled or failed transiently (retry).
        ConfigError: the table does not exist.
    """
    client = client or dynamodb_client()
    with ledger_errors(table_name):
        history = _equity_history(client, table_name, request)
        periods = [p for w in _windows(request) if (p := _period(w, history)) is not None]
        if not periods:
            raise PnlHistoryMissingError(
                f"no equity snapshot of the {request.trading_mode} account in the "
                f"{request.pnl_period or request.pnl_type} periods ending {request.as_of}",
                field="as_of",
                kind="no_history",
            )
        report = _report(request, periods)
        client.put_item(
            TableName=table_name,
            Item={
                "pk": {"S": report_pk(request.trading_mode)},
                "sk": {"S": f"{request.as_of.isoformat()}#{request.correlation_id}"},
                "report": {"S": report.model_dump_json()},
            },
        )
    get_logger(__name__).info(
        "pnl_report_built",
        correlation_id=report.correlation_id,
        as_of=report.as_of.isoformat(),
        basis=report.basis,
        total_pnl=report.total_pnl,
        total_return_pct=report.total_return_pct,
        periods=[
            {"label": p.label, "pnl": p.pnl, "return_pct": p.return_pct} for p in report.periods
        ],
    )
    return report
