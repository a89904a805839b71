"""Error notifications for operators: at most one per failed unit of work.

An ``ErrorNotificationRequested`` goes to the bus, where a rule sends it to SNS and
never to a function (the circuit breaker). Lambda retries a failed invocation, so the
notice is sent under the idempotency store's guard: one per key, however many
attempts fail. Sending a notice never raises; the original failure is what must
propagate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from alchemiser.bus import publish_events
from alchemiser.events import ErrorNotificationRequested, derived_id
from alchemiser.idempotency import run_once
from alchemiser.logging import get_logger

if TYPE_CHECKING:
    from alchemiser.config import IdempotencySettings
    from alchemiser.idempotency import RemainingTime

__all__ = ["notify_once"]

_log = get_logger(__name__)


def notify_once(
    *,
    key: str,
    correlation_id: str,
    causation_id: str,
    source_module: Literal["trading", "routing", "orchestration"],
    title: str,
    message: str,
    error_type: str,
    bus_name: str,
    settings: IdempotencySettings,
    context: RemainingTime | None,
    failed_event_id: str | None = None,
    failed_event_type: str | None = None,
) -> None:
    """Publish one ``ErrorNotificationRequested`` for ``key``; later calls do nothing."""
    notice = ErrorNotificationRequested(
        event_id=derived_id(key, "ErrorNotificationRequested"),
        correlation_id=correlation_id,
        causation_id=causation_id,
        source_module=source_module,
        severity="error",
        title=title,
        message=message,
        error_type=error_type,
        failed_event_id=failed_event_id,
        failed_event_type=failed_event_type,
    )

    def publish() -> dict[str, Any]:
        publish_events([notice], bus_name=bus_name)
        return {"event_id": notice.event_id}

    try:
        run_once(
            "notifications.error",
            key=key,
            payload={},
            work=publish,
            context=context,
            settings=settings,
        )
    except Exception:  # the notice is best effort; the caller's failure is what matters
        _log.exception("error_notification_not_sent", notice_id=notice.event_id)
