"""``make iam-proof``: every role statement of template.yaml dropped in turn, JSON figures.

Each path runs first on template.yaml itself (the baseline: nothing may be refused),
then each statement with a ``Proof`` is dropped from a copy of the template and its path
run: the emulator must refuse the expected action to that role. stdout carries one JSON
object; progress goes to stderr. Exits 1 unless every baseline is clean and every proof
holds. Names of statements given as arguments run only those (``OperatorPolicy.ReadSchedules``).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from tests.iam_proof.figures import prove


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        figures = prove(
            Path(scratch), only=set(argv), say=lambda line: print(line, file=sys.stderr)
        )
    figures["seconds"] = round(time.perf_counter() - started, 1)
    json.dump({"iam_proof": figures}, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if figures["holds"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
