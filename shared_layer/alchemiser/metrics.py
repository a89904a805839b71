"""CloudWatch metrics as Embedded Metric Format records in the same JSON log stream.

Powertools' Metrics utility does the same with a buffered, decorator-flushed API; one
line per metric through our structlog stream keeps a single logger, needs no flush on
error paths, and each record still carries the invocation's correlation fields.
"""

from __future__ import annotations

import time
from typing import Literal

import structlog

from alchemiser.logging import get_logger

__all__ = ["NAMESPACE", "put_metric"]

NAMESPACE = "Alchemiser"
_DIMENSIONS = ("stage", "function")

_log = get_logger(__name__)


def put_metric(
    name: str, value: float = 1, *, unit: Literal["Count", "Milliseconds"] = "Count"
) -> None:
    """Record ``value`` for metric ``name``, dimensioned by the invocation's stage and function."""
    bound = structlog.contextvars.get_contextvars()
    dimensions = {key: str(bound.get(key) or "unknown") for key in _DIMENSIONS}
    _log.info(
        "metric",
        _aws={
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    # Per function, and per stage across both functions (for alarms).
                    "Dimensions": [list(_DIMENSIONS), ["stage"]],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        **{name: value},
        **dimensions,
    )
