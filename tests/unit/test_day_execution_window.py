"""The retry window of a day's execution sits between AWS's retries and idempotency.

Every retry AWS makes of an execution starts within the rule's and the invoke config's
maximum event ages (one after the other); an event delivered again after its
idempotency record expired comes after IDEMPOTENCY_EXPIRY_SECONDS. The window must hold
the first and exclude the second.
"""

from __future__ import annotations

from datetime import timedelta

from alchemiser.config import IdempotencySettings
from alchemiser.trading.day_execution import RETRY_WINDOW
from tests.support.template import resource


def longest_retry_chain() -> timedelta:
    router = resource("EventRoutingFunction")["Properties"]
    rule = router["Events"]["DomainEvents"]["Properties"]["RetryPolicy"]
    invoke = router["EventInvokeConfig"]
    return timedelta(seconds=rule["MaximumEventAgeInSeconds"] + invoke["MaximumEventAgeInSeconds"])


def test_every_aws_retry_of_an_execution_falls_inside_its_window():
    assert longest_retry_chain() < RETRY_WINDOW


def test_a_redelivery_after_the_idempotency_records_expired_falls_outside_it():
    expiry = IdempotencySettings.model_fields["idempotency_expiry_seconds"].default
    assert timedelta(seconds=expiry) > RETRY_WINDOW
