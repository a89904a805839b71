"""The routing table and EVENT_MAP are one design: they must never disagree."""

from __future__ import annotations

from alchemiser.events import EVENT_MAP, UNROUTED_EVENTS
from alchemiser.routing.table import ROUTES, WORKFLOW_STEP_EVENTS


def test_every_mapped_detail_type_has_exactly_one_route():
    assert set(ROUTES) == set(EVENT_MAP)


def test_error_notifications_have_no_route():
    assert not set(ROUTES) & set(UNROUTED_EVENTS)


def test_only_steps_that_carry_the_workflow_forward_can_end_it():
    forward = {model.__name__ for model in WORKFLOW_STEP_EVENTS}
    assert forward == set(EVENT_MAP) - {"WorkflowCompleted", "WorkflowFailed"}
