"""Load with duplicates: 200 workflows' events through the router on the local stack.

Ten percent of the deliveries are duplicates delivered later, the order is shuffled
across workflows, and one workflow's every event is delivered ten times at once (see
``alchemiser_local.load``). Exactly one effect each: every event published once, every
order placed once, every order outcome in the ledger once, every workflow ended once.
Throughput and the router's latency per delivery (p50/p95/p99) of the shuffled phase.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import _repo
from _harness import report

from alchemiser_local.chaos_run import StackPaths
from alchemiser_local.load import LoadOptions, run_load

WORKFLOWS = 200


def main() -> int:
    with tempfile.TemporaryDirectory() as logs:
        paths = StackPaths(root=_repo.ROOT, template=_repo.ROOT / "template.yaml", logs=Path(logs))
        figures = run_load(LoadOptions(workflows=WORKFLOWS), paths)
    effects = figures["effects"]
    exactly_once = (
        effects["events_published_twice"] == 0
        and effects["orders_placed_twice"] == 0
        and effects["orders_placed"] == effects["orders_in_trade_executed"]
        and effects["ledger_entries"] == effects["ledger_entries_expected"]
        and effects["workflows_ended"] == figures["workflows"]
        and effects["workflows_ended_twice"] == 0
        and effects["failure_records"] == 0
    )
    report("load", **figures, exactly_one_effect_each=exactly_once)
    return 0 if exactly_once else 1


if __name__ == "__main__":
    sys.exit(main())
