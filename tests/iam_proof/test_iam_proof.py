"""Least privilege, proven by running: the enforced stack completes everything, and each
role statement dropped makes its path fail on the call it grants (a fast subset here;
``make iam-proof`` drops every one and prints the figures)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from alchemiser.clock import new_york_today
from alchemiser.trading.market_calendar import previous_trading_day
from alchemiser_local.emulator import Emulator, running_emulator
from alchemiser_local.iam import UNCHECKED_REQUESTS
from alchemiser_local.runner import RunOptions, run
from alchemiser_local.session import warm_up
from alchemiser_local.template import load_template
from tests.iam_proof.harness import TrialRunner
from tests.iam_proof.paths import PATHS
from tests.iam_proof.statements import (
    RoleStatement,
    drop_statement,
    role_statements,
    statement_body,
)
from tests.iam_proof.table import PROOFS, UNUSED_BY_DESIGN, NotLocal, Proof
from tests.support.template import ROOT, TEMPLATE_PATH

#: One statement of each role, each on a path of a second or two.
FAST_SUBSET = (
    "TradingSystemRole.ReadAlpacaKeys",
    "EventRoutingRole.PaperBrokerState",
    "EventRoutingRole.LambdaRunsTheFunction",
    "DeployHookRole.ProbeNewVersions",
    "SchedulerRole.InvokeTradingSystem",
    "TaskWorkerRole.PrincipalsOfTheAccount",
    "OperatorPolicy.InvokeFunctions",
)


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def statements(template) -> dict[str, RoleStatement]:
    return {str(s): s for s in role_statements(template)}


def test_every_role_statement_has_a_proof_or_a_reason_it_cannot_run_locally(statements):
    assert sorted(PROOFS) == sorted(statements)


def test_every_proof_names_a_path_and_an_iam_action(statements):
    for name, proof in PROOFS.items():
        if isinstance(proof, Proof):
            assert proof.path in PATHS, name
            service, _, action = proof.denied.partition(":")
            assert service, name
            assert action[:1].isupper(), name
        else:
            assert len(proof.reason) > 40, name


def test_every_unused_grant_kept_is_an_action_of_its_statement(template, statements):
    for name, action in UNUSED_BY_DESIGN:
        actions = statement_body(template, statements[name])["Action"]
        assert action in ([actions] if isinstance(actions, str) else actions), name


def test_a_dropped_statement_is_the_only_change_to_the_copy(template, statements):
    # Given a statement inside an !If (the router reads Alpaca's keys only if it uses Alpaca)
    statement = statements["EventRoutingRole.ReadAlpacaKeys"]

    # When it is dropped from a copy of the template
    copy = drop_statement(template, statement)

    # Then the copy lacks it and nothing else, and the template is untouched
    assert str(statement) not in {str(s) for s in role_statements(copy)}
    assert len(role_statements(copy)) == len(role_statements(template)) - 1
    assert statement in role_statements(template)


@pytest.fixture(scope="module")
def runner() -> Iterator[TrialRunner]:
    """One enforcing emulator for the module's trials (reset between them)."""
    with tempfile.TemporaryDirectory() as scratch:
        emulator = Emulator(unchecked_requests=UNCHECKED_REQUESTS)
        with running_emulator(emulator):
            warm_up()
            emulator.wait_ready()
            yield TrialRunner(emulator, previous_trading_day(new_york_today()), Path(scratch))


@pytest.mark.slow
def test_the_enforced_run_completes_a_workflow_and_its_tasks_with_no_access_denied(tmp_path):
    # When alchemiser run --enforce-iam runs a day (and the weekly PnL after it)
    options = RunOptions(
        root=ROOT,
        template=TEMPLATE_PATH,
        out_dir=tmp_path,
        start=date(2026, 11, 16),
        enforce_iam=True,
    )
    report = run(options, out=lambda _: None)

    # Then the workflow completed, nothing was refused, and both tasks were done
    assert report.iam is not None
    assert report.iam.denials == ()
    assert report.iam.failed_tasks == 0
    assert report.succeeded
    worker_log = (tmp_path / "task-worker.log").read_text()
    assert '"event":"trade_ledger_recorded"' in worker_log
    assert '"event":"pnl_report_built"' in worker_log
    assert json.loads(report.to_json())["iam"]["access_denied"] == 0


@pytest.mark.slow
def test_the_operator_commands_run_as_the_operator_role_with_no_access_denied(runner):
    trial, granted = runner.baseline("operator")

    assert (trial.denials, trial.failures) == ([], [])
    operator = {g["action"] for g in granted if "-OperatorRole-" in g["principal"]}
    assert {"lambda:InvokeFunction", "scheduler:GetSchedule", "events:StartReplay"} <= operator


@pytest.mark.slow
@pytest.mark.parametrize("name", FAST_SUBSET)
def test_dropping_a_statement_fails_its_path_on_the_call_it_grants(runner, statements, name):
    # Given template.yaml without the statement
    statement = statements[name]
    proof = PROOFS[name]
    assert not isinstance(proof, NotLocal)

    # When its path runs on the enforced stack
    trial = runner.drop(statement)

    # Then the emulator refused the call the statement grants, to that role
    assert trial.proved, trial.figures()
