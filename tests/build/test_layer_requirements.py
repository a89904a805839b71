"""The layer's requirements are the lock's runtime dependencies minus what Lambda provides."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.support.lambda_runtime import RUNTIME_DISTRIBUTIONS, find_python312
from tests.support.template import ROOT


def _make(*arguments: str) -> str:
    # uv looks for an interpreter even to export; without a venv yet it must be told which.
    env = {**os.environ, "UV_PYTHON": find_python312()}
    result = subprocess.run(
        ["make", "--silent", "--no-print-directory", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _uv() -> str:
    """The Makefile's pinned uv (``make install``), else one on PATH."""
    pinned = ROOT / ".tools/bin/uv"
    found = str(pinned) if pinned.exists() else shutil.which("uv")
    if found is None:
        pytest.fail("uv not found: run `make install`")
    return found


def _closure(lock: dict[str, object], root: str) -> set[str]:
    packages = lock["package"]
    assert isinstance(packages, list)
    dependencies: dict[str, set[str]] = {}
    for package in packages:
        names = {d["name"] for d in package.get("dependencies", [])}
        dependencies.setdefault(package["name"], set()).update(names)
    seen: set[str] = set()
    pending = [root]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(dependencies[name])
    return seen


def test_layer_requirements_are_the_export_of_the_lock(tmp_path: Path) -> None:
    # Given the export `make requirements` runs, written to a scratch file instead
    exported = tmp_path / "requirements.txt"
    _make("requirements", f"LAYER_REQUIREMENTS={exported}", f"UV={_uv()}")

    # When compared with what the layer build installs
    committed = (ROOT / "shared_layer/requirements.txt").read_text()

    # Then they are the same (otherwise: `make requirements` and commit the result)
    assert committed == exported.read_text(), "shared_layer/requirements.txt is stale"


def test_layer_leaves_out_exactly_boto3_and_its_dependency_closure() -> None:
    # Given boto3's dependency closure in uv.lock
    closure = _closure(tomllib.loads((ROOT / "uv.lock").read_text()), "boto3")

    # When the Makefile's RUNTIME_PROVIDED (what the layer's export leaves out) is read
    provided = _make("--eval", "print-%: ; @echo $($*)", "print-RUNTIME_PROVIDED").split()

    # Then it is exactly that closure, as is the runtime copy the artifact tests import
    assert set(provided) == closure
    assert set(RUNTIME_DISTRIBUTIONS) == closure
