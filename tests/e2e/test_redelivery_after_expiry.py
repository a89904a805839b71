"""An old workflow delivered again after its idempotency records expired never trades.

On the local stack: two trading days run; then every idempotency record is deleted (as
TTL deletes them after a day) and the durable per-day records are dated two days back;
then day one's WorkflowStarted, SignalGenerated and RebalancePlanned are delivered
again. Each re-delivery replans against today's account, and each is refused at
execution: no order beyond the fault-free run's, the same portfolio, and the refusal is
an outcome of the events (WorkflowCompleted ``already_executed``).
"""

from __future__ import annotations

from alchemiser_local.chaos import figures
from alchemiser_local.chaos_run import StackPaths, observe
from alchemiser_local.chaos_scenarios import SCENARIOS, baseline_of
from tests.support.template import ROOT, TEMPLATE_PATH


def test_redelivering_an_executed_day_after_expiry_places_no_order(tmp_path):
    scenario = next(s for s in SCENARIOS if s.name == "redelivery-after-expiry")
    paths = StackPaths(root=ROOT, template=TEMPLATE_PATH, logs=tmp_path)

    result = figures(scenario, observe(scenario, paths), observe(baseline_of(scenario), paths))

    assert result["orders_beyond_fault_free"] == 0
    assert result["orders_placed_twice"] == 0
    assert result["portfolio_matches_fault_free"], result["portfolio_diff"]
    assert result["events_lost"] == 0
    # Two trading days completed as "traded"; each re-delivered step was refused.
    assert result["redelivered_outcomes"] == {"traded": 2, "already_executed": 3}
