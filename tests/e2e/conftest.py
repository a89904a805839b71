"""End-to-end tests run the local stack: the emulator process, the whole template."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

import pytest

from alchemiser_local.delivery import Deliveries
from alchemiser_local.emulator import Emulator
from alchemiser_local.functions import FunctionHost
from alchemiser_local.seed import seed_world, synthetic_world
from alchemiser_local.session import running_stack
from tests.support.template import ROOT, TEMPLATE_PATH

if TYPE_CHECKING:
    from alchemiser_local.stack import LocalStack
    from alchemiser_local.tasks import Doorbell
    from alchemiser_local.timeline import Timeline

#: A trading day the seeded bar store covers.
DAY = date(2026, 11, 16)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def local_stack() -> Iterator[LocalStack]:
    """The whole stack in a fresh emulator, its bar store and paper account seeded for DAY."""
    with running_stack(template=TEMPLATE_PATH, root=ROOT, stage="dev", emulator=Emulator()) as (
        _,
        stack,
    ):
        seed_world(stack, synthetic_world(first_day=DAY, last_day=DAY, seed=7))
        yield stack


def deliveries_for(
    stack: LocalStack,
    timeline: Timeline,
    *,
    task_queue_urls: tuple[str, ...] = (),
    tasks_done: Doorbell | None = None,
) -> Deliveries:
    """Every function of the stack hosted in-process, recording into ``timeline``."""
    hosts = {
        lid: FunctionHost(spec, record=timeline.record) for lid, spec in stack.functions.items()
    }
    return Deliveries(
        stack=stack, hosts=hosts, task_queue_urls=task_queue_urls, tasks_done=tasks_done
    )
