"""Error notifications for operators: at most one per failed unit of work.

An ``ErrorNotificationRequested`` goes to the bus, where a rule sends it to SNS and
never to a function (the circuit breaker). Lambda retries a failed invocation, so the
notice is sent under the idempotency store's guard: one per key, however many
attempts fail. Sending a notice never raises; the original failure is what must
propagate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from alchemiser.bus import publish_events
from alchemiser.events import BaseEvent, ErrorNotificationRequested, derived_id
from alchemiser.idempotency import run_once
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from alchemiser.config import PublisherSettings
    from alchemiser.idempotency import RemainingTime

__all__ = ["Failure", "notify_failure"]

_log = get_logger(__name__)


#: Where each reporter's work lands when Lambda's retries are used up.
_FAILURE_QUEUES = {
    "trading": "the trading failures queue",
    "routing": "the router's failure queue",
}


class Failure(NamedTuple):
    """A unit of work that failed: whose, in which workflow, caused by what."""

    #: Who reports it (the notice's ``source``): ``trading`` or ``routing``.
    source_module: Literal["trading", "routing"]
    correlation_id: str
    #: What was being handled; also what makes two failures the same one.
    causation_id: str
    #: The notice's subject after the stage, e.g. ``"trade command failed"``.
    subject: str
    failed_event: BaseEvent | None = None


def notify_failure(
    failure: Failure,
    error: Exception,
    *,
    settings: PublisherSettings,
    context: RemainingTime | None,
) -> None:
    """Publish one ``ErrorNotificationRequested`` per failure; later calls do nothing."""
    where = _FAILURE_QUEUES[failure.source_module]
    failed = failure.failed_event
    notice = ErrorNotificationRequested(
        event_id=derived_id(failure.source_module, failure.causation_id, "notice"),
        correlation_id=failure.correlation_id,
        causation_id=failure.causation_id,
        source_module=failure.source_module,
        severity="error",
        title=f"{settings.stage}: {failure.subject}"[:200],
        message=f"{type(error).__name__}: {error}. Lambda retries it; a final failure lands "
        f"in {where}."[:2000],
        error_type=type(error).__name__,
        failed_event_id=failed.event_id if failed else None,
        failed_event_type=failed.event_type if failed else None,
    )

    def publish() -> dict[str, Any]:
        publish_events([notice], bus_name=settings.event_bus_name)
        return {"event_id": notice.event_id}

    try:
        run_once(
            "notifications.error",
            key=f"{failure.source_module}#{failure.causation_id}",
            payload={},
            work=publish,
            settings=settings,
            context=context,
        )
    except Exception:  # the notice is best effort; the caller's failure is what matters
        _log.exception("error_notification_not_sent", notice_id=notice.event_id)
