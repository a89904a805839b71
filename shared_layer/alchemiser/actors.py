"""The Dramatiq actors and the only way Lambda code sends to them.

Importing this module builds no broker: actors are declared with ``broker.task`` and
bound to an environment's queues by ``ensure_broker``, which both ``enqueue_*`` functions
call first. Messages carry JSON (``model_dump(mode="json")``: Decimal as text), and each
actor validates it back into its model, so a worker never trusts a payload's shape.

The actors are keyword-only and only delegate to ``alchemiser.reports``. Failures a
retry can fix raise ``TransientError`` (retried with backoff by the broker's Retries
middleware); anything else, an invalid payload included, goes straight to the DLQ.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from alchemiser.config import LedgerSettings, get_settings
from alchemiser.errors import InputRejectedError
from alchemiser.events import TradeExecuted
from alchemiser.reports import (
    PnlReportRequest,
    build_pnl_report,
    record_trade_ledger_entry,
)
from alchemiser.taskqueue import ensure_broker, task

if TYPE_CHECKING:
    from collections.abc import Collection

    import dramatiq
    from pydantic import BaseModel

__all__ = [
    "PNL_REPORTS_QUEUE",
    "TRADE_LEDGER_QUEUE",
    "enqueue_pnl_report",
    "enqueue_trade_ledger_entry",
    "pnl_report",
    "trade_ledger_entry",
]

#: Dramatiq queue names; SQS names are ``alchemiser-<env>_<queue>`` (template.yaml).
PNL_REPORTS_QUEUE = "pnl_reports"
TRADE_LEDGER_QUEUE = "trade_ledger"


def _validated[ModelT: BaseModel](
    model: type[ModelT], payload: dict[str, Any], field: str
) -> ModelT:
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise InputRejectedError.from_validation(exc, prefix=field) from exc


@task(queue_name=PNL_REPORTS_QUEUE, actor_name="pnl_report")
def pnl_report(*, request: dict[str, Any]) -> None:
    """Build and store the PnL report ``request`` describes (a ``PnlReportRequest``)."""
    table = get_settings(LedgerSettings).ledger_table_name
    build_pnl_report(_validated(PnlReportRequest, request, "request"), table_name=table)


@task(queue_name=TRADE_LEDGER_QUEUE, actor_name="trade_ledger_entry")
def trade_ledger_entry(*, event: dict[str, Any]) -> None:
    """Record a ``TradeExecuted``'s orders and equity in the ledger (idempotent)."""
    table = get_settings(LedgerSettings).ledger_table_name
    record_trade_ledger_entry(_validated(TradeExecuted, event, "event"), table_name=table)


def _send(
    actor: dramatiq.Actor[..., None],
    environment: str,
    allowed: Collection[str],
    **payload: object,
) -> str:
    """Bind to ``environment``'s queues, then send; returns the Dramatiq message id.

    Raises:
        EnvironmentNotAllowedError: ``environment`` is not one of ``allowed`` (nothing sent).
        QueueNotProvisionedError: the environment's queue does not exist.
        TaskSendError: SQS did not take the message (retryable).
    """
    ensure_broker(environment, allowed=allowed)
    return actor.send_with_options(kwargs=payload).message_id


def enqueue_pnl_report(
    request: PnlReportRequest, *, environment: str, allowed: Collection[str]
) -> str:
    """Send a PnL report task to ``environment``'s queue; returns the message id.

    Raises:
        EnvironmentNotAllowedError, QueueNotProvisionedError, TaskSendError: see ``_send``.
    """
    return _send(pnl_report, environment, allowed, request=request.model_dump(mode="json"))


def enqueue_trade_ledger_entry(
    event: TradeExecuted, *, environment: str, allowed: Collection[str]
) -> str:
    """Send a trade-ledger task for ``event`` to ``environment``'s queue; returns the id.

    Raises:
        EnvironmentNotAllowedError, QueueNotProvisionedError, TaskSendError: see ``_send``.
    """
    return _send(trade_ledger_entry, environment, allowed, event=event.model_dump(mode="json"))
