"""The Dramatiq actors and the only way Lambda code sends to them.

Importing this module builds no broker: actors are declared with ``taskqueue.task``
and bound to an environment's queues by ``ensure_broker``, which ``enqueue`` calls
first. Messages carry JSON (``model_dump(mode="json")``: Decimal as text), and each
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
    "enqueue",
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


#: The actor each task payload goes to, and the keyword it takes the payload as.
_TASKS: dict[type[BaseModel], tuple[dramatiq.Actor[..., None], str]] = {
    PnlReportRequest: (pnl_report, "request"),
    TradeExecuted: (trade_ledger_entry, "event"),
}


def enqueue(
    payload: PnlReportRequest | TradeExecuted, *, environment: str, allowed: Collection[str]
) -> str:
    """Send ``payload``'s task (a PnL report, a trade-ledger entry) to ``environment``.

    Binds the actors to ``environment``'s queues first; returns the Dramatiq message id.

    Raises:
        EnvironmentNotAllowedError: ``environment`` is not one of ``allowed`` (nothing sent).
        QueueNotProvisionedError: the environment's queue does not exist.
        TaskSendError: SQS did not take the message (retryable).
    """
    actor, keyword = _TASKS[type(payload)]
    ensure_broker(environment, allowed=allowed)
    message = actor.send_with_options(kwargs={keyword: payload.model_dump(mode="json")})
    return message.message_id
