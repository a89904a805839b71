"""The whole proof as figures: baselines, every drop, the statements no path can reach.

Besides the table's verdicts, the baselines' grants say which granted actions no path
used: ``unused`` lists them per statement (each needs its reason, or removing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.clock import new_york_today
from alchemiser.trading.market_calendar import previous_trading_day
from alchemiser_local.emulator import Emulator, running_emulator
from alchemiser_local.emulator_iam_policy import Ask, statement_applies
from alchemiser_local.iam import UNCHECKED_REQUESTS
from alchemiser_local.session import warm_up
from alchemiser_local.template import load_template
from tests.iam_proof.harness import Trial, TrialRunner
from tests.iam_proof.paths import PATHS
from tests.iam_proof.statements import role_of, role_statements
from tests.iam_proof.table import PROOFS, UNUSED_BY_DESIGN, NotLocal, Proof
from tests.support.template import TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from tests.iam_proof.statements import RoleStatement

__all__ = ["prove", "unused_actions"]


def _actions(body: dict[str, Any]) -> list[str]:
    actions = body.get("Action", [])
    return [actions] if isinstance(actions, str) else list(actions)


def used_actions(
    template: dict[str, Any], deployed: dict[str, dict[str, Any]], granted: list[dict[str, str]]
) -> dict[str, set[str]]:
    """Owner.Sid -> the actions of it that one trial's allowed requests needed.

    A request counts for a statement when the statement, as that trial's stack deployed
    it (its ARNs resolved), applies to it and the request was its role's.
    """
    used: dict[str, set[str]] = {}
    for name, statement in deployed.items():
        mark = f"-{role_of(template, name.split('.', 1)[0])}-"
        used[name] = {
            g["action"].lower()
            for g in granted
            if mark in g["principal"]
            and statement_applies(statement, Ask(g["action"], g["resource"]))
        }
    return used


def unused_actions(
    deployed: dict[str, dict[str, Any]], used: dict[str, set[str]]
) -> dict[str, list[str]]:
    """Owner.Sid -> the actions it grants that no trial needed (not-local ones aside)."""
    unused = {}
    for name, statement in sorted(deployed.items()):
        missing = [a for a in _actions(statement) if a.lower() not in used.get(name, set())]
        if missing and not isinstance(PROOFS.get(name), NotLocal):
            unused[name] = missing
    return unused


def _baselines(
    runner: TrialRunner, template: dict[str, Any], paths: list[str], say: Callable[[str], None]
) -> tuple[list[Trial], dict[str, dict[str, Any]], dict[str, set[str]]]:
    """Each path on template.yaml; the statements as deployed; the actions each needed."""
    trials: list[Trial] = []
    deployed: dict[str, dict[str, Any]] = {}
    used: dict[str, set[str]] = {}
    for path in paths:
        trial, granted = runner.baseline(path)
        trials.append(trial)
        deployed |= trial.deployed
        for name, actions in used_actions(template, trial.deployed, granted).items():
            used.setdefault(name, set()).update(actions)
        refused, failed = len(trial.denials), len(trial.failures)
        say(f"baseline {path}: {refused} refused, {failed} failed ({trial.seconds:.1f} s)")
    return trials, deployed, used


def _drops(
    runner: TrialRunner, statements: list[RoleStatement], say: Callable[[str], None]
) -> list[Trial]:
    trials = []
    for statement in statements:
        if isinstance(PROOFS[str(statement)], Proof):
            trial = runner.drop(statement)
            trials.append(trial)
            verdict = "proved" if trial.proved else "NOT PROVED"
            say(f"{verdict} {statement} ({trial.seconds:.1f} s)")
    return trials


def prove(scratch: Path, *, only: set[str], say: Callable[[str], None]) -> dict[str, Any]:
    """Every baseline, then every drop (only those named in ``only``, if any)."""
    template = load_template(TEMPLATE_PATH)
    chosen = [s for s in role_statements(template) if not only or str(s) in only]
    proofs = {str(s): PROOFS[str(s)] for s in chosen}
    paths = sorted({p.path for p in proofs.values() if isinstance(p, Proof)} if only else PATHS)
    emulator = Emulator(unchecked_requests=UNCHECKED_REQUESTS)
    with running_emulator(emulator):
        warm_up()
        emulator.wait_ready()
        runner = TrialRunner(emulator, previous_trading_day(new_york_today()), scratch)
        baselines, deployed, used = _baselines(runner, template, paths, say)
        drops = _drops(runner, chosen, say)
    unused = unused_actions(deployed, used) if not only else {}
    unexplained = {
        name: [a for a in actions if (name, a) not in UNUSED_BY_DESIGN]
        for name, actions in unused.items()
    }
    clean = all(t.proved and not t.failures for t in baselines)
    return {
        "statements": len(chosen),
        "proved": sum(t.proved for t in drops),
        "not_proved": [str(t.statement) for t in drops if not t.proved],
        "not_local": {k: p.reason for k, p in proofs.items() if isinstance(p, NotLocal)},
        "baselines_clean": clean,
        "unused": {
            f"{n} {a}": UNUSED_BY_DESIGN.get((n, a)) for n, acts in unused.items() for a in acts
        },
        "holds": clean and all(t.proved for t in drops) and not any(unexplained.values()),
        "baselines": [t.figures() for t in baselines],
        "drops": [t.figures() for t in drops],
    }
