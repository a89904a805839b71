"""IAM's policy evaluation, as the emulator applies it (``emulator_iam``).

moto 5.2 treats a pattern's ``*`` as a regex and ``?`` as a regex quantifier, matches
actions case-sensitively, cannot match a ``Service`` principal (a 500), matches an
``AWS`` principal by substring (an account never matches its principals), denies when a
trust statement names another principal, and lets a condition on a missing key pass.
Here instead: ``*`` and ``?`` wildcards (actions without regard to case), an explicit
Deny wins, a statement applies only when its principal, action, condition and resource
all do (``NotAction``/``NotResource`` included), principals ``*``, an account (``:root``
or its id: any principal of it whose own policies allow the call), a user or role ARN
(a role's sessions included) and a ``Service`` played by the IAM user of its name; the
conditions ``StringEquals``, ``StringLike``, ``ArnEquals``, ``ArnLike``, ``Bool``, where
a key the request lacks fails the condition and an operator not known here never holds.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "Ask",
    "account_of",
    "condition_holds",
    "evaluate",
    "principal_matches",
    "statement_applies",
    "wildcard_matches",
]

_ACCOUNT_ID = re.compile(r"^\d{12}$")


@functools.cache
def _pattern(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's match: ``*`` any run of characters, ``?`` one character, all else literal."""
    return bool(_pattern(pattern, ignore_case=ignore_case).fullmatch(value))


def _values(node: Any) -> list[str]:  # noqa: ANN401 - a policy element
    if node is None:
        return []
    return [str(item) for item in node] if isinstance(node, list) else [str(node)]


def account_of(arn: str) -> str:
    """The account of an ARN (its fifth field)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _same_role(expected: str, caller: str) -> bool:
    """``arn:...:iam::A:role/R`` names its sessions ``arn:...:sts::A:assumed-role/R/S``."""
    if ":role/" not in expected or ":assumed-role/" not in caller:
        return False
    account, role = account_of(expected), expected.rsplit("/", 1)[-1]
    return account_of(caller) == account and caller.split("/")[1] == role


def _aws_principal_matches(expected: str, caller: str) -> bool:
    if expected == "*":
        return True
    if _ACCOUNT_ID.match(expected):
        return account_of(caller) == expected
    if expected.endswith(":root"):
        return account_of(caller) == account_of(expected)
    return caller == expected or _same_role(expected, caller)


def _service_user(service: str, account: str) -> str:
    return f"arn:aws:iam::{account}:user/{service}"


def principal_matches(principal: Any, caller: str) -> bool:  # noqa: ANN401 - a policy element
    """Whether a statement's ``Principal`` names ``caller`` (an ARN).

    A ``Service`` principal is played by the IAM user of the service's name.
    """
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if any(_aws_principal_matches(p, caller) for p in _values(principal.get("AWS"))):
        return True
    account = account_of(caller)
    return any(caller == _service_user(s, account) for s in _values(principal.get("Service")))


def _equals(expected: str, actual: str) -> bool:
    return expected == actual


def _same_truth(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


#: The condition operators this emulator evaluates: operator -> test(expected, actual).
_CONDITION_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": _equals,
    "StringLike": wildcard_matches,
    "ArnEquals": _equals,
    "ArnLike": wildcard_matches,
    "Bool": _same_truth,
}


def condition_holds(condition: dict[str, Any], context: Mapping[str, str]) -> bool:
    """A statement's ``Condition`` against the request's context keys.

    Every operator and key must hold; a key the request lacks fails (no ``IfExists``
    here), and so does an operator this emulator does not know.
    """
    for operator, tests in condition.items():
        test = _CONDITION_TESTS.get(operator)
        if test is None:
            return False
        for key, expected in tests.items():
            actual = context.get(key)
            if actual is None or not any(test(value, actual) for value in _values(expected)):
                return False
    return True


def _names(statement: dict[str, Any], element: str, value: str, *, ignore_case: bool) -> bool:
    """``Action``/``Resource`` (or their ``Not`` forms) of ``statement`` cover ``value``.

    A statement without either names everything (a trust policy has no Resource).
    """
    if f"Not{element}" in statement:
        patterns = _values(statement[f"Not{element}"])
        return not any(wildcard_matches(p, value, ignore_case=ignore_case) for p in patterns)
    if element not in statement:
        return True
    patterns = _values(statement[element])
    return any(wildcard_matches(p, value, ignore_case=ignore_case) for p in patterns)


@dataclass(frozen=True)
class Ask:
    """One question to a policy: may this request do ``action`` on ``resource``.

    ``principal`` is the caller's ARN when a trust policy is asked (None: an identity
    policy); ``context`` holds the request's condition keys.
    """

    action: str
    resource: str
    principal: str | None = None
    context: Mapping[str, str] = field(default_factory=dict)


def statement_applies(statement: dict[str, Any], ask: Ask) -> bool:
    """Whether ``statement`` is about ``ask`` (its principal, action, condition, resource)."""
    return (
        ("Action" in statement or "NotAction" in statement)
        and _names(statement, "Action", ask.action, ignore_case=True)
        and (ask.principal is None or principal_matches(statement.get("Principal"), ask.principal))
        and ("Condition" not in statement or condition_holds(statement["Condition"], ask.context))
        and _names(statement, "Resource", ask.resource, ignore_case=False)
    )


def evaluate(document: dict[str, Any], ask: Ask) -> str:
    """``"deny"``, ``"allow"`` or ``"none"`` (no statement applies) for one policy."""
    statements = document.get("Statement", [])
    verdict = "none"
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement is None:  # moto's CloudFormation keeps an ``!If`` to NoValue as null
            continue
        if statement_applies(statement, ask):
            if statement.get("Effect") == "Deny":
                return "deny"
            verdict = "allow"
    return verdict
