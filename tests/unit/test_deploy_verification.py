"""A deploy is judged from each function's health answer (the hook before, verify-deploy after)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alchemiser.health import HEALTH_PROBE, PROBE_PAYLOAD, HealthReport, judge
from alchemiser.health import ProbeAnswer as Invocation
from alchemiser_local.ops.common import OpsError
from alchemiser_local.ops.deploy import ALIAS_OUTPUTS, alias_arns
from alchemiser_local.target import TargetError, deploy_target

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def health_answer(**changes: object) -> Invocation:
    """What a function deployed from ``COMMIT`` answers, as alchemiser.health reports it."""
    fields: dict[str, object] = {
        "status": "ok",
        "function": "alchemiser-trading-dev",
        "function_version": "7",
        "stage": "dev",
        "function_commit": COMMIT,
        "layer_commit": COMMIT,
        "imports_ok": True,
        "config_ok": True,
        **changes,
    }
    report = HealthReport.model_validate(fields)
    return Invocation(function_error=None, payload=report.model_dump_json().encode())


def test_verify_sends_exactly_the_probe_the_handlers_answer() -> None:
    assert json.loads(PROBE_PAYLOAD) == HEALTH_PROBE


def test_judge_accepts_a_healthy_answer_at_the_expected_commit() -> None:
    # Given a healthy answer from the commit just deployed
    answer = health_answer()

    # When judged / Then there is nothing wrong
    assert judge("TradingSystemFunction", answer, COMMIT) == []


def test_judge_reports_an_import_error_from_lambda() -> None:
    # Given Lambda could not import the handler (the failure a broken artifact causes)
    error = {
        "errorMessage": "Unable to import module 'trading_handler': No module named 'alchemiser'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }
    answer = Invocation(function_error="Unhandled", payload=json.dumps(error).encode())

    # When judged
    problems = judge("TradingSystemFunction", answer, COMMIT)

    # Then the one problem names the function, the error type and the missing module
    assert problems == [
        "TradingSystemFunction: invocation failed: Runtime.ImportModuleError: "
        "Unable to import module 'trading_handler': No module named 'alchemiser'"
    ]


def test_judge_reports_a_function_error_without_a_json_payload() -> None:
    # Given a failed invocation whose payload is not Lambda's error JSON
    answer = Invocation(function_error="Unhandled", payload=b"Task timed out")

    # When judged / Then the raw payload is shown
    assert judge("EventRoutingFunction", answer, COMMIT) == [
        "EventRoutingFunction: invocation failed: Unhandled: Task timed out"
    ]


def test_judge_reports_a_degraded_answer_with_its_problems() -> None:
    # Given the function answers but its configuration is broken
    answer = health_answer(status="degraded", config_ok=False, problems=("STAGE: Field required",))

    # When judged
    (problem,) = judge("EventRoutingFunction", answer, COMMIT)

    # Then the status, the failing check and the function's own words are reported
    assert problem.startswith("EventRoutingFunction: status 'degraded'")
    assert "config_ok=False" in problem
    assert problem.endswith("STAGE: Field required")


@pytest.mark.parametrize("key", ["function_commit", "layer_commit"])
@pytest.mark.parametrize("stale", ["fedcba9876543210fedcba9876543210fedcba98", f"{COMMIT}-dirty"])
def test_judge_reports_code_from_another_commit(key: str, stale: str) -> None:
    # Given one artifact still runs (or was built from) something other than the commit
    answer = health_answer(**{key: stale})

    # When judged
    problems = judge("TradingSystemFunction", answer, COMMIT)

    # Then exactly that artifact is named, with both commits
    assert problems == [f"TradingSystemFunction: {key} is {stale!r}, expected {COMMIT}"]


def test_judge_reports_an_answer_that_is_not_a_json_object() -> None:
    # Given a handler that answered the probe with something else entirely
    answer = Invocation(function_error=None, payload=b'"Simple Lambda happy path OK"')

    # When judged / Then the deploy fails instead of passing unchecked
    (problem,) = judge("TradingSystemFunction", answer, COMMIT)
    assert problem.startswith("TradingSystemFunction: health answer is not a JSON object")


def test_alias_arns_names_every_missing_output() -> None:
    # Given stack outputs without the alias ARNs
    outputs = {"EventBusName": "alchemiser-events-dev"}

    # When the aliases are looked up / Then both missing outputs are named
    with pytest.raises(
        OpsError, match="EventRoutingFunctionAliasArn, TradingSystemFunctionAliasArn"
    ):
        alias_arns(outputs)


def test_alias_arns_maps_each_function_to_its_alias() -> None:
    # Given the stack's outputs
    outputs = {
        key: f"arn:aws:lambda:us-east-1:1:function:{key}:live" for key in ALIAS_OUTPUTS.values()
    }

    # When read / Then each function gets its own alias
    assert alias_arns(outputs) == {
        "TradingSystemFunction": outputs["TradingSystemFunctionAliasArn"],
        "EventRoutingFunction": outputs["EventRoutingFunctionAliasArn"],
    }


@pytest.mark.parametrize("stage", ["dev", "staging", "prod"])
def test_deploy_target_reads_the_stack_of_each_samconfig_environment(stage: str) -> None:
    # When the repository's samconfig.toml is read for a stage
    stack_name, region = deploy_target(stage)

    # Then it is the stage's stack, in the configured region
    assert stack_name == f"alchemiser-{stage}"
    assert region == "us-east-1"


def test_deploy_target_rejects_an_unknown_environment() -> None:
    with pytest.raises(TargetError, match="no environment 'qa'"):
        deploy_target("qa")


def test_deploy_target_names_missing_settings(tmp_path: Path) -> None:
    # Given a samconfig environment without a region
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text('version = 0.1\n[dev.deploy.parameters]\nstack_name = "s"\n')

    # When read / Then the missing key is named
    with pytest.raises(TargetError, match=r"\[dev\] lacks region"):
        deploy_target("dev", samconfig)


def test_deploy_target_takes_the_global_parameters_under_the_deploy_ones(tmp_path: Path) -> None:
    # Given a region set for every command of the environment, as SAM CLI allows
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        'version = 0.1\n[dev.global.parameters]\nregion = "eu-west-1"\n'
        '[dev.deploy.parameters]\nstack_name = "s"\n'
    )

    # When read / Then it applies to the deploy too
    assert deploy_target("dev", samconfig) == ("s", "eu-west-1")


def test_locally_each_function_is_probed_by_name() -> None:
    # Given a local stack's outputs (no aliases are created locally)
    outputs = {"TradingSystemFunctionName": "t", "EventRoutingFunctionName": "r"}

    # When read / Then the functions themselves are probed; a missing name is named
    assert alias_arns(outputs, local=True) == {
        "TradingSystemFunction": "t",
        "EventRoutingFunction": "r",
    }
    with pytest.raises(OpsError, match="EventRoutingFunctionName"):
        alias_arns({"TradingSystemFunctionName": "t"}, local=True)
