"""``make fuzz``: both handlers under the big profile, then one JSON object of figures.

pytest's own report goes to stderr; stdout carries only the figures. The exit status is
pytest's (non-zero when a case had no designated outcome). Extra arguments go to pytest.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

import pytest


def main(argv: list[str]) -> int:
    os.environ.setdefault("ALCHEMISER_FUZZ_PROFILE", "fuzz")
    with contextlib.redirect_stdout(sys.stderr):
        status = pytest.main(["tests/fuzz", "-q", "-p", "no:cacheprovider", *argv])
    from tests.fuzz.conftest import FIGURES, PROFILE
    from tests.fuzz.test_handlers_fuzz import SEED

    figures = {"fuzz": {"profile": PROFILE, "seed": SEED, "handlers": FIGURES}}
    json.dump(figures, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return int(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
