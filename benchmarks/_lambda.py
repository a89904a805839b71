"""What the Lambda-like benchmarks share: their options and a built, runnable Lambda.

A ``sam build`` (or ``--build-dir``), the runtime's boto3 byte-compiled beside it and
Lambda's Python version, all in one scratch directory that is removed afterwards.
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.artifacts import sam_build
from tests.support.lambda_runtime import find_python312, provide_runtime_packages

if TYPE_CHECKING:
    from collections.abc import Iterator

MIN_RUNS = 5


@dataclass(frozen=True)
class LambdaBench:
    """A built stack and the interpreter and runtime packages to run it like Lambda."""

    build_dir: Path
    runtime: Path
    python: str
    runs: int
    scratch: Path


def parse_args(description: str) -> argparse.Namespace:
    """``--build-dir`` and ``--runs`` (at least five timed runs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--build-dir", type=Path, help="an existing `sam build` output")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (>= 5)")
    args = parser.parse_args()
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")
    return args


@contextmanager
def lambda_bench(description: str, prefix: str) -> Iterator[LambdaBench]:
    """The parsed options' build (made in scratch unless given) and runtime packages."""
    args = parse_args(description)
    python = find_python312()
    with tempfile.TemporaryDirectory(prefix=prefix) as scratch:
        root = Path(scratch)
        yield LambdaBench(
            build_dir=args.build_dir or sam_build(root / "build"),
            runtime=provide_runtime_packages(root / "runtime", python),
            python=python,
            runs=args.runs,
            scratch=root,
        )
