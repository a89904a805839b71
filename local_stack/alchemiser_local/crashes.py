"""Invocations ended mid-step on cue: a Lambda timeout (a hard crash), or an escaped timeout.

When Lambda stops a timed-out invocation, none of the function's own error handling
runs: no ``except Exception`` releases an idempotency claim, no failure is logged. The
local stack plays that by raising ``InvocationKilled``, a ``BaseException``, from a
botocore hook on a chosen call of the running function; ``FunctionHost`` records it as
a timed-out invocation and Lambda's asynchronous retries follow. ``before`` a call the
request never leaves (the crash comes before the call's effect); ``after`` it the
service applied it and the answer never reaches the code (the effect happened).

The same hooks can raise a builtin ``TimeoutError`` instead (``timeout_error``): a
socket timeout escaping a library into a step, which must be treated as transient.

Hooks are installed on boto3's default session, so every client made afterwards (the
container's, the task broker's) carries them; calls match as ``faults.AwsFault`` match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from alchemiser_local.faults import AwsCall, CallPlan, resources_of

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = ["Crash", "CrashPlan", "InvocationKilled"]

_CALL = "alchemiser_local.crash.call"


class InvocationKilled(BaseException):
    """Raised inside a handler to end it as Lambda ends a timed-out invocation."""


@dataclass(frozen=True)
class Crash:
    """One call that ends the invocation making it (patterns as in ``AwsFault``)."""

    service: str
    operation: str
    resource: str = "*"
    when: Literal["before", "after"] = "before"
    raises: Literal["kill", "timeout_error"] = "kill"
    times: int = 1
    after: int = 0


@dataclass
class CrashPlan:
    """Armed crashes, and the botocore hooks that fire them."""

    plan: CallPlan[Crash] = field(default_factory=CallPlan)
    _installed: bool = False

    def add(self, crash: Crash) -> None:
        """Arm ``crash`` for the next ``times`` matching calls after ``after`` of them."""
        self.plan.add(crash)

    def clear(self) -> None:
        """Disarm every crash."""
        self.plan.clear()

    @property
    def fired(self) -> list[tuple[Crash, AwsCall]]:
        """What fired, in order: the crash and the call it ended."""
        return self.plan.fired

    def install(self) -> None:
        """Hook boto3's default session (clients made from now on carry the hooks)."""
        if self._installed:
            return
        import boto3  # noqa: PLC0415

        events = boto3._get_default_session().events
        events.register("before-parameter-build", self._before)
        events.register("after-call", self._after)
        self._installed = True

    def _before(
        self,
        params: dict[str, Any],
        model: OperationModel,
        context: dict[str, Any],
        **_: Any,  # noqa: ANN401 - botocore's event keywords
    ) -> None:
        service = model.service_model.signing_name
        call = AwsCall(service, model.name, resources_of(service, model.name, params))
        context[_CALL] = call
        self._fire(call, "before")

    def _after(self, context: dict[str, Any], **_: Any) -> None:  # noqa: ANN401
        call = context.get(_CALL)
        if isinstance(call, AwsCall):
            self._fire(call, "after")

    def _fire(self, call: AwsCall, when: str) -> None:
        crash = self.plan.take(call, where=lambda c: c.when == when)
        if crash is None:
            return
        if crash.raises == "timeout_error":
            raise TimeoutError(f"timed out: {call.service} {call.operation} (injected)")
        raise InvocationKilled(f"killed {when} {call.service} {call.operation}")
