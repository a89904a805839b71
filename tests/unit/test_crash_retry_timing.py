"""A crashed invocation's claim never outlasts Lambda's first retry, and never its run.

A hard crash (Lambda stopping a timed-out invocation) leaves the idempotency claim in
progress. Powertools bounds it by the invocation's remaining time, capped by
IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS; Lambda's first asynchronous retry comes about a
minute after the failure. The numbers come from template.yaml.
"""

from __future__ import annotations

import pytest

from alchemiser_local.chaos_scenarios import LAMBDA_FIRST_RETRY_SECONDS
from tests.support.template import load_template, resources_of_type

#: The functions Lambda invokes asynchronously (and retries): the bound is for them. The
#: deploy hook is invoked synchronously by CodeDeploy and claims nothing.
FUNCTIONS = sorted(
    name
    for name, body in resources_of_type("AWS::Serverless::Function").items()
    if "EventInvokeConfig" in body["Properties"]
)


def variable(name: str) -> str | None:
    value = load_template()["Globals"]["Function"]["Environment"]["Variables"].get(name)
    return None if value is None else str(value)


def timeout(function: str) -> float:
    return float(resources_of_type("AWS::Serverless::Function")[function]["Properties"]["Timeout"])


def longest_claim(function: str) -> float:
    """The longest an invocation of ``function`` can hold a claim (seconds)."""
    cap = variable("IDEMPOTENCY_IN_PROGRESS_EXPIRY_SECONDS")
    return timeout(function) if cap is None else min(timeout(function), float(cap))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_first_retry_after_a_crash_finds_the_claim_expired(function):
    assert longest_claim(function) < LAMBDA_FIRST_RETRY_SECONDS


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_live_invocation_never_outlives_its_claim(function):
    assert timeout(function) <= longest_claim(function)


def test_both_functions_are_retried_asynchronously_the_case_the_bound_is_for():
    assert {"TradingSystemFunction", "EventRoutingFunction"} <= set(FUNCTIONS)
    for function in FUNCTIONS:
        props = resources_of_type("AWS::Serverless::Function")[function]["Properties"]
        assert props["EventInvokeConfig"]["MaximumRetryAttempts"] > 0
