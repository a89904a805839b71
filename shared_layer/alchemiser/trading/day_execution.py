"""One execution per account and trading day: what counts as "the same execution".

Idempotency records answer duplicates for a day (``IDEMPOTENCY_EXPIRY_SECONDS``); after
that an old event delivered again (an archive replay, a redrive, a stuck queue) would be
handled as new: its steps would plan against today's account and place orders the
original plan never had. So the step that places orders first writes the day's
execution record in the TradingStateTable (``ACCOUNT#<account>`` /
``DAY#<date>#EXECUTION``, durable: no TTL), with a condition, and only then orders.

The same execution is the same plan, retried in time:
- the same plan id: the id of the RebalancePlanned event being executed. Ids derive
  from their causes, so one workflow (one correlation id) has one plan id per day, and
  its retried steps re-emit it;
- the same plan digest: the orders (symbol, side, quantity, in order) are those the
  record was written for. A step replanned later (its SignalGenerated delivered again)
  keeps the plan id but not the orders;
- within ``RETRY_WINDOW`` of the record's first attempt. Every retry AWS makes of an
  execution starts well inside it (EventBridge retries a delivery for at most an hour,
  the rule's MaximumEventAgeInSeconds, and Lambda an accepted event for at most
  another, the EventInvokeConfig's), and it ends far inside the idempotency window, so
  an event delivered again after its idempotency record expired is always outside it.

The same execution goes ahead (a retry finishes the orders under the same client order
ids, which the broker answers with the orders it already has). Anything else on a day
already executed (another workflow of the day, a replanned step, an old event) is
refused before any order. Dry runs place nothing and neither write nor need the record.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import date, datetime

    from alchemiser.events.models import RebalancePlan

__all__ = [
    "RETRY_WINDOW",
    "DayExecution",
    "ExecutionClaim",
    "ExecutionStore",
    "claim_day",
    "plan_digest",
]

#: How long after its first attempt an execution may still be retried (see above).
RETRY_WINDOW = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class DayExecution:
    """An execution of an account's trading day: its plan, its workflow, its start."""

    plan_id: str
    plan_digest: str
    correlation_id: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class ExecutionClaim:
    """Whether this execution may place orders, and the day's execution as recorded."""

    granted: bool
    execution: DayExecution

    def refusal(self, day: date) -> str:
        """Why a refused execution placed nothing (for the event and the log)."""
        held = self.execution
        return (
            f"{day.isoformat()} was already executed by workflow {held.correlation_id} "
            f"(plan {held.plan_id}, from {held.started_at.isoformat()}); this delivery "
            "placed no order"
        )


class ExecutionStore(Protocol):
    """Where the days' execution records live (TradingStateTable)."""

    def claim_execution(
        self, account: str, day: date, *, execution: DayExecution, not_before: datetime
    ) -> ExecutionClaim:
        """Record ``execution`` for the day unless another holds it (see the module)."""
        ...


def plan_digest(plan: RebalancePlan) -> str:
    """The orders a plan places, as a digest: symbol, side and quantity, in order."""
    orders = [[item.symbol, item.side, format(item.quantity, "f")] for item in plan.items]
    return hashlib.sha256(json.dumps(orders).encode()).hexdigest()


def claim_day(
    store: ExecutionStore,
    account: str,
    day: date,
    *,
    plan_id: str,
    plan: RebalancePlan,
    correlation_id: str,
    at: datetime,
) -> ExecutionClaim:
    """Take ``day`` for this plan, or learn which execution already holds it.

    Raises:
        TradingStateUnavailableError: the table failed in a way a retry can fix.
    """
    execution = DayExecution(
        plan_id=plan_id,
        plan_digest=plan_digest(plan),
        correlation_id=correlation_id,
        started_at=at,
    )
    return store.claim_execution(account, day, execution=execution, not_before=at - RETRY_WINDOW)
