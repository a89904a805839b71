"""monitor_workflow: the outcome is built (and validated) before the ledger task is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import ValidationError

from alchemiser.events import TradeExecuted, WorkflowCompleted, WorkflowFailed, from_envelope
from alchemiser.events.models import SHORT_TEXT_CHARS
from alchemiser.routing.steps import monitor_workflow
from tests.support import samples


@dataclass
class LedgerRecorder:
    """Services that only record the ledger tasks sent."""

    sent: list[str] = field(default_factory=list)

    def record_trades(self, event: TradeExecuted) -> str:
        self.sent.append(event.event_id)
        return f"message-{len(self.sent)}"

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"monitor_workflow needs only record_trades, not {name}")


def trade_executed(**changes: Any) -> TradeExecuted:
    event = from_envelope(samples.load("events/trade-executed.json"))
    assert isinstance(event, TradeExecuted)
    return event.model_copy(update=changes)


def test_monitor_workflow_completes_a_filled_trade_and_queues_one_ledger_task():
    services = LedgerRecorder()
    event = trade_executed()

    (outcome,) = monitor_workflow(event, services)

    assert isinstance(outcome, WorkflowCompleted)
    assert outcome.summary.message == "2 of 2 orders succeeded"
    assert services.sent == [event.event_id]


def test_monitor_workflow_sends_no_ledger_task_when_its_outcome_cannot_be_built():
    # Given a TradeExecuted that slipped past its model (built without validation) with a
    # count no summary may hold (was: ValidationError after the ledger task was sent)
    services = LedgerRecorder()
    event = trade_executed(orders_placed=10**3999)

    with pytest.raises(ValidationError):
        monitor_workflow(event, services)

    assert services.sent == []


def test_monitor_workflow_cuts_a_long_failure_reason_to_what_the_event_holds():
    services = LedgerRecorder()
    event = trade_executed(
        orders_succeeded=1, failed_symbols=("TQQQ",), failure_reason="x" * (3 * SHORT_TEXT_CHARS)
    )

    (outcome,) = monitor_workflow(event, services)

    assert isinstance(outcome, WorkflowFailed)
    assert len(outcome.failure_reason) == SHORT_TEXT_CHARS
    assert services.sent == [event.event_id]
