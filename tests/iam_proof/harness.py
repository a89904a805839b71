"""Trials: template.yaml (or a copy with one statement dropped), one path, what was refused.

One emulator (IAM enforced) serves every trial; between trials it forgets everything
(moto's reset, its unchecked first requests again), so each trial creates its stack from
its own template copy as on a fresh machine: the admin bootstrapped, the stack created,
every role assumed by the principal its trust names, Alpaca and the stack's log groups,
and the local endpoint. The evidence is the emulator's record of refusals (and, for the
baseline, of the grants used), whatever the code under test did with the errors.
"""

from __future__ import annotations

import ast
import json
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from alchemiser.runtime import new_container
from alchemiser_local.alpaca_local import local_alpaca
from alchemiser_local.iam import denials, grants
from alchemiser_local.lambda_logs import log_to_cloudwatch
from alchemiser_local.seed import synthetic_world
from alchemiser_local.service import LocalService
from alchemiser_local.session import created_stack
from alchemiser_local.stack import prepare
from alchemiser_local.template import load_template
from tests.iam_proof.paths import PATHS, World
from tests.iam_proof.statements import RoleStatement, drop_statement, role_of
from tests.iam_proof.table import PROOFS, Proof
from tests.support.template import ROOT, TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date
    from pathlib import Path

    from alchemiser_local.emulator import Emulator

__all__ = ["Trial", "TrialRunner"]


@dataclass
class Trial:
    """One path on one template: what the emulator refused, and what went wrong."""

    path: str
    statement: RoleStatement | None = None
    role: str | None = None
    expected: str | None = None
    denials: list[dict[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: Owner.Sid -> each role statement as the stack deployed it (ARNs resolved).
    deployed: dict[str, dict[str, Any]] = field(default_factory=dict)

    def refused_to_role(self) -> list[dict[str, str]]:
        """The refusals to the statement's role (or of assuming it)."""
        mark = f"-{self.role}-"
        return [d for d in self.denials if mark in d["principal"] or mark in d["resource"]]

    @property
    def proved(self) -> bool:
        """The expected action was refused to the role (a baseline: nothing was refused)."""
        if self.statement is None:
            return not self.denials
        return any(d["action"] == self.expected for d in self.refused_to_role())

    def figures(self) -> dict[str, Any]:
        """The trial as JSON."""
        return {
            "statement": str(self.statement) if self.statement else None,
            "path": self.path,
            "expected": self.expected,
            "proved": self.proved,
            "denied": sorted({f"{d['action']} {d['resource']}" for d in self.refused_to_role()}),
            "other_denials": len(self.denials) - len(self.refused_to_role()),
            "failures": self.failures[:5],
            "seconds": round(self.seconds, 2),
        }


def _parsed(document: Any) -> dict[str, Any]:
    """A policy document as IAM returns it: parsed, or (moto) its JSON or Python text.

    moto answers a role policy CloudFormation created with the text of the Python dict
    it was given, which boto3 cannot parse as JSON.
    """
    if isinstance(document, dict):
        return document
    try:
        parsed: dict[str, Any] = json.loads(unquote(document))
    except ValueError:
        parsed = ast.literal_eval(document)
    return parsed


def deployed_statements(world: World, template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Owner.Sid -> every role statement as the emulator holds it (trust policies aside)."""
    iam = world.admin("iam")
    physical = world.stack.physical_ids
    found: dict[str, dict[str, Any]] = {}
    for owner, resource in template["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            role = physical[owner]
            documents = [
                iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
                for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
            ]
        elif resource["Type"] == "AWS::IAM::ManagedPolicy":
            version = iam.get_policy(PolicyArn=physical[owner])["Policy"]["DefaultVersionId"]
            documents = [
                iam.get_policy_version(PolicyArn=physical[owner], VersionId=version)[
                    "PolicyVersion"
                ]["Document"]
            ]
        else:
            continue
        for document in documents:
            for statement in filter(None, _parsed(document)["Statement"]):
                found[f"{owner}.{statement['Sid']}"] = statement
    return found


@dataclass
class TrialRunner:
    """Runs trials one after another on one running, enforcing emulator."""

    emulator: Emulator
    day: date
    scratch: Path
    _trials: int = 0

    def baseline(self, path: str) -> tuple[Trial, list[dict[str, str]]]:
        """``path`` on template.yaml itself: the trial, and every grant it used."""
        trial = self._run(Trial(path=path), load_template(TEMPLATE_PATH))
        return trial, grants(self.emulator.endpoint)

    def drop(self, statement: RoleStatement) -> Trial:
        """The statement's path on template.yaml without it."""
        proof = PROOFS[str(statement)]
        assert isinstance(proof, Proof), statement
        template = load_template(TEMPLATE_PATH)
        trial = Trial(
            path=proof.path,
            statement=statement,
            role=role_of(template, statement.owner),
            expected=proof.denied,
        )
        return self._run(trial, drop_statement(template, statement))

    def _run(self, trial: Trial, template: dict[str, Any]) -> Trial:
        started = time.perf_counter()
        if self._trials:
            self.emulator.reset()
        self._trials += 1
        copy = self.scratch / f"template-{self._trials}.json"
        copy.write_text(json.dumps(template))
        try:
            with self._world(copy, PATHS[trial.path].parameters) as world:
                PATHS[trial.path].run(world)
                trial.failures += world.failures
                trial.deployed = deployed_statements(world, template)
        except Exception as exc:
            trial.failures.append(f"{type(exc).__name__}: {exc}")
        trial.denials = denials(self.emulator.endpoint)
        trial.seconds = time.perf_counter() - started
        return trial

    @contextmanager
    def _world(self, template: Path, parameters: dict[str, str]) -> Iterator[World]:
        new_container()
        prepared = prepare(
            root=ROOT,
            template_path=template,
            stage="dev",
            stack_name="alchemiser-dev",
            parameters=parameters,
        )
        synthetic = synthetic_world(first_day=self.day, last_day=self.day, seed=7)
        with ExitStack() as contexts:
            stack = contexts.enter_context(created_stack(prepared, self.emulator))
            assert stack.principals is not None
            alpaca = contexts.enter_context(local_alpaca(stack, synthetic))
            log_file = contexts.enter_context(tempfile.TemporaryFile("w+"))
            logs = contexts.enter_context(
                log_to_cloudwatch(log_file, stack.principals.log_group_clients(stack))
            )
            service = LocalService(
                stack,
                upstream=self.emulator.endpoint,
                record=lambda *_: None,
                logs=logs,
                run_tasks=False,
            )
            world = World(stack, service, alpaca, logs, synthetic, template, self.day)
            service.deliveries.on_delivery = lambda function, payload: world.delivered.append(
                (function, payload)
            )
            service.start()
            contexts.callback(service.stop)
            yield world
            world.failures += service.errors
