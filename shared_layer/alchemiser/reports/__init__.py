"""What the Dramatiq tasks do: the trade ledger, equity history and PnL reports.

Both run in the worker, never in a Lambda invocation, and both are idempotent, so an
at-least-once redelivery (SQS, dramatiq retries, a DLQ redrive) changes nothing.
"""

from alchemiser.reports.ledger import record_trade_ledger_entry
from alchemiser.reports.models import LedgerEntryResult, PnlPeriod, PnlReport, PnlReportRequest
from alchemiser.reports.pnl import build_pnl_report

__all__ = [
    "LedgerEntryResult",
    "PnlPeriod",
    "PnlReport",
    "PnlReportRequest",
    "build_pnl_report",
    "record_trade_ledger_entry",
]
