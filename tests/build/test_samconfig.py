"""samconfig.toml deploys each stage to its own stack with the settings CI relies on."""

from __future__ import annotations

import importlib
import tomllib
from typing import Any

import pytest

from tests.support.template import ROOT, load_template

SAMCONFIG = tomllib.loads((ROOT / "samconfig.toml").read_text())
STAGES = load_template()["Parameters"]["Stage"]["AllowedValues"]
#: The module defining each sam command's click options (the keys samconfig may use).
COMMAND_MODULES = {
    "build": "samcli.commands.build.command",
    "deploy": "samcli.commands.deploy.command",
    "validate": "samcli.commands.validate.validate",
}


def _sections() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (env, command, body["parameters"])
        for env, commands in SAMCONFIG.items()
        if env != "version"
        for command, body in commands.items()
    ]


def test_samconfig_has_an_environment_per_template_stage() -> None:
    assert set(SAMCONFIG) - {"version", "default"} == set(STAGES)


@pytest.mark.parametrize(("env", "command", "parameters"), _sections())
def test_samconfig_keys_are_options_of_their_sam_command(
    env: str, command: str, parameters: dict[str, Any]
) -> None:
    # Given one [env.command.parameters] section (sam silently ignores unknown keys)
    assert command in COMMAND_MODULES, f"[{env}.{command}]: add its module to COMMAND_MODULES"

    # When compared with that command's click options
    options = {p.name for p in importlib.import_module(COMMAND_MODULES[command]).cli.params}

    # Then every key is one of them
    assert set(parameters) <= options, f"[{env}.{command}]: unknown {set(parameters) - options}"


@pytest.mark.parametrize("stage", STAGES)
def test_samconfig_deploys_each_stage_to_its_own_stack(stage: str) -> None:
    # Given the stage's deploy settings
    deploy = SAMCONFIG[stage]["deploy"]["parameters"]

    # Then the stack, template parameter and artifact prefix are the stage's own
    assert deploy["stack_name"] == f"alchemiser-{stage}"
    assert deploy["s3_prefix"] == f"alchemiser-{stage}"
    assert deploy["parameter_overrides"].split() == [f"Stage={stage}"]
    # and the named IAM roles may be created, re-running an unchanged deploy succeeds
    assert set(deploy["capabilities"].split()) == {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"}
    assert deploy["resolve_s3"] is True
    assert deploy["fail_on_empty_changeset"] is False
    # and only dev skips the change-set review of a hand-run deploy
    assert deploy["confirm_changeset"] is (stage != "dev")
    assert f'stage="{stage}"' in deploy["tags"]


def test_samconfig_builds_without_cache_and_validates_offline() -> None:
    assert SAMCONFIG["default"]["build"]["parameters"]["cached"] is False
    assert SAMCONFIG["default"]["validate"]["parameters"]["lint"] is True
