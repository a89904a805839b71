"""Shared timing helpers: medians of repeated runs, reported as one JSON object per benchmark."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def per_call_seconds(func: Callable[[], object], *, number: int, repeat: int = 7) -> float:
    """Median over ``repeat`` rounds of the mean time of one call in a round of ``number``.

    One extra round first warms caches and is discarded.
    """
    rounds = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        for _ in range(number):
            func()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds[1:])


def report(name: str, **fields: Any) -> None:
    """Print one benchmark's result as a JSON line."""
    json.dump({"benchmark": name, "python": sys.version.split()[0], **fields}, sys.stdout)
    sys.stdout.write("\n")
