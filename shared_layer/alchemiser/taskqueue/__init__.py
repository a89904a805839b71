"""Task queues: the env-reset Dramatiq broker, so a message for X always lands in X's queues.

A warm Lambda container can serve invocations that target different environments (an
operator invoking dev for staging, a replay). A broker built at module scope would keep
sending to the first environment's queues without any error. Here nothing is bound at
import: actors are declared against a placeholder that refuses to send, and every
invocation that may send calls ``ensure_broker(target_env, allowed=...)`` first, which

- refuses environments outside the allowed ones (the caller's settings, passed in)
  before anything is sent;
- returns at once when the container is already bound to ``target_env`` (no log);
- otherwise re-binds every actor (``actor.broker`` and ``declare_actor``) to the broker of
  that environment (built once per environment and cached, so A -> B -> A rebuilds
  nothing), points ``dramatiq.set_broker`` at it and logs one ``broker.reset`` line.

No module is ever dropped from ``sys.modules``: re-importing would re-run every import
of the package and still leave stale references to the old actors in callers.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import dramatiq

from alchemiser.config import check_target_environment
from alchemiser.container import on_new_container
from alchemiser.logging import get_logger
from alchemiser.taskqueue.sqs import TaskBroker, UnboundBroker

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

__all__ = [
    "TaskBroker",
    "close_brokers",
    "current_environment",
    "declared_actors",
    "ensure_broker",
    "task",
]


class _Binding:
    """Which environment the container's actors are bound to, and the brokers built so far.

    ``current`` pairs the environment with its broker in one attribute, so a reader never
    sees one without the other. Actors are process-global: a process serves one target
    environment at a time (Lambda runs one invocation per container; a worker binds once).
    """

    def __init__(self) -> None:
        self.current: tuple[str | None, dramatiq.Broker] = (None, _UNBOUND)
        self.brokers: dict[str, TaskBroker] = {}
        self.lock = threading.Lock()


#: Actors of the package by name, in declaration order (filled by ``task``).
_ACTORS: dict[str, dramatiq.Actor[Any, Any]] = {}
_UNBOUND = UnboundBroker()
_binding = _Binding()


def task[**P, R](
    *, queue_name: str, actor_name: str, **options: object
) -> Callable[[Callable[P, R]], dramatiq.Actor[P, R]]:
    """Declare an actor without binding it to any real broker (see module docstring).

    ``options`` are checked against the middleware's actor options, as ``dramatiq.actor``
    would.
    """

    def decorator(fn: Callable[P, R]) -> dramatiq.Actor[P, R]:
        unknown = set(options) - _UNBOUND.actor_options
        if unknown:
            raise ValueError(f"unknown actor options {sorted(unknown)} for {actor_name}")
        declared: dramatiq.Actor[P, R] = dramatiq.Actor(
            fn,
            broker=_binding.current[1],  # late declarations join the bound broker
            actor_name=actor_name,
            queue_name=queue_name,
            priority=0,
            options=options,
        )
        _ACTORS[actor_name] = declared
        return declared

    return decorator


def declared_actors() -> tuple[dramatiq.Actor[Any, Any], ...]:
    """Every actor declared with ``task`` (import ``alchemiser.actors`` first)."""
    return tuple(_ACTORS.values())


def current_environment() -> str | None:
    """The environment the container's actors are bound to, if any."""
    return _binding.current[0]


def ensure_broker(target_env: str, *, allowed: Collection[str]) -> dramatiq.Broker:
    """Bind every actor to ``target_env``'s queues; call before anything is sent.

    Returns:
        The broker of ``target_env`` (also ``dramatiq.get_broker()`` afterwards).

    Raises:
        EnvironmentNotAllowedError: ``target_env`` is not one of ``allowed``.
    """
    check_target_environment(target_env, allowed)
    env, broker = _binding.current
    if env == target_env:
        return broker
    with _binding.lock:
        return _rebind(target_env)


def _rebind(target_env: str) -> dramatiq.Broker:
    previous, current = _binding.current
    if previous == target_env:  # another thread got here first
        return current
    broker = _binding.brokers.get(target_env)
    cached = broker is not None
    if broker is None:
        broker = _binding.brokers[target_env] = TaskBroker(target_env=target_env)
    _bind_all(broker)
    _binding.current = (target_env, broker)
    if previous is not None:
        get_logger(__name__).info(
            "broker.reset",
            previous_env=previous,
            target_env=target_env,
            actors=sorted(_ACTORS),
            broker_cached=cached,
        )
    return broker


def _bind_all(broker: dramatiq.Broker) -> None:
    for actor in _ACTORS.values():
        actor.broker = broker
        if broker.actors.get(actor.actor_name) is not actor:
            broker.declare_actor(actor)
    dramatiq.set_broker(broker)


@on_new_container
def close_brokers() -> None:
    """Close every cached broker and return the actors to the unbound placeholder.

    For process shutdown and for a container's first invocation again (a new container
    also forgets the SQS resource, so the next broker reads the endpoint afresh).
    """
    with _binding.lock:
        for broker in _binding.brokers.values():
            broker.close()
        _binding.brokers.clear()
        _bind_all(_UNBOUND)
        _binding.current = (None, _UNBOUND)
