"""``make load``'s small profile: shuffled, duplicated and concurrent deliveries, one effect each.

Twelve workflows (one per trading day) on the local stack: one with every event
delivered ten times at once, the others interleaved at random with about a tenth of the
deliveries duplicated later (see ``alchemiser_local.load``).
"""

from __future__ import annotations

from typing import Any

import pytest

from alchemiser_local.chaos_run import StackPaths
from alchemiser_local.load import LoadOptions, run_load
from tests.support.template import ROOT, TEMPLATE_PATH

WORKFLOWS = 12
#: Routed events per trading workflow: WorkflowStarted, SignalGenerated, RebalancePlanned,
#: TradeExecuted, WorkflowCompleted.
EVENTS_PER_WORKFLOW = 5


@pytest.fixture(scope="module")
def load(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    paths = StackPaths(root=ROOT, template=TEMPLATE_PATH, logs=tmp_path_factory.mktemp("load"))
    return run_load(LoadOptions(workflows=WORKFLOWS, duplicate_share=0.2), paths)


def test_every_event_is_handled_once_and_published_once(load):
    assert load["events"] == WORKFLOWS * EVENTS_PER_WORKFLOW
    assert load["outcomes"]["handled"] == load["events"]
    assert load["effects"]["events_published"] == load["events"]
    assert load["effects"]["events_published_twice"] == 0


def test_duplicates_and_concurrent_deliveries_are_answered_as_duplicates(load):
    assert load["duplicates"] > 0
    assert load["concurrent_events"] == EVENTS_PER_WORKFLOW
    # each of the concurrent deliveries but one, and every later duplicate
    assert load["outcomes"]["duplicate"] >= load["duplicates"] + EVENTS_PER_WORKFLOW * 9
    assert load["effects"]["failure_records"] == 0


def test_every_order_is_placed_once_and_in_the_ledger_once(load):
    effects = load["effects"]

    assert effects["orders_placed"] > 0
    assert effects["orders_placed"] == effects["orders_in_trade_executed"]
    assert effects["orders_placed_twice"] == 0
    assert effects["ledger_entries"] == effects["ledger_entries_expected"]


def test_every_workflow_ends_once(load):
    assert load["effects"]["workflows_ended"] == WORKFLOWS
    assert load["effects"]["workflows_ended_twice"] == 0


def test_the_figures_are_measured(load):
    assert load["throughput_deliveries_per_s"] > 0
    latency = load["latency"]
    assert 0 < latency["p50_ms"] <= latency["p95_ms"] <= latency["p99_ms"]
