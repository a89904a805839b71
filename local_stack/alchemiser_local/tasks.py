"""The Dramatiq worker, in-process: the same actors ``dramatiq alchemiser.worker`` runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import dramatiq

__all__ = ["InProcessWorker"]


@dataclass
class InProcessWorker:
    """Consumes the target environment's task queues on background threads."""

    environment: str
    threads: int = 2
    _worker: dramatiq.Worker | None = field(default=None, init=False)

    def start(self) -> None:
        """Bind the actors to the environment's queues and start consuming."""
        import dramatiq  # noqa: PLC0415

        import alchemiser.actors  # noqa: F401, PLC0415 - declares the actors
        from alchemiser.taskqueue import ensure_broker  # noqa: PLC0415

        broker = ensure_broker(self.environment, allowed=(self.environment,))
        # A short poll (ms) keeps stop() quick; the deployed worker uses the default.
        self._worker = dramatiq.Worker(broker, worker_threads=self.threads, worker_timeout=200)
        self._worker.start()

    def stop(self) -> None:
        """Finish the work in hand and stop."""
        if self._worker is not None:
            self._worker.stop(timeout=10_000)
            self._worker = None
