"""Every benchmark starts: ``make bench`` runs them as scripts, which no other test does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[2] / "benchmarks").glob("bench_*.py"))

# Imports only (run_name is not __main__), with sys.path as ``python benchmarks/x.py`` has
# it: the script's folder first, not the current directory (-I).
_IMPORT = (
    "import runpy, sys; sys.path.insert(0, sys.argv[2]);"
    " runpy.run_path(sys.argv[1], run_name='bench_import')"
)


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda path: path.stem)
def test_benchmark_imports_as_make_bench_runs_it(path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-I", "-c", _IMPORT, str(path), str(path.parent)],
        cwd=path.parent.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
