"""Cost of an environment switch: ensure_broker vs purging and re-importing the modules.

Targets: a switch at least 20x cheaper than the purge-and-reimport approach (drop
``alchemiser.taskqueue`` and ``alchemiser.actors`` from ``sys.modules``, import them again,
bind to the new environment), and a same-environment check under 5 us. Both approaches
run in the same process; no AWS call is made (queues are looked up on first send only).
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
import time
from typing import Any

import _repo  # noqa: F401 - puts the repository root on sys.path
from _harness import per_call_seconds, report

import alchemiser.actors  # noqa: F401 - declares the actors a switch re-binds
from alchemiser import taskqueue as broker
from alchemiser.logging import configure_logging
from tests.support.tasks import allowed_environments

TARGET_RATIO = 20.0
TARGET_SAME_ENV_US = 5.0
NEW_ENVS = 200
#: Fake credentials: building a broker's boto3 resource must not look for real ones.
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "ALLOWED_TARGET_ENVIRONMENTS": "dev,staging",
}


def _design() -> dict[str, float]:
    """Per-call seconds of this design: same-env check, cached switch, first switch."""
    allowed = allowed_environments()
    broker.ensure_broker("dev", allowed=allowed)
    broker.ensure_broker("staging", allowed=allowed)  # both environments' brokers now exist
    same_env = per_call_seconds(
        lambda: broker.ensure_broker("staging", allowed=allowed), number=200_000
    )
    targets = itertools.cycle(("dev", "staging"))
    switch = per_call_seconds(
        lambda: broker.ensure_broker(next(targets), allowed=allowed), number=5_000
    )
    assert broker.current_environment() in {"dev", "staging"}

    # A never-seen environment builds its broker (and its SQS resource).
    names = [f"bench-{i}" for i in range(NEW_ENVS)]
    everyone = ("dev", "staging", *names)
    start = time.perf_counter()
    for name in names:
        broker.ensure_broker(name, allowed=everyone)
    first_switch = (time.perf_counter() - start) / NEW_ENVS
    return {"same_env": same_env, "switch": switch, "first_switch": first_switch}


def _purge() -> None:
    for name in ("alchemiser.actors", "alchemiser.taskqueue", "alchemiser.taskqueue.sqs"):
        del sys.modules[name]


def _purge_and_reimport(env: str) -> None:
    _purge()
    importlib.import_module("alchemiser.actors")
    importlib.import_module("alchemiser.taskqueue").ensure_broker(
        env, allowed=allowed_environments()
    )


def _purge_and_reimport_only() -> None:
    _purge()
    importlib.import_module("alchemiser.actors")


def _purge_approach() -> dict[str, float]:
    """Per-call seconds of the module-purge approach (with and without binding)."""
    targets = itertools.cycle(("dev", "staging"))
    full = per_call_seconds(lambda: _purge_and_reimport(next(targets)), number=40, repeat=5)
    imports_only = per_call_seconds(_purge_and_reimport_only, number=40, repeat=5)
    return {"purge_reimport": full, "purge_reimport_imports_only": imports_only}


def main() -> None:
    os.environ.update(ENVIRONMENT)
    with open(os.devnull, "w") as sink:  # the reset log line is part of the cost
        configure_logging(level="INFO", fmt="json", stream=sink, force=True)
        design = _design()
        purge = _purge_approach()
    us: dict[str, Any] = {f"{k}_us": round(v * 1e6, 3) for k, v in (design | purge).items()}
    ratio = purge["purge_reimport"] / design["switch"]
    report(
        "broker_reset",
        **us,
        switch_ratio=round(ratio, 1),
        switch_ratio_imports_only=round(purge["purge_reimport_imports_only"] / design["switch"], 1),
        first_switch_ratio=round(purge["purge_reimport"] / design["first_switch"], 1),
        target_ratio=TARGET_RATIO,
        target_same_env_us=TARGET_SAME_ENV_US,
        meets_target=ratio >= TARGET_RATIO and design["same_env"] * 1e6 < TARGET_SAME_ENV_US,
    )


if __name__ == "__main__":
    main()
