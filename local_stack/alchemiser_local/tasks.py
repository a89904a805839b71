"""The Dramatiq worker, in-process: the same actors ``dramatiq alchemiser.worker`` runs.

It has its own broker, as the deployed worker has in its own process: the actors, the
middleware (retries, time limit, the DLQ on failure) and dramatiq-sqs's receive, ack and
nack are the deployed worker's. Only an idle consumer waits differently. dramatiq-sqs
backs off exponentially while a queue stays empty (up to a second between receives with
the short polls a quick stop needs), so a task sent after a quiet spell would wait up to
a second, and stopping would wait for every sleeping consumer. Here dramatiq's own hooks
ring doorbells (``TaskSignals``): ``sent`` when this process sends a task, which an idle
consumer waits on (still receiving at least once a second, so a message from elsewhere,
or a delayed retry coming due, is seen about as soon as a deployed worker's one-second
long poll sees it), and ``done`` when a task is finished, which ``Deliveries.settle``
waits on. Stopping closes both, so nothing waits while the threads end.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, Protocol

import dramatiq
from dramatiq_sqs.broker import SQSConsumer

from alchemiser.taskqueue import TaskBroker

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dramatiq.broker import Broker

__all__ = ["Doorbell", "InProcessWorker", "TaskSignals", "TaskWorker", "WorkerProcess"]

#: An idle consumer receives at least this often (a deployed worker long-polls 1 s).
IDLE_RECEIVE_SECONDS = 1.0
#: How long a worker thread waits for work before it checks whether it should stop (ms).
_WORKER_TIMEOUT_MS = 50
#: A stopping consumer's pause between its checks of whether its thread should end.
_STOPPING_PAUSE_SECONDS = 0.01


class Doorbell:
    """Wakes whoever waits on it; closed, it lets nobody wait any more.

    A counter, not a flag: a waiter passes the count it saw before it last looked at a
    queue, so a ring between that look and its wait is never lost.
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
        """Wake every waiter, and from now on let nobody wait."""
        self._closed = True
        self.ring()

    def wait(self, seen: int, timeout: float) -> None:
        """Wait until it rings after ``seen`` rings, it is closed, or ``timeout`` passes."""
        with self._condition:
            self._condition.wait_for(lambda: self._rings != seen or self._closed, timeout)


class TaskSignals(dramatiq.Middleware):
    """Dramatiq's hooks as doorbells: ``sent`` for the consumers, ``done`` for settling."""

    def __init__(self) -> None:
        self.sent = Doorbell()
        self.done = Doorbell()

    def close(self) -> None:
        """The worker is stopping: nobody waits on either doorbell any more."""
        self.sent.close()
        self.done.close()

    def after_enqueue(self, broker: Broker, message: dramatiq.Message[Any], delay: int) -> None:
        """A task was sent (a retry included): a consumer may have work."""
        self.sent.ring()

    def after_ack(self, broker: Broker, message: dramatiq.MessageProxy) -> None:
        """A task is done."""
        self.done.ring()

    def after_nack(self, broker: Broker, message: dramatiq.MessageProxy) -> None:
        """A task failed for good (it is in the DLQ)."""
        self.done.ring()


class _PromptConsumer(SQSConsumer):  # type: ignore[misc]  # dramatiq-sqs ships no types
    """dramatiq-sqs's consumer, idling on the ``sent`` doorbell instead of backing off."""

    def __init__(self, *args: Any, sent: Doorbell, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self._sent = sent

    def __next__(self) -> dramatiq.Message[Any] | None:
        if self._sent.closed:  # stopping: take nothing new, the thread is about to end
            time.sleep(_STOPPING_PAUSE_SECONDS)
            return None
        seen = self._sent.rings
        had_room = self.message_refc < self.prefetch
        self.misses = 0  # so an empty receive backs off by dramatiq-sqs's minimum (5-10 ms)
        message: dramatiq.Message[Any] | None = super().__next__()
        if message is None and had_room:  # the queue was empty: wait for a send
            self._sent.wait(seen, IDLE_RECEIVE_SECONDS)
        return message


class _WorkerBroker(TaskBroker):
    """The worker process's own broker for one environment, with prompt consumers."""

    def __init__(self, *, target_env: str, signals: TaskSignals) -> None:
        super().__init__(target_env=target_env)
        self.signals = signals
        self.add_middleware(signals)

    @property
    def consumer_class(self) -> Any:  # noqa: ANN401 - dramatiq-sqs calls it like a class
        """What dramatiq-sqs's ``consume`` builds a consumer with."""
        return functools.partial(_PromptConsumer, sent=self.signals.sent)


@dataclass
class InProcessWorker:
    """Consumes the target environment's task queues on background threads."""

    environment: str
    threads: int = 2
    signals: TaskSignals = field(default_factory=TaskSignals)
    _worker: dramatiq.Worker | None = field(default=None, init=False)
    _broker: _WorkerBroker | None = field(default=None, init=False)

    @property
    def tasks_done(self) -> Doorbell:
        """Rung whenever a task is finished (``Deliveries.settle`` waits on it)."""
        return self.signals.done

    def start(self) -> None:
        """Declare the actors on the worker's broker and start consuming.

        Raises:
            EnvironmentNotAllowedError: the environment is not an allowed target.
        """
        import alchemiser.actors  # noqa: F401, PLC0415 - declares the actors
        from alchemiser.taskqueue import declared_actors, ensure_broker  # noqa: PLC0415

        # The functions' broker (in this process): its sends ring ``sent``.
        ensure_broker(self.environment, allowed=(self.environment,)).add_middleware(self.signals)
        self._broker = _WorkerBroker(target_env=self.environment, signals=self.signals)
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
        self.signals.close()
        self._worker.stop(timeout=10_000)
        self._broker.close()
        self._worker = self._broker = None


class TaskWorker(Protocol):
    """What the local stack runs its tasks with: in this process, or in one of its own."""

    @property
    def tasks_done(self) -> Doorbell | None:
        """Rung when a task is finished (None: ``settle`` polls the task queues)."""
        ...

    def start(self) -> None:
        """Start consuming the task queues."""
        ...

    def stop(self) -> None:
        """Finish the work in hand and stop."""
        ...


#: How long a stopping worker process may take (its consumers' 1 s long polls end first).
_PROCESS_STOP_SECONDS = 15


@dataclass
class WorkerProcess:
    """``dramatiq alchemiser.worker``, the deployed worker's command, in a process of its own.

    What README's "Running the task worker" runs, with ``environment``'s variables over
    this process's (the stack's settings, the emulator's endpoint, the credentials of
    ``TaskWorkerRole``): its clients are its own, as a worker host's are. Used when IAM is
    enforced, where the in-process worker cannot have a role of its own: the actors take
    the layer's container clients, which the functions share in this process.
    """

    environment: Mapping[str, str]
    log: IO[str] | int = subprocess.DEVNULL
    threads: int = 2
    _process: subprocess.Popen[str] | None = field(default=None, init=False)

    @property
    def tasks_done(self) -> None:
        """No doorbell across processes: ``settle`` polls the queues."""
        return

    def start(self) -> None:
        """Launch the worker (it binds to the environment's queues as it starts)."""
        command = [
            sys.executable,
            "-m",
            "dramatiq",
            "alchemiser.worker",
            "--processes",
            "1",
            "--threads",
            str(self.threads),
        ]
        self._process = subprocess.Popen(  # noqa: S603 - dramatiq of this interpreter
            command,
            env={**os.environ, **self.environment},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @property
    def running(self) -> bool:
        """Whether the worker process is up (it exits when it cannot consume, say)."""
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        """SIGTERM, dramatiq's graceful stop; killed if it does not end in time."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=_PROCESS_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=_PROCESS_STOP_SECONDS)
        self._process = None
