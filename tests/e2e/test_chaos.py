"""``make chaos``'s fast profile: one fault of each kind that once reached a defect.

Each runs the workflow on a fresh local stack with the fault armed and is compared with
a fault-free run (see ``alchemiser_local.chaos``): nothing lost, no order twice, the
same portfolio, duplicates counted and absorbed, the first retry after a crash doing
the work, and no alert for a fault a retry fixes.
"""

from __future__ import annotations

from typing import Any

import pytest

from alchemiser_local.chaos import run_chaos
from alchemiser_local.chaos_run import StackPaths
from alchemiser_local.chaos_scenarios import FAST, SCENARIOS
from tests.support.template import ROOT, TEMPLATE_PATH


@pytest.fixture(scope="module")
def chaos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    paths = StackPaths(root=ROOT, template=TEMPLATE_PATH, logs=tmp_path_factory.mktemp("chaos"))
    return run_chaos([s for s in SCENARIOS if s.name in FAST], paths)


@pytest.mark.parametrize("fault", FAST)
def test_a_fault_loses_nothing_and_trades_nothing_twice(chaos, fault):
    figures = chaos["chaos"][fault]

    assert figures["faults_fired"] > 0  # the fault was met
    assert figures["events_lost"] == 0
    assert figures["failure_records"] == 0
    assert figures["orders_placed_twice"] == figures["orders_beyond_fault_free"] == 0
    assert figures["duplicates_absorbed"]
    assert figures["portfolio_matches_fault_free"], figures["portfolio_diff"]
    assert figures["alerts"] == 0


def test_a_result_throttled_on_every_save_publishes_trade_executed_once(chaos):
    figures = chaos["chaos"]["dynamodb-throttle-idempotency-result"]

    assert figures["duplicate_copies_published"] == {"events": 0, "tasks": 0}
    assert figures["retries"] == 0


@pytest.mark.parametrize(
    ("fault", "copies"),
    [
        ("putevents-applied-500", {"events": 1, "tasks": 0}),
        ("sqs-send-applied-500", {"events": 0, "tasks": 1}),
    ],
)
def test_a_request_applied_but_answered_500_makes_one_copy_downstream_absorbs(chaos, fault, copies):
    assert chaos["chaos"][fault]["duplicate_copies_published"] == copies
    assert chaos["chaos"][fault]["duplicates_absorbed"]


def test_the_first_retry_after_a_crash_proceeds(chaos):
    figures = chaos["chaos"]["crash-before-order"]

    assert figures["first_retry_proceeds"] is True
    assert figures["retries"] == 1


def test_the_totals_sum_the_faults(chaos):
    totals = chaos["totals"]

    assert totals["faults"] == len(FAST)
    assert totals["events_lost"] == totals["orders_placed_twice"] == 0
    assert totals["first_retry_blocked"] == 0
