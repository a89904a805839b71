"""The trading package's shape: its public names, its import cost and its dependencies."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import alchemiser.trading as trading

PACKAGE = Path(trading.__file__).parent
FORBIDDEN = (
    "alchemiser.bus",
    "alchemiser.taskqueue",
    "alchemiser.actors",
    "trading_handler",
    "event_router_handler",
)

_IMPORT_ALL = """
import json, sys
import alchemiser.trading as trading
light = sorted(sys.modules)
for name in ("build_market_data", "build_trading_broker", "PaperBroker", "S3BarStore",
             "generate_signals", "plan_rebalance", "execute_plan"):
    getattr(trading, name)
paper = sorted(sys.modules)
for name in trading.__all__:
    getattr(trading, name)
print(json.dumps({"light": light, "paper": paper, "full": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("name", trading.__all__)
def test_package_every_public_name_resolves(name):
    assert getattr(trading, name) is not None


def test_package_lazy_table_lists_exactly_the_public_names():
    assert sorted(trading._HOMES) == sorted(trading.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        trading.nope  # noqa: B018 - the access is the test


def test_package_import_loads_no_aws_sdk_and_no_http_client():
    # Given a fresh interpreter / When the package and then every public name is loaded
    run = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, check=True
    )
    modules = json.loads(run.stdout)
    # Then the bare import pulls in none of the domain modules
    assert not [m for m in modules["light"] if m.startswith("alchemiser.trading.")]
    # And the paper-broker workflow does not load the Alpaca HTTP stack
    assert not {"urllib.request", "http.client"} & set(modules["paper"])
    # And even the full API leaves the AWS SDK to first use, and needs no pandas or numpy
    assert not [
        m for m in modules["full"] if m.split(".")[0] in ("boto3", "botocore", "pandas", "numpy")
    ]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_package_dependencies_point_inward(path):
    # No trading module imports the bus, the Dramatiq broker, the actors or a handler
    bad = sorted(m for m in _imports(path) if m.startswith(FORBIDDEN))
    assert bad == []
