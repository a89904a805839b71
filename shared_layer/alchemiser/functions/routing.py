"""EventRoutingFunction's work: one EventBridge envelope in, exactly one outcome out.

Outcomes, each logged (``event_outcome``) with the event id:
- ``handled``: the step ran and its events were published (once per ``event_id``);
- ``duplicate``: a redelivery; the first result is returned and nothing happens again;
- ``skipped``: an ErrorNotificationRequested (the circuit breaker: never handled);
- ``rejected``: not a valid alchemiser event; counted, returned, never retried;
- ``raised``: a failure a retry may fix, or a bug; raised so EventBridge/Lambda retry
  and the DLQ/failure destination keep the event. A bug also notifies operators, at
  most once per event id; a retryable failure (a ``TransientError``, or a builtin
  ``TimeoutError``/``ConnectionError`` escaping a library) does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from alchemiser.config import RouterSettings
from alchemiser.errors import (
    AlchemiserError,
    EventRejected,
    EventTooLarge,
    InputRejectedError,
    StepOutputError,
    TransientError,
    is_transient,
)
from alchemiser.events import SOURCE_PREFIX, from_envelope
from alchemiser.health import HealthProbe, is_health_probe
from alchemiser.logging import bind_ids, get_logger
from alchemiser.payloads import MAX_DEPTH, too_deep
from alchemiser.routing.table import EVENT_MAP, ROUTES, UNROUTED_EVENTS
from alchemiser.runtime import lambda_invocation, record_rejection

if TYPE_CHECKING:
    from pathlib import Path

    from alchemiser.events import BaseEvent
    from alchemiser.idempotency import Once
    from alchemiser.routing.steps import Services, StepResult, WorkflowStepEvent
    from alchemiser.routing.table import Route
    from alchemiser.runtime import LambdaContext

__all__ = ["health", "route_event"]

#: What routing an event imports on first use; the probe imports them to prove the layer.
health = HealthProbe(
    RouterSettings,
    (
        "alchemiser.routing.services",
        "alchemiser.bus",
        "alchemiser.idempotency",
        "alchemiser.notifications",
        "alchemiser.actors",
        "alchemiser.taskqueue",
        "alchemiser.trading.signals",
        "alchemiser.trading.planner",
        "alchemiser.trading.execution",
        "alchemiser.trading.factory",
        "alchemiser.trading.paper_broker",
        "aws_lambda_powertools.utilities.idempotency",
        "boto3",
    ),
)

_log = get_logger(__name__)


def route_event(
    envelope: object,
    context: LambdaContext,
    *,
    function_dir: Path | None = None,
    services: Services | None = None,
) -> dict[str, Any]:
    """Handle one delivered envelope; see the module docstring for the outcomes.

    The health probe (the only non-event payload accepted) is answered before settings
    are read, so a broken configuration is reported instead of failing the probe.
    """
    if is_health_probe(envelope):
        return health(function_dir, context)
    with lambda_invocation(context, RouterSettings) as settings:
        result: dict[str, Any] = {"request_id": context.aws_request_id, **_ids_of(envelope)}
        if _is_notification(envelope):
            _log.info("event_outcome", outcome="skipped", reason="circuit breaker", **result)
            return {**result, "status": "skipped"}
        try:
            event = _parse(envelope)
        except EventRejected as exc:
            return _rejected(result, exc, envelope)
        bind_ids(
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
            event_id=event.event_id,
            event_type=event.event_type,
        )
        result.update(event_id=event.event_id, correlation_id=event.correlation_id)
        try:
            once = _process_once(event, settings, context, services)
        except InputRejectedError as exc:  # the event id was reused for another event
            return _rejected(result, exc, envelope)
        except Exception as exc:
            _raised(event, exc, settings, context)
            raise
        status = "duplicate" if once.duplicate else "handled"
        _log.info("event_outcome", outcome=status, **once.result)
        return {**result, "status": status, **once.result}


def _parse(envelope: object) -> BaseEvent:
    """The envelope's event; one nested too deep is refused before anything walks it."""
    path = too_deep(envelope)
    if path is not None:
        raise EventRejected(f"nests deeper than {MAX_DEPTH} levels", field=path, kind="too_deep")
    return from_envelope(envelope, event_map=EVENT_MAP)


def _process_once(
    event: BaseEvent,
    settings: RouterSettings,
    context: LambdaContext,
    services: Services | None,
) -> Once:
    from alchemiser.idempotency import run_once  # noqa: PLC0415 - first event, not import
    from alchemiser.routing.services import container_services  # noqa: PLC0415

    route = ROUTES[event.event_type]
    step_services = services or container_services(settings)
    return run_once(
        f"router.{event.event_type}",
        key=event.event_id,
        # What makes a redelivery "the same event"; a retried step may re-emit an event
        # with a new timestamp (and fresher figures) under the same derived id.
        payload={
            "event_type": event.event_type,
            "correlation_id": event.correlation_id,
            "causation_id": event.causation_id,
        },
        work=lambda: _run_step(event, route, step_services, settings),
        context=context,
        settings=settings,
    )


def _run_step(
    event: BaseEvent, route: Route[Any], services: Services, settings: RouterSettings
) -> dict[str, Any]:
    from alchemiser.bus import publish_events  # noqa: PLC0415

    produced = _produce(event, route, services)
    try:
        publish_events(produced, bus_name=settings.event_bus_name)
    except EventTooLarge as exc:
        # Refused before anything was sent: output that can never be published is a
        # permanent failure of its step, not a retry loop.
        produced = _ended_by(event, route, exc)
        publish_events(produced, bus_name=settings.event_bus_name)
    return {
        "step": route.name,
        "published": [{"event_id": e.event_id, "event_type": e.event_type} for e in produced],
    }


def _produce(event: BaseEvent, route: Route[Any], services: Services) -> StepResult:
    """The step's events; a permanent failure of a workflow step ends the workflow.

    An output that does not fit its model (a provider's value beyond the events'
    bounds) is such a failure too: it is never sent, and no retry would change it.
    """
    try:
        return route.step(event, services)
    except TransientError:
        raise
    except AlchemiserError as exc:
        return _ended_by(event, route, exc)
    except ValidationError as exc:
        return _ended_by(event, route, StepOutputError.from_validation(exc, prefix=route.name))


def _ended_by(event: BaseEvent, route: Route[Any], exc: AlchemiserError) -> StepResult:
    """The WorkflowFailed a permanent failure of an advancing step ends its workflow with.

    Only a step that carries the workflow forward may end it; a failed summary must
    never produce another WorkflowFailed (that would loop), so its failure is re-raised.
    """
    from alchemiser.routing.steps import workflow_failed  # noqa: PLC0415

    if not route.advances:
        raise exc
    _log.error("step_failed", step=route.name, error=str(exc), error_type=type(exc).__name__)
    cause = cast("WorkflowStepEvent", event)  # the table's advancing models
    return (workflow_failed(cause, step=route.name, reason=f"{type(exc).__name__}: {exc}"),)


def _raised(
    event: BaseEvent, exc: Exception, settings: RouterSettings, context: LambdaContext
) -> None:
    """Log the failure; for a bug (not a transient failure) notify operators once."""
    _log.exception("event_outcome", outcome="raised", error_type=type(exc).__name__)
    if is_transient(exc):
        return
    from alchemiser.notifications import Failure, notify_failure  # noqa: PLC0415

    subject = f"{event.event_type} could not be handled"
    failure = Failure("routing", event.correlation_id, event.event_id, subject, event)
    notify_failure(failure, exc, settings=settings, context=context)


def _rejected(result: dict[str, Any], exc: InputRejectedError, envelope: object) -> dict[str, Any]:
    error = record_rejection(exc, envelope, **result)
    _log.info("event_outcome", outcome="rejected", **result)
    return {**result, "status": "rejected", "error": error}


def _is_notification(envelope: object) -> bool:
    if not isinstance(envelope, Mapping):
        return False
    source = envelope.get("source")
    detail_type = envelope.get("detail-type")  # a list or an object here names nothing
    return (
        isinstance(source, str)
        and source.startswith(SOURCE_PREFIX)
        and isinstance(detail_type, str)
        and detail_type in UNROUTED_EVENTS
    )


#: Longest id taken from an unparsed envelope into logs and results (ids are <= 128).
_ID_CHARS = 128


def _ids_of(envelope: object) -> dict[str, Any]:
    """Ids worth logging even when the envelope is invalid: nothing goes unaccounted.

    Only strings, cut to an id's length: whatever else an invalid envelope carries there
    is named by its rejection, not copied into every log line and result.
    """
    if not isinstance(envelope, Mapping):
        return {"envelope_id": None, "event_id": None, "event_type": None}
    detail = envelope.get("detail")
    return {
        "envelope_id": _id_text(envelope.get("id")),
        "event_id": _id_text(detail.get("event_id")) if isinstance(detail, Mapping) else None,
        "event_type": _id_text(envelope.get("detail-type")),
    }


def _id_text(value: object) -> str | None:
    return value[:_ID_CHARS] if isinstance(value, str) else None
