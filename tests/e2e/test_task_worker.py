"""The in-process task worker: settling means the day's tasks are done, not just sent."""

from __future__ import annotations

import boto3

from alchemiser.actors import trade_ledger_entry
from alchemiser_local.runner import new_york_open
from alchemiser_local.tasks import InProcessWorker
from alchemiser_local.timeline import Timeline
from tests.e2e.conftest import DAY, deliveries_for


def test_settle_returns_once_the_trade_ledger_task_is_recorded(local_stack):
    # Given the task worker consuming the stack's task queues
    worker = InProcessWorker(environment=local_stack.stage)
    worker.start()
    task_queues = (
        local_stack.outputs["PnlReportsQueueUrl"],
        local_stack.outputs["TradeLedgerQueueUrl"],
    )
    timeline = Timeline(started=0.0)
    deliveries = deliveries_for(
        local_stack, timeline, task_queue_urls=task_queues, tasks_done=worker.signals.done
    )
    daily = next(s for s in local_stack.schedules if s.name.endswith("daily-trade"))
    try:
        # When the schedule fires and everything it causes settles
        deliveries.fire(daily, new_york_open(DAY))
        deliveries.settle()

        # Then no task is waiting or in flight...
        assert not deliveries.tasks_pending()
    finally:
        worker.stop()
    # ...and the ledger holds the day's orders, written by the worker
    executed = next(e for e in timeline.entries if e.received == "TradeExecuted")
    assert executed.detail is not None
    items = boto3.client("dynamodb").scan(TableName=local_stack.outputs["LedgerTableName"])
    keys = [item["sk"]["S"] for item in items["Items"]]
    assert any(key.startswith(executed.detail["event_id"]) for key in keys)


def test_a_stopped_worker_takes_no_new_task(local_stack):
    # Given a worker that was started and stopped
    worker = InProcessWorker(environment=local_stack.stage)
    worker.start()
    worker.stop()

    # When a task is sent afterwards
    trade_ledger_entry.send(event={"not": "read"})

    # Then it stays in its queue for the next worker
    sqs = boto3.client("sqs")
    url = local_stack.outputs["TradeLedgerQueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"
