"""The sample payloads in test-events/, shared by every suite that needs a real input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.template import ROOT

SAMPLES = ROOT / "test-events"

#: The detail-types of one successful workflow, in order.
WORKFLOW = [
    "WorkflowStarted",
    "SignalGenerated",
    "RebalancePlanned",
    "TradeExecuted",
    "WorkflowCompleted",
]


def load(relative: str) -> Any:
    """One sample, parsed."""
    return json.loads((SAMPLES / relative).read_text())


def paths(folder: str) -> list[Path]:
    """Every sample in a folder of test-events/ (commands, events, rejected/...)."""
    return sorted((SAMPLES / folder).glob("*.json"))


def ids(folder: str) -> list[str]:
    """Test ids for the samples of a folder."""
    return [path.stem for path in paths(folder)]
