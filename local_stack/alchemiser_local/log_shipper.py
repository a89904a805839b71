"""Shipping log events to CloudWatch Logs within its limits, off the invoking thread.

``PutLogEvents`` takes events of at most 256 KB, batches of at most 10,000 events and
1 MB (26 bytes counted per event), in time order. ``LogShipper`` is what Lambda's runtime
is to a function: the invocation hands its lines over and goes on; they are stored a
moment later, and ``flush`` says whether they all were.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import TYPE_CHECKING

from alchemiser.batching import bounded_batches

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

__all__ = [
    "EVENT_OVERHEAD_BYTES",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_EVENTS",
    "MAX_EVENT_BYTES",
    "LogShipper",
    "batches",
    "fit",
]

#: CloudWatch Logs' limits (PutLogEvents): one event, one batch, and what each event adds.
MAX_EVENT_BYTES = 256 * 1024
MAX_BATCH_BYTES = 1_048_576
MAX_BATCH_EVENTS = 10_000
EVENT_OVERHEAD_BYTES = 26


def fit(message: str) -> str:
    """``message`` cut to CloudWatch's largest event (on a character boundary)."""
    limit = MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES
    encoded = message.encode()
    if len(encoded) <= limit:
        return message
    return encoded[:limit].decode(errors="ignore")


def batches(events: list[InputLogEventTypeDef]) -> Iterator[list[InputLogEventTypeDef]]:
    """``events`` (in time order) in PutLogEvents batches, each within CloudWatch's limits."""
    return bounded_batches(
        events,
        max_items=MAX_BATCH_EVENTS,
        max_bytes=MAX_BATCH_BYTES,
        size=lambda event: len(event["message"].encode()) + EVENT_OVERHEAD_BYTES,
    )


#: What the shipper is told: create a stream, put events, flush now, or stop.
_Create = tuple[str, str, None]
_Put = tuple[str, str, list["InputLogEventTypeDef"]]
_FLUSH = "flush"
_STOP = "stop"
_Work = _Create | _Put | str


class LogShipper:
    """Sends to CloudWatch Logs on a thread of its own, as Lambda's log agent does.

    An invocation does not wait for its lines to be stored (in Lambda the runtime ships a
    function's output beside it). What arrives within ``linger_seconds`` goes out
    together, each stream's lines in one PutLogEvents call where CloudWatch's limits
    allow: a day of the local workflow is a handful of calls, not one per invocation.
    ``flush`` sends at once and waits until everything so far is stored, raising the
    first failure, so no line is lost unnoticed.
    """

    def __init__(
        self,
        client: CloudWatchLogsClient,
        *,
        linger_seconds: float = 0.1,
        group_clients: Mapping[str, CloudWatchLogsClient] | None = None,
    ) -> None:
        """Ship with ``client``, or a log group's own client from ``group_clients``.

        Lambda writes a function's logs with the function's role: with IAM enforced,
        each function's group has a client of that role.
        """
        self._client = client
        self._group_clients = dict(group_clients or {})
        self._linger = linger_seconds
        self._work: queue.Queue[_Work] = queue.Queue()
        self._failure: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="lambda-logs", daemon=True)
        self._thread.start()

    def create(self, group: str, stream: str) -> None:
        """Create ``stream`` before anything is put in it."""
        self._work.put((group, stream, None))

    def put(self, group: str, stream: str, events: list[InputLogEventTypeDef]) -> None:
        """Store ``events`` (an invocation's, in time order) in ``stream``."""
        self._work.put((group, stream, events))

    def _take(self) -> list[_Work]:
        """The next piece of work and whatever arrives within the linger."""
        taken = [self._work.get()]
        deadline = time.monotonic() + self._linger
        while not isinstance(taken[-1], str) and (left := deadline - time.monotonic()) > 0:
            try:
                taken.append(self._work.get(timeout=left))
            except queue.Empty:
                break
        return taken

    def _run(self) -> None:
        while True:
            taken = self._take()
            try:
                self._ship([work for work in taken if not isinstance(work, str)])
            finally:
                for _ in taken:
                    self._work.task_done()
            if taken[-1] == _STOP:
                return

    def _ship(self, work: list[_Create | _Put]) -> None:
        """Each stream's work in order: its creation first, then its lines in batches."""
        streams: dict[tuple[str, str], tuple[list[bool], list[InputLogEventTypeDef]]] = {}
        for group, stream, events in work:
            create, lines = streams.setdefault((group, stream), ([], []))
            if events is None:
                create.append(True)
            else:
                lines += events
        for (group, stream), (create, lines) in streams.items():
            client = self._group_clients.get(group, self._client)
            try:
                if create:
                    self._create_stream(client, group, stream)
                for batch in batches(sorted(lines, key=lambda event: event["timestamp"])):
                    client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
            except Exception as exc:  # the first is kept for flush
                self._failure = self._failure or exc

    @staticmethod
    def _create_stream(client: CloudWatchLogsClient, group: str, stream: str) -> None:
        """A container's stream (and its group, should the stack not have made it)."""
        try:
            client.create_log_stream(logGroupName=group, logStreamName=stream)
        except client.exceptions.ResourceNotFoundException:
            client.create_log_group(logGroupName=group)
            client.create_log_stream(logGroupName=group, logStreamName=stream)

    def flush(self) -> None:
        """Send at once, wait until all is stored; raise the first failure since the last.

        Raises:
            Exception: the first failure to store (the emulator's error, say).
        """
        self._work.put(_FLUSH)
        self._work.join()
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure

    def close(self) -> None:
        """Stop the thread once what it holds is sent."""
        self._work.put(_STOP)
        self._thread.join(timeout=30)
