"""`alchemiser up --enforce-iam`: the first-deploy runbook with IAM enforced.

The operator's `--local` commands sign with OperatorRole's credentials (the state file
carries them), the functions with their own roles'; the emulator refuses nothing, and
it refuses a caller with the emulator's dummy keys.
"""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from alchemiser_local.emulator_iam import DENIALS_PATH
from tests.e2e.test_first_deploy import UpProcess, _run_the_runbook, _up

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def enforced_stack(tmp_path: Path) -> Iterator[UpProcess]:
    yield from _up(tmp_path, "--enforce-iam")


def test_the_runbook_completes_with_iam_enforced_and_nothing_refused(enforced_stack) -> None:
    # Given a bare stack whose emulator enforces IAM, operator commands as OperatorRole
    state = enforced_stack.state()
    assert state["credentials"]["session_token"]

    # When the operator backfills the bar store and fires the daily schedule (--local)
    _run_the_runbook(enforced_stack)

    # Then the workflow completed and nobody was refused anything
    with urllib.request.urlopen(state["endpoint"] + DENIALS_PATH, timeout=10) as answer:
        assert json.loads(answer.read()) == []


def test_the_emulators_dummy_keys_are_refused_when_iam_is_enforced(enforced_stack) -> None:
    with pytest.raises(ClientError) as refused:
        enforced_stack.client("sqs").list_queues()

    assert refused.value.response["Error"]["Code"] in {"InvalidClientTokenId", "AccessDenied"}
