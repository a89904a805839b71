"""The runbook (README, "Operating it") says what to do, and every alarm points at it.

Each alarm's description names a subsection of the runbook, and the commands it gives are
in that subsection; every ``alchemiser`` command the runbook gives is one the CLI takes.
"""

from __future__ import annotations

import re
import shlex

import pytest

from alchemiser_local.cli import _parser
from tests.support.template import ROOT, resources_of_type

RUNBOOK = re.compile(r'Runbook: README\.md, "Operating it", "(?P<section>[^"]+)"')
COMMAND = re.compile(r"alchemiser [a-z][a-z-]*(?: [a-z][a-z-]*)?")


def operating_it() -> dict[str, str]:
    """The runbook's subsections: heading -> text."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Operating it\n", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^### (.+)$", section, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def description(alarm: dict[str, object]) -> str:
    text = alarm["Properties"]["AlarmDescription"]  # type: ignore[index]
    return str(text["Fn::Sub"] if isinstance(text, dict) else text)


ALARMS = resources_of_type("AWS::CloudWatch::Alarm")


@pytest.mark.parametrize("logical_id", sorted(ALARMS))
def test_every_alarm_names_the_runbook_section_that_says_what_to_do(logical_id: str) -> None:
    # Given the alarm's description
    text = " ".join(description(ALARMS[logical_id]).split())

    # Then it names a subsection of "Operating it"...
    found = RUNBOOK.search(text)
    assert found, f'{logical_id}: no \'Runbook: README.md, "Operating it", "..."\' in {text!r}'
    sections = operating_it()
    assert found["section"] in sections, f"{logical_id}: no section {found['section']!r}"
    # ...which gives every command the description gives
    commands = set(COMMAND.findall(text))
    assert commands, f"{logical_id}: the description names no command to run"
    assert commands <= set(COMMAND.findall(sections[found["section"]])), logical_id


def runbook_commands() -> list[str]:
    commands = []
    for text in operating_it().values():
        for line in re.findall(r"`(alchemiser [^`]+)`", text):
            commands.append(line)
        for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL):
            commands += [line.split("#")[0].strip() for line in block.splitlines() if line]
    return commands


@pytest.mark.parametrize("command", runbook_commands())
def test_every_command_of_the_runbook_is_one_the_cli_takes(command: str) -> None:
    words = shlex.split(command)[1:]

    arguments = _parser().parse_args(words)

    assert arguments.handler is not None
    if hasattr(arguments, "target_stage"):  # an operator command (not run, up, invoke)
        assert ("--stage" in words) != ("--local" in words), "one of --stage S or --local"


def test_every_situation_has_commands_for_a_stage() -> None:
    for heading, text in operating_it().items():
        assert "--stage S" in text, heading
