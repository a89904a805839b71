"""The Dramatiq worker, in-process: the same actors ``dramatiq alchemiser.worker`` runs.

It has its own broker, as the deployed worker has in its own process: the actors, the
middleware (retries, time limit, the DLQ on failure) and dramatiq-sqs's receive, ack and
nack are the deployed worker's. Only an idle consumer waits differently. dramatiq-sqs
backs off exponentially while a queue stays empty (up to a second between receives with
the short polls a quick stop needs), so a task sent after a quiet spell would wait up to
a second, and stopping would wait for every sleeping consumer. Here an idle consumer
waits on a doorbell that rings when this process sends a task (dramatiq's
``after_enqueue``), when a task is done (``after_ack``/``after_nack``, which is also what
``Deliveries.settle`` waits for) and on stop; it still receives at least once a second,
so a message from elsewhere (another process, a delayed retry coming due) is seen about
as soon as a deployed worker's one-second long poll would see it.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq_sqs.broker import SQSConsumer

from alchemiser.broker import TaskBroker

if TYPE_CHECKING:
    from dramatiq.broker import Broker

__all__ = ["Doorbell", "InProcessWorker"]

#: An idle consumer receives at least this often (a deployed worker long-polls 1 s).
IDLE_RECEIVE_SECONDS = 1.0
#: How long a worker thread waits for work before it checks whether it should stop (ms).
_WORKER_TIMEOUT_MS = 50


class Doorbell(dramatiq.Middleware):
    """Rings on every send, every finished task and on close; waiters see each ring.

    A counter, not a flag: a waiter passes the count it last saw, so a ring between its
    look at the queue and its wait is never lost.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._rings = 0
        self._closed = False

    @property
    def rings(self) -> int:
        """How many times it has rung."""
        return self._rings

    @property
    def closed(self) -> bool:
        """Whether it was closed (waits return at once)."""
        return self._closed

    def ring(self) -> None:
        """Wake every waiter."""
        with self._condition:
            self._rings += 1
            self._condition.notify_all()

    def close(self) -> None:
        """Wake every waiter, and from now on let nobody wait (the worker is stopping)."""
        self._closed = True
        self.ring()

    def wait(self, seen: int, timeout: float) -> None:
        """Wait until it rings after ``seen`` rings, it is closed, or ``timeout`` passes."""
        with self._condition:
            self._condition.wait_for(lambda: self._rings != seen or self._closed, timeout)

    def after_enqueue(self, broker: Broker, message: dramatiq.Message[Any], delay: int) -> None:
        """A task was sent: a consumer may have work."""
        self.ring()

    def after_ack(self, broker: Broker, message: dramatiq.MessageProxy) -> None:
        """A task is done."""
        self.ring()

    def after_nack(self, broker: Broker, message: dramatiq.MessageProxy) -> None:
        """A task failed for good (it is in the DLQ)."""
        self.ring()


class _PromptConsumer(SQSConsumer):  # type: ignore[misc]  # dramatiq-sqs ships no types
    """dramatiq-sqs's consumer, idling on the doorbell instead of an exponential back-off."""

    def __init__(self, *args: Any, doorbell: Doorbell, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self._doorbell = doorbell

    def __next__(self) -> dramatiq.Message[Any] | None:
        seen = self._doorbell.rings
        self.misses = 0  # so an empty receive backs off by dramatiq-sqs's minimum (5-10 ms)
        message: dramatiq.Message[Any] | None = super().__next__()
        if message is None:
            self._doorbell.wait(seen, IDLE_RECEIVE_SECONDS)
        return message


class _WorkerBroker(TaskBroker):
    """The worker process's own broker for one environment, with prompt consumers."""

    def __init__(self, *, target_env: str, doorbell: Doorbell) -> None:
        super().__init__(target_env=target_env)
        self.doorbell = doorbell
        self.add_middleware(doorbell)

    @property
    def consumer_class(self) -> Any:  # noqa: ANN401 - dramatiq-sqs calls it like a class
        """What dramatiq-sqs's ``consume`` builds a consumer with."""
        return functools.partial(_PromptConsumer, doorbell=self.doorbell)


@dataclass
class InProcessWorker:
    """Consumes the target environment's task queues on background threads."""

    environment: str
    threads: int = 2
    doorbell: Doorbell = field(default_factory=Doorbell)
    _worker: dramatiq.Worker | None = field(default=None, init=False)
    _broker: _WorkerBroker | None = field(default=None, init=False)

    def start(self) -> None:
        """Declare the actors on the worker's broker and start consuming.

        Raises:
            EnvironmentNotAllowedError: the environment is not an allowed target.
        """
        import alchemiser.actors  # noqa: F401, PLC0415 - declares the actors
        from alchemiser.broker import declared_actors, ensure_broker  # noqa: PLC0415

        # The functions' broker (in this process): its sends ring the doorbell.
        ensure_broker(self.environment).add_middleware(self.doorbell)
        self._broker = _WorkerBroker(target_env=self.environment, doorbell=self.doorbell)
        for actor in declared_actors():
            self._broker.declare_actor(actor)
        self._worker = dramatiq.Worker(
            self._broker, worker_threads=self.threads, worker_timeout=_WORKER_TIMEOUT_MS
        )
        self._worker.start()

    def stop(self) -> None:
        """Finish the work in hand and stop."""
        if self._worker is None or self._broker is None:
            return
        self.doorbell.close()
        self._worker.stop(timeout=10_000)
        self._broker.close()
        self._worker = self._broker = None
