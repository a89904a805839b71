"""The ledger table (template.yaml ``LedgerTable``, keys ``pk``/``sk``): keys and SDK errors.

Item layout, one table for the whole ledger:

=========================  ==========================  ================================
pk                         sk                          holds
=========================  ==========================  ================================
``ORDERS#<trading date>``  ``<event id>#<index>``      one order outcome of an event
``EQUITY#<trading mode>``  ``<trading date>``          the account after that day's run
``PNL_REPORT#<mode>``      ``<as of>#<correlation>``   a built PnL report
=========================  ==========================  ================================

ISO dates sort as text, so an equity history is one ``Query`` in date order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from alchemiser.aws import translate_aws_errors
from alchemiser.errors import LedgerUnavailableError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


__all__ = [
    "equity_pk",
    "ledger_errors",
    "order_pk",
    "report_pk",
    "utc_stamp",
]


def order_pk(trading_date: date) -> str:
    """Partition of one trading day's order outcomes."""
    return f"ORDERS#{trading_date.isoformat()}"


def equity_pk(trading_mode: str) -> str:
    """Partition of one account's equity history (paper and live never mix)."""
    return f"EQUITY#{trading_mode}"


def report_pk(trading_mode: str) -> str:
    """Partition of one account's PnL reports."""
    return f"PNL_REPORT#{trading_mode}"


def utc_stamp(moment: datetime) -> str:
    """Fixed-width UTC text that orders like the instants it names."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ledger_errors(table_name: str) -> AbstractContextManager[Any]:
    """Translate SDK failures of the ledger table (see ``alchemiser.aws``).

    Raises:
        LedgerUnavailableError: throttling, 5xx or a network failure (retried by the task).
        ConfigError: the table does not exist, or the worker may not use it.
    """
    return translate_aws_errors(f"ledger table {table_name}", transient=LedgerUnavailableError)
