"""The fuzz suite's world (one local stack per session) and its Hypothesis profiles.

``fuzz-quick`` (the default, part of every ``make test``) runs 500 cases per handler;
``fuzz`` (``make fuzz``, chosen with ``ALCHEMISER_FUZZ_PROFILE=fuzz``) runs 10,000.
Both are seeded: the same code draws the same cases.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO, cast

import boto3
import pytest
from hypothesis import HealthCheck, settings

from alchemiser.logging import configure_logging
from alchemiser.runtime import new_container
from alchemiser_local.alpaca_local import local_alpaca
from alchemiser_local.emulator import Emulator
from alchemiser_local.functions import FunctionHost
from alchemiser_local.seed import seed_world, synthetic_world
from alchemiser_local.session import running_stack
from tests.fuzz.harness import Figures, LogProbe, stdlib_tap
from tests.fuzz.mutations import SECRET
from tests.support.aws import provision_task_queues
from tests.support.template import ROOT, TEMPLATE_PATH

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from alchemiser_local.stack import FunctionSpec, LocalStack

#: The samples' trading date: bars end the trading day before it.
SAMPLE_DAY = date(2026, 11, 20)

_COMMON = settings(
    deadline=None,
    database=None,
    derandomize=False,
    print_blob=True,
    # One warm container per handler serves every case, as a Lambda container would.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
settings.register_profile("fuzz-quick", parent=_COMMON, max_examples=500)
settings.register_profile("fuzz", parent=_COMMON, max_examples=10_000)
PROFILE = os.environ.get("ALCHEMISER_FUZZ_PROFILE", "fuzz-quick")
#: The big profile measures (every case runs, then one test judges the figures); the
#: quick one stops at the first bad case so Hypothesis can shrink it.
MEASURE = PROFILE == "fuzz"

#: Figures of this process's fuzz runs, by handler (printed by ``python -m tests.fuzz``).
FIGURES: dict[str, dict[str, Any]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/fuzz/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[LocalStack]:
    """The local stack, seeded, with Alpaca; its AWS secret key is the planted secret.

    Module-scoped: the stack's environment must be gone before other suites run.
    """
    world = synthetic_world(first_day=SAMPLE_DAY, last_day=SAMPLE_DAY, seed=7)
    with (
        running_stack(template=TEMPLATE_PATH, root=ROOT, stage="dev", emulator=Emulator()) as (
            _,
            stack,
        ),
        local_alpaca(stack, world),  # the market data refresh reads Alpaca
    ):
        seed_world(stack, world)
        provision_task_queues(boto3.client("sqs"), "staging")  # dev may target staging
        saved = os.environ["AWS_SECRET_ACCESS_KEY"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = SECRET
        try:
            yield stack
        finally:
            os.environ["AWS_SECRET_ACCESS_KEY"] = saved


@dataclass(repr=False)
class FuzzTarget:
    """One handler, imported as Lambda imports it, and what its cases record."""

    spec: FunctionSpec
    handler: Callable[[Any, Any], dict[str, Any]]
    figures: Figures
    probe: LogProbe

    def __repr__(self) -> str:
        return f"FuzzTarget({self.spec.logical_id})"


def fuzz_target(stack: LocalStack, logical_id: str) -> Iterator[FuzzTarget]:
    """A warm container of ``logical_id`` whose log lines all go through a probe."""
    spec = stack.functions[logical_id]
    probe = LogProbe(secret=SECRET)
    tap = stdlib_tap(probe)
    saved_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
    new_container()  # this function's settings and clients
    configure_logging(stream=cast("TextIO", probe), force=True)  # a stream: write and flush
    logging.getLogger().addHandler(tap)
    started = time.perf_counter()
    target = FuzzTarget(
        spec, FunctionHost(spec, record=lambda *_: None).handler(), Figures(logical_id), probe
    )
    try:
        yield target
    finally:
        logging.getLogger().removeHandler(tap)
        configure_logging(force=True)
        target.figures.seconds = time.perf_counter() - started
        FIGURES[logical_id] = target.figures.as_json(probe)
        if saved_name is None:
            os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
        else:
            os.environ["AWS_LAMBDA_FUNCTION_NAME"] = saved_name


@pytest.fixture
def trading_target(fuzz_stack: LocalStack) -> Iterator[FuzzTarget]:
    yield from fuzz_target(fuzz_stack, "TradingSystemFunction")


@pytest.fixture
def router_target(fuzz_stack: LocalStack) -> Iterator[FuzzTarget]:
    yield from fuzz_target(fuzz_stack, "EventRoutingFunction")
