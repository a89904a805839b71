"""Every operator command explains itself and fails clearly when its stack is not there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from alchemiser.logging import configure_logging
from alchemiser_local.cli import main

#: Each new command, with the arguments it needs besides where it acts.
COMMANDS = {
    "logs trace": ["logs", "trace", "3f1c2a9e-7b61-5d2c-9a1e-0c5d4f6b8a21"],
    "logs trace --date": ["logs", "trace", "--date", "2026-11-16"],
    "logs tail": ["logs", "tail", "--level", "error"],
    "dlq list": ["dlq", "list"],
    "dlq replay": ["dlq", "replay", "EventRoutingFailuresQueue", "--dry-run"],
    "replay": ["replay", "--date", "2026-11-16"],
    "verify-deploy": ["verify-deploy", "--commit", "0123456789abcdef0123456789abcdef01234567"],
}


@pytest.fixture(autouse=True)
def _logging_back_to_stdout() -> Iterator[None]:
    """A command logs to the stderr of its run (here pytest's capture, closed after)."""
    yield
    configure_logging(force=True)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    words = [w for w in COMMANDS[command] if not w.startswith("-")][:2]
    words = words[:1] if words[0] in ("replay", "verify-deploy") else words

    with pytest.raises(SystemExit) as exited:
        main([*words, "--help"])

    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: alchemiser {' '.join(words)}")
    assert "--stage S" in out
    assert "--local" in out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_says_when_no_local_stack_runs(
    command: str,
    tmp_path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given no `alchemiser up` is running (its state directory is empty)
    monkeypatch.setenv("ALCHEMISER_LOCAL_STATE_DIR", str(tmp_path))

    # When the command is run with --local
    status = main([*COMMANDS[command], "--local"])

    # Then it says what to do, without a traceback
    assert status == 2
    err = capsys.readouterr().err
    assert "no local stack is running for stage dev" in err
    assert "alchemiser up" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_needs_to_be_told_where(command: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(COMMANDS[command])

    assert exited.value.code == 2  # argparse: one of --stage S or --local is required


def test_a_stage_samconfig_does_not_know_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["dlq", "list", "--stage", "qa"])

    assert status == 2
    assert "samconfig.toml has no environment 'qa'" in capsys.readouterr().err


def test_trace_needs_an_id_or_a_date_but_not_both(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ALCHEMISER_LOCAL_STATE_DIR", str(tmp_path))

    neither = main(["logs", "trace", "--local"])
    both = main(["logs", "trace", "x", "--date", "2026-11-16", "--local"])

    assert (neither, both) == (2, 2)
    assert capsys.readouterr().err.count("give the workflow's correlation id or --date D") == 2


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["logs", "tail", "--since", "yesterday", "--local"], "neither a duration"),
        (["dlq", "replay", "Q", "--limit", "0", "--local"], "is not a whole number of at least 1"),
        (["replay", "--date", "16/11/2026", "--local"], "invalid fromisoformat value"),
    ],
)
def test_a_bad_option_is_named(
    arguments: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(arguments)

    assert exited.value.code == 2
    assert problem in capsys.readouterr().err
