"""Write build_info.json: the commit an artifact was built from.

Run by the artifact Makefiles during `sam build`. The deploy verification compares this
commit (reported by each function's health command) with the commit being deployed, so
"the deploy skipped an upload and old code still runs" is caught. Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
from pathlib import Path


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(  # noqa: S603 - fixed git arguments
        ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def commit_of(repo: Path) -> str:
    """The HEAD commit, suffixed ``-dirty`` when the tree has uncommitted changes."""
    override = os.environ.get("BUILD_COMMIT", "")
    if override:
        return override
    commit = _git(repo, "rev-parse", "HEAD")
    if not commit:
        return "unknown"
    dirty = _git(repo, "status", "--porcelain", "--untracked-files=no")
    return f"{commit}-dirty" if dirty else commit


def main() -> None:
    """Parse arguments and write the file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"commit": commit_of(args.repo)}, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
