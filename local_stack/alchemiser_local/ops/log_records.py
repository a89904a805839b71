"""The functions' CloudWatch log events, read back: JSON lines and Lambda's platform lines.

Both functions log one JSON object per line (``alchemiser.logging``); Lambda frames each
invocation with ``START`` / ``END`` / ``REPORT`` lines (``alchemiser_local.lambda_logs``
writes the same locally). Reading goes through ``FilterLogEvents``, every page, with at
most one simple quoted term as the filter: the emulator's CloudWatch Logs understands
no more, and on AWS a quoted term is also the cheapest exact filter. The precise choice
(this correlation id, this level) is made here, on the parsed lines, the same way for
AWS and the local stack.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import OpsError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from alchemiser_local.target import Target

__all__ = [
    "ALL_LOG_GROUP_OUTPUTS",
    "LOG_GROUP_OUTPUTS",
    "LogRecord",
    "field_text",
    "log_groups",
    "platform_fields",
    "read_records",
]

#: The workflow's functions' log groups, by the stack output that names each.
LOG_GROUP_OUTPUTS = {
    "TradingSystemFunction": "TradingSystemLogGroupName",
    "EventRoutingFunction": "EventRoutingLogGroupName",
}
#: ...and the deploy's pre-traffic hook's (``logs tail --function DeployHookFunction``).
ALL_LOG_GROUP_OUTPUTS = {**LOG_GROUP_OUTPUTS, "DeployHookFunction": "DeployHookLogGroupName"}
#: FilterLogEvents takes at most this many stream names.
MAX_STREAMS_PER_CALL = 100
_PLATFORM = re.compile(r"^(?P<type>START|END|REPORT) RequestId: (?P<request_id>[0-9A-Za-z-]+)")
#: REPORT's fields as Logs Insights discovers them (memory in bytes, as Insights has it).
_REPORT_FIELDS = {
    "Duration": ("@duration", 1.0),
    "Billed Duration": ("@billedDuration", 1.0),
    "Memory Size": ("@memorySize", 1_000_000.0),
    "Max Memory Used": ("@maxMemoryUsed", 1_000_000.0),
    "Init Duration": ("@initDuration", 1.0),
}
_REPORT_FIELD = re.compile(r"(?P<name>[A-Za-z ]+): (?P<value>\d+(?:\.\d+)?) (?:ms|MB)")


def platform_fields(message: str) -> dict[str, Any] | None:
    """Lambda's START/END/REPORT line as Logs Insights sees it (``@type``, ``@duration``...)."""
    match = _PLATFORM.match(message)
    if match is None:
        return None
    fields: dict[str, Any] = {"@type": match["type"], "@requestId": match["request_id"]}
    if match["type"] == "REPORT":
        for part in message.split("\t")[1:]:
            found = _REPORT_FIELD.fullmatch(part.strip())
            if found and found["name"] in _REPORT_FIELDS:
                name, scale = _REPORT_FIELDS[found["name"]]
                fields[name] = float(found["value"]) * scale
    return fields


def _json_fields(message: str) -> dict[str, Any] | None:
    if not message.startswith("{"):
        return None
    try:
        parsed = json.loads(message)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


@dataclass(frozen=True)
class LogRecord:
    """One log event of a function: its JSON fields, or its platform line's."""

    function: str
    stream: str
    timestamp: int
    event_id: str
    message: str
    #: The JSON line's fields (None for a platform or plain text line).
    fields: dict[str, Any] | None
    #: ``@type``, ``@requestId`` and REPORT's figures of a START/END/REPORT line.
    platform: dict[str, Any] | None

    @classmethod
    def of(cls, function: str, event: dict[str, Any]) -> LogRecord:
        """A FilterLogEvents event of ``function``'s log group, parsed."""
        message = str(event.get("message", "")).rstrip("\n")
        return cls(
            function=function,
            stream=str(event.get("logStreamName", "")),
            timestamp=int(event.get("timestamp", 0)),
            event_id=str(event.get("eventId", "")),
            message=message,
            fields=_json_fields(message),
            platform=platform_fields(message),
        )

    @property
    def request_id(self) -> str | None:
        """The invocation the line belongs to (JSON ``request_id`` or the platform line's)."""
        if self.platform is not None:
            return str(self.platform["@requestId"])
        value = (self.fields or {}).get("request_id")
        return str(value) if value else None

    def field(self, name: str) -> Any:  # noqa: ANN401 - any JSON value
        """A JSON field's value (None when absent or not a JSON line)."""
        return (self.fields or {}).get(name)


def field_text(value: Any) -> str:  # noqa: ANN401 - any JSON value
    """A field's value on one line: JSON for structures, a traceback as its last line."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    text = str(value)
    if "\n" in text:
        return text.strip().splitlines()[-1] + " (traceback: --json)"
    return text


def log_groups(
    target: Target, functions: Sequence[str] = tuple(LOG_GROUP_OUTPUTS)
) -> dict[str, str]:
    """Function logical id -> its log group name, from the stack's outputs."""
    return {function: target.output(ALL_LOG_GROUP_OUTPUTS[function]) for function in functions}


def read_records(
    target: Target,
    function: str,
    group: str,
    *,
    start_ms: int,
    end_ms: int | None = None,
    term: str | None = None,
    streams: Sequence[str] = (),
) -> Iterator[LogRecord]:
    """Every event of ``group`` in the window (containing ``term``), all pages, parsed.

    Raises:
        OpsError: the log group does not exist.
    """
    client = target.client("logs")
    paginator = client.get_paginator("filter_log_events")
    arguments: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
    if end_ms is not None:
        arguments["endTime"] = end_ms
    if term is not None:
        arguments["filterPattern"] = json.dumps(term)  # a quoted term: an exact phrase
    chunks = [
        list(streams[i : i + MAX_STREAMS_PER_CALL])
        for i in range(0, len(streams), MAX_STREAMS_PER_CALL)
    ] or [[]]
    try:
        for chunk in chunks:
            pages = paginator.paginate(**arguments, **({"logStreamNames": chunk} if chunk else {}))
            for page in pages:
                for event in page.get("events", []):
                    yield LogRecord.of(function, event)
    except client.exceptions.ResourceNotFoundException:
        raise OpsError(
            f"the log group {group} of {function} does not exist in {target.stack_name}"
        ) from None
