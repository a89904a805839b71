"""Both real handlers against mutations of every sample: every input has a designated outcome.

For each case: the handler answers with a status or raises an error Lambda retries by
design (never anything else), its result is strict JSON, and every log line is strict
JSON, fits a CloudWatch Logs event and never shows the planted secret.

The quick profile (every ``make test``) fails on the first case without a designated
outcome, so Hypothesis shrinks it to a minimal input; the big profile (``make fuzz``)
measures: it runs every case, and the last test fails if any case had none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import given, seed, settings

from tests.fuzz.conftest import FIGURES, MEASURE, PROFILE
from tests.fuzz.harness import run_case
from tests.fuzz.mutations import cases

if TYPE_CHECKING:
    from tests.fuzz.conftest import FuzzTarget
    from tests.fuzz.mutations import Case

#: The suite's seed: the same code draws the same cases on every machine.
SEED = 20261120


def _check(target: FuzzTarget, case: Case) -> None:
    problems = run_case(
        target.handler,
        target.spec,
        case.payload,
        classes=case.classes,
        figures=target.figures,
        probe=target.probe,
    )
    assert MEASURE or problems == []


@seed(SEED)
@settings(settings.get_profile(PROFILE))
@given(case=cases(own="commands"))
def test_trading_handler_gives_every_input_a_designated_outcome(trading_target, case):
    _check(trading_target, case)


@seed(SEED)
@settings(settings.get_profile(PROFILE))
@given(case=cases(own="events"))
def test_router_handler_gives_every_input_a_designated_outcome(router_target, case):
    _check(router_target, case)


def test_no_case_of_either_handler_lacked_a_designated_outcome():
    # Then (after both runs above) nothing was unhandled, leaked or unreadable in CloudWatch
    assert set(FIGURES) == {"TradingSystemFunction", "EventRoutingFunction"}
    for figures in FIGURES.values():
        assert figures["cases"] >= settings.get_profile(PROFILE).max_examples
        bad = {
            key: figures[key]
            for key in ("unhandled", "secrets_seen", "log_lines_not_strict_json")
            if figures[key]
        }
        assert bad == {}, figures["examples"]
        assert figures["longest_log_line"] <= figures["log_line_limit"]
