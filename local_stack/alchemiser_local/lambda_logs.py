"""Function logs where Lambda puts them: the emulator's CloudWatch Logs, as Lambda writes them.

Lambda sends each invocation's output to the function's log group (``LoggingConfig.
LogGroup`` in template.yaml), one log stream per execution environment, named
``YYYY/MM/DD/[$LATEST]<32 hex digits>``, framed by its own platform lines::

    START RequestId: <id> Version: $LATEST
    ...the handler's JSON lines...
    END RequestId: <id>
    REPORT RequestId: <id>  Duration: 12.34 ms  Billed Duration: 13 ms  Memory Size: 512 MB
        Max Memory Used: 80 MB  Init Duration: 123.45 ms   (tab-separated, on one line;
        Init Duration on cold starts only)

The local stack does the same, so ``alchemiser logs`` and the saved Logs Insights queries
read the same thing locally as on AWS. The functions run in this process: structlog
writes to the stream ``configure_logging`` was given, here a ``LogTee`` that writes every
line to the JSON-lines file and also keeps the lines the invoking thread writes while an
invocation runs (the task worker's threads log too; their lines are not a function's).
After the invocation its lines go out from a thread of their own (``log_shipper``), in
as few ``PutLogEvents`` calls as CloudWatch's limits allow: the invocation does not wait
for them, as a Lambda function does not wait for its logs to be stored (``flush`` does).

A container is what Lambda calls an execution environment (``FunctionHost`` tells a cold
start): each new one gets a new stream, and ``Init Duration`` in its first REPORT.
"""

from __future__ import annotations

import math
import resource
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO, cast

from alchemiser_local.log_shipper import LogShipper, fit

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_logs.type_defs import InputLogEventTypeDef

__all__ = [
    "Invocation",
    "LambdaLogs",
    "LogTee",
    "log_to_cloudwatch",
    "report_line",
    "stream_name",
]

#: What the local functions run as (no versions are published locally).
VERSION = "$LATEST"


def stream_name(created: datetime, container_id: str, version: str = VERSION) -> str:
    """Lambda's log stream name of a container: ``2026/11/16/[$LATEST]<id>``."""
    return f"{created:%Y/%m/%d}/[{version}]{container_id}"


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_mb: int,
    max_memory_mb: int,
    init_ms: float | None,
) -> str:
    """Lambda's REPORT line; ``Init Duration`` only on a container's first invocation."""
    fields = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_mb} MB",
    ]
    if init_ms is not None:
        fields.append(f"Init Duration: {init_ms:.2f} ms")
    return "\t".join(fields)


def _now_ms() -> int:
    return int(time.time() * 1000)


class LogTee:
    """The stream the functions log to: the JSON-lines file, and the invocation's lines.

    Only the thread that runs an invocation is captured (``capture``); lines from any
    other thread (the task worker) go to the file alone.
    """

    def __init__(self, file: TextIO) -> None:
        self._file = file
        self._thread: int | None = None
        self._lines: list[InputLogEventTypeDef] = []

    def write(self, text: str) -> int:
        """Write ``text`` to the file; keep its lines if the capturing thread wrote them."""
        self._file.write(text)
        if self._thread == threading.get_ident():
            now = _now_ms()
            self._lines.extend(
                {"timestamp": now, "message": fit(line)} for line in text.splitlines() if line
            )
        return len(text)

    def flush(self) -> None:
        """Flush the file (structlog flushes after every line, as Lambda's stdout is read)."""
        self._file.flush()

    def start(self) -> None:
        """Keep what this thread writes from now on."""
        self._lines = []
        self._thread = threading.get_ident()

    def stop(self) -> list[InputLogEventTypeDef]:
        """Stop keeping lines; the lines kept since ``start``."""
        self._thread = None
        lines, self._lines = self._lines, []
        return lines


@dataclass
class Invocation:
    """One invocation being logged: its request id, its container, its START time."""

    request_id: str
    log_group: str
    stream: str
    cold: bool
    started_ms: int


@dataclass
class LambdaLogs:
    """Each invocation's lines into its function's log group, in its container's stream."""

    tee: LogTee
    client: CloudWatchLogsClient
    #: A log group's own client, where it differs (IAM enforced: its function's role).
    group_clients: dict[str, CloudWatchLogsClient] = field(default_factory=dict)
    #: Each function's current container's stream.
    _streams: dict[str, str] = field(default_factory=dict)
    _shipper: LogShipper = field(init=False)

    def __post_init__(self) -> None:
        self._shipper = LogShipper(self.client, group_clients=self.group_clients)

    def start(self, function: str, log_group: str, request_id: str, *, cold: bool) -> Invocation:
        """An invocation of ``function`` begins (``cold``: in a new container, a new stream)."""
        stream = self._streams.get(function)
        if cold or stream is None:
            stream = self._streams[function] = stream_name(datetime.now(UTC), uuid.uuid4().hex)
            self._shipper.create(log_group, stream)
        self.tee.start()
        return Invocation(request_id, log_group, stream, cold, _now_ms())

    def finish(
        self, invocation: Invocation, *, seconds: float, memory_mb: int, init_seconds: float
    ) -> None:
        """The invocation ended: START, its lines, END and REPORT go to its stream."""
        lines = self.tee.stop()
        ended = _now_ms()
        report = report_line(
            invocation.request_id,
            duration_ms=seconds * 1000,
            memory_mb=memory_mb,
            max_memory_mb=_max_memory_mb(),
            init_ms=init_seconds * 1000 if invocation.cold else None,
        )
        start = f"START RequestId: {invocation.request_id} Version: {VERSION}"
        end = f"END RequestId: {invocation.request_id}"
        self._shipper.put(
            invocation.log_group,
            invocation.stream,
            [
                {"timestamp": invocation.started_ms, "message": start},
                *lines,
                {"timestamp": ended, "message": end},
                {"timestamp": ended, "message": report},
            ],
        )

    def flush(self) -> None:
        """Wait until every line so far is in CloudWatch Logs.

        Raises:
            Exception: the first failure to store one (the emulator's error, say).
        """
        self._shipper.flush()

    def close(self) -> None:
        """Store what is left, then stop the shipping thread."""
        try:
            self.flush()
        finally:
            self._shipper.close()


def _max_memory_mb() -> int:
    """The peak resident memory (Linux reports kilobytes)."""
    return math.ceil(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


@contextmanager
def log_to_cloudwatch(
    file: TextIO, group_clients: Mapping[str, CloudWatchLogsClient] | None = None
) -> Iterator[LambdaLogs]:
    """The functions log into ``file`` and, per invocation, into the emulator's log groups.

    Enter with the emulator's endpoint in the environment (``running_stack``); on exit
    every line is stored and the functions log to stdout again. ``group_clients``: the
    client a log group's lines go out with (as Lambda, with its function's role).
    """
    import boto3  # noqa: PLC0415

    from alchemiser.logging import configure_logging  # noqa: PLC0415

    tee = LogTee(file)
    configure_logging(stream=cast("TextIO", tee), force=True)
    logs = LambdaLogs(tee, boto3.client("logs"), dict(group_clients or {}))
    try:
        yield logs
    finally:
        configure_logging(force=True)
        logs.close()
