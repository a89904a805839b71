"""What AWS authorizes for a request: its IAM actions and the resources they act on.

moto 5.2 checks a request's API name (``lambda:Invoke``, ``dynamodb:TransactWriteItems``)
against ``"*"`` for every service but S3, SQS, IAM and STS (module docstring of
``emulator_iam``). Here, for the services this stack calls, is what AWS checks instead:
the IAM action of the API (where the two differ), each item of a transaction on its own
table, each entry of ``PutEvents`` on its own bus, and the ARN of what is acted on, as
IAM policies name it (a log group as ``log-group:NAME:*``, a function with its
qualifier, ``$LATEST`` being the function itself, a secret with its random suffix).

Runs in the emulator process (it reads moto's backends to resolve names to ARNs).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Check", "required_checks"]

#: API name -> the IAM action AWS checks for it, where the two differ.
_IAM_ACTIONS = {
    ("lambda", "Invoke"): "InvokeFunction",
    ("sqs", "ChangeMessageVisibilityBatch"): "ChangeMessageVisibility",
    ("sqs", "DeleteMessageBatch"): "DeleteMessage",
    ("sqs", "SendMessageBatch"): "SendMessage",
}
#: DynamoDB transaction item kind -> the action DynamoDB authorizes for it.
_TRANSACTION_ITEMS = {
    "ConditionCheck": "ConditionCheckItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "Get": "GetItem",
}


#: One check: (IAM action without its service prefix, resource ARN).
Check = tuple[str, str]


def _param(response: Any, name: str) -> Any:  # noqa: ANN401 - moto's BaseResponse, a value
    try:
        return response._get_param(name)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _arn(response: Any, service: str, resource: str) -> str:  # noqa: ANN401
    return f"arn:aws:{service}:{response.region}:{response.current_account}:{resource}"


def _dynamodb(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    def table(name: str) -> str:
        return _arn(response, "dynamodb", f"table/{name}")

    if action in {"TransactWriteItems", "TransactGetItems"}:
        checks = []
        for item in _param(response, "TransactItems") or []:
            for kind, body in item.items():
                checks.append((_TRANSACTION_ITEMS[kind], table(body["TableName"])))
        return checks
    if action in {"BatchGetItem", "BatchWriteItem"}:
        return [(action, table(name)) for name in _param(response, "RequestItems") or {}]
    name = _param(response, "TableName")
    if not name:
        return [(action, "*")]
    index = _param(response, "IndexName")
    return [(action, table(name) + (f"/index/{index}" if index else ""))]


def _events(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    def bus(name: str) -> str:
        return name if name.startswith("arn:") else _arn(response, "events", f"event-bus/{name}")

    if action == "PutEvents":
        names = {entry.get("EventBusName") or "default" for entry in _param(response, "Entries")}
        return [(action, bus(name)) for name in sorted(names)]
    if action == "StartReplay":
        return [(action, str(_param(response, "EventSourceArn")))]
    if action == "DescribeArchive":
        return [(action, _arn(response, "events", f"archive/{_param(response, 'ArchiveName')}"))]
    if action == "DescribeReplay":
        return [(action, _arn(response, "events", f"replay/{_param(response, 'ReplayName')}"))]
    return [(action, "*")]


def _secretsmanager(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    from moto.secretsmanager.models import secretsmanager_backends  # noqa: PLC0415

    secret_id = _param(response, "SecretId")
    if not secret_id:
        return [(action, "*")]
    secrets = secretsmanager_backends[response.current_account][response.region].secrets
    found = secrets.get(secret_id) if secret_id in secrets else None
    arn = (
        found.arn if found is not None else _arn(response, "secretsmanager", f"secret:{secret_id}")
    )
    return [(action, str(arn))]


def _logs(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    group, stream = _param(response, "logGroupName"), _param(response, "logStreamName")
    if not group:
        return [(action, "*")]
    if stream and action in {"CreateLogStream", "PutLogEvents", "GetLogEvents"}:
        return [(action, _arn(response, "logs", f"log-group:{group}:log-stream:{stream}"))]
    return [(action, _arn(response, "logs", f"log-group:{group}:*"))]


def _lambda(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    from urllib.parse import unquote  # noqa: PLC0415

    match = re.search(r"/functions/([^/]+)", response.path)
    if not match:
        return [(action, "*")]
    name = unquote(match[1])
    qualifier = _param(response, "Qualifier") or _param(response, "qualifier")
    if name.startswith("arn:"):
        parts = name.split(":")
        name = parts[6]
        qualifier = qualifier or (parts[7] if len(parts) > 7 else None)
    elif ":" in name:
        name, qualifier = name.split(":", 1)
    suffix = f":{qualifier}" if qualifier and qualifier != "$LATEST" else ""
    return [(action, _arn(response, "lambda", f"function:{name}{suffix}"))]


def _scheduler(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    match = re.search(r"/schedules/([^/?]+)", response.path)
    if not match:
        return [(action, "*")]
    group = _param(response, "groupName") or "default"
    return [(action, _arn(response, "scheduler", f"schedule/{group}/{match[1]}"))]


def _cloudformation(response: Any, action: str) -> list[Check]:  # noqa: ANN401
    from moto.cloudformation.models import cloudformation_backends  # noqa: PLC0415

    name = _param(response, "StackName")
    if not name:
        return [(action, "*")]
    if str(name).startswith("arn:"):
        return [(action, str(name))]
    backend = cloudformation_backends[response.current_account][response.region]
    for stack in backend.stacks.values():
        if stack.name == name and stack.status != "DELETE_COMPLETE":
            return [(action, str(stack.stack_id))]
    return [(action, _arn(response, "cloudformation", f"stack/{name}/*"))]


def _sqs(response: Any, action: str, resource: str) -> list[Check]:  # noqa: ANN401
    if action == "GetQueueUrl":
        from moto.sqs.models import sqs_backends  # noqa: PLC0415

        queues = sqs_backends[response.current_account][response.region].queues
        queue = queues.get(_param(response, "QueueName") or "")
        return [(action, queue.queue_arn if queue is not None else "*")]
    return [(action, resource)]


_RESOURCES: dict[str, Callable[[Any, str], list[Check]]] = {
    "dynamodb": _dynamodb,
    "events": _events,
    "secretsmanager": _secretsmanager,
    "logs": _logs,
    "lambda": _lambda,
    "scheduler": _scheduler,
    "cloudformation": _cloudformation,
}


def required_checks(response: Any, service: str, api_action: str, resource: str) -> list[Check]:  # noqa: ANN401
    """The (IAM action, resource) pairs AWS would authorize for one request."""
    action = _IAM_ACTIONS.get((service, api_action), api_action)
    if service == "sqs":
        return _sqs(response, action, resource)
    find = _RESOURCES.get(service)
    return find(response, action) if find is not None else [(action, resource)]
