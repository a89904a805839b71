"""IAM enforced by the emulator, as AWS enforces it for the calls this stack makes.

Loaded into the emulator process by ``emulator_server --enforce-iam`` (with moto's own
switch, ``INITIAL_NO_AUTH_ACTION_COUNT``, set). What moto 5.2 does on its own, read from
``moto/core/authorization.py`` and ``moto/iam/access_control.py``:

- it lets the first ``INITIAL_NO_AUTH_ACTION_COUNT`` requests through unchecked (every
  request that reaches a service's authorization counts, S3's included; ``/moto-api/``
  does not), then checks every request's SigV4 signature against the keys of an IAM user
  or of an STS assumed-role session, and evaluates the caller's identity policies (the
  user's inline, attached and group policies, or the role's inline and attached ones);
  resource-based policies (bucket, queue, topic policies) and permission boundaries are
  not evaluated, and ``sts:GetCallerIdentity`` is always allowed;
- it knows the resource a request acts on only for S3 (bucket/key), SQS (queue), IAM
  (role) and ``sts:AssumeRole`` (the role); every other request is checked against
  ``"*"``, which no statement scoped to an ARN matches: every least-privilege role would
  be refused everything;
- it checks the action by its API name (``sqs:ChangeMessageVisibilityBatch``,
  ``lambda:Invoke``, ``dynamodb:TransactWriteItems``), not by the IAM action AWS checks;
- its patterns treat ``*`` as a regex and ``?`` as a regex quantifier (``alpaca-??????``
  fails to compile: a 500), match actions case-sensitively, and a trust policy naming a
  ``Service`` principal fails with a 500 (a ``TypeError``); an ``AWS`` principal matches
  only by substring (an account's ``:root`` never matches its users), a statement whose
  principal does not match denies outright instead of not applying, and a condition on
  a key the request lacks passes.

What this module adds, so the emulator answers as AWS would for this stack:

- the resource of each request: DynamoDB tables (and indexes), EventBridge buses,
  archives and replays, Secrets Manager secrets (their ARN with its random suffix),
  CloudWatch Logs groups and streams (a group as ``log-group:NAME:*``, the form IAM
  policies name), Lambda functions (with their qualifier; ``$LATEST`` is the function
  itself), Scheduler schedules, CloudFormation stacks and SQS's ``GetQueueUrl``;
- the IAM action AWS checks: ``lambda:InvokeFunction`` for ``Invoke``, the per-message
  action for SQS's batch calls, and for DynamoDB's transactions each item's own action
  on its own table (``PutItem``, ``UpdateItem``, ``DeleteItem``, ``ConditionCheckItem``,
  ``GetItem``), as DynamoDB authorizes them; ``PutEvents`` on each entry's bus;
- S3's answer for a missing object: ``403 AccessDenied`` unless the caller may
  ``s3:ListBucket`` the bucket (``404 NoSuchKey`` then), as S3 answers;
- policy evaluation with IAM's semantics: ``*`` and ``?`` wildcards (actions matched
  without regard to case), an explicit Deny wins, a statement applies only when its
  principal, action, resource and conditions all match (``StringEquals``,
  ``StringLike``, ``ArnEquals``, ``ArnLike``, ``Bool``; a key the request lacks fails the
  condition), ``NotAction``/``NotResource``; principals ``*``, an account (``:root`` or
  its id: any principal of that account whose own policies allow the call), a user or
  role ARN (a role's sessions included), and a ``Service`` principal, which the local
  stack plays with an IAM user of the service's name (``lambda.amazonaws.com``) whose
  requests carry ``aws:SourceAccount`` as a service's do;
- a record of every refusal (who, which action, on what), served at
  ``/_alchemiser/iam/denials``, so a run can count them whether or not the caller's
  code swallowed the error;
- Lambda ``Invoke`` with the header ``X-Alchemiser-Authorize-Only``: authorized as any
  invoke, then answered 204 without running anything. The local stack's Lambda endpoint
  runs functions itself; it asks here first whether the caller may invoke.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

__all__ = [
    "AUTHORIZE_ONLY_HEADER",
    "DENIALS_PATH",
    "GRANTS_PATH",
    "Decisions",
    "condition_holds",
    "enforce",
    "principal_matches",
    "required_checks",
    "statement_applies",
    "wildcard_matches",
]

#: The header that makes a Lambda ``Invoke`` an authorization check only.
AUTHORIZE_ONLY_HEADER = "X-Alchemiser-Authorize-Only"
#: Where the refusals recorded so far are served (GET, JSON list; DELETE forgets them).
DENIALS_PATH = "/_alchemiser/iam/denials"
#: Where the distinct grants used so far are served (GET; DELETE forgets them).
GRANTS_PATH = "/_alchemiser/iam/grants"
#: The path IAM users playing AWS service principals are created under (their name is
#: the service's: ``lambda.amazonaws.com``).
SERVICE_USER_PATH = "/aws-service-principal/"
_SERVICE_SUFFIX = ".amazonaws.com"
#: Services whose errors are JSON (``__type``): AccessDeniedException; the rest are XML.
_JSON_SERVICES = frozenset(
    {"dynamodb", "events", "logs", "secretsmanager", "sqs", "lambda", "scheduler"}
)
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
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_FORBIDDEN = 403


class Decisions:
    """Every refusal the emulator answered, in order, and every grant it used (thread-safe).

    The grants say which statements a run needed: a granted action never used by any
    path is a candidate for removal (the proof's ``unused`` figures).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._refused: list[dict[str, str]] = []
        self._granted: set[tuple[str, str, str]] = set()

    def refuse(self, *, principal: str, action: str, resource: str) -> None:
        """Record one refusal."""
        with self._lock:
            self._refused.append(
                {
                    "principal": principal,
                    "action": action,
                    "resource": resource,
                    "code": "AccessDenied",
                }
            )

    def grant(self, *, principal: str, action: str, resource: str) -> None:
        """Record one allowed check."""
        with self._lock:
            self._granted.add((principal, action, resource))

    def clear(self) -> None:
        """Forget everything (a fresh stack in the same emulator)."""
        with self._lock:
            self._refused.clear()
            self._granted.clear()

    def served(self, path: str) -> list[dict[str, str]]:
        """What ``path`` serves: the refusals, or the distinct grants."""
        with self._lock:
            if path == DENIALS_PATH:
                return list(self._refused)
            keys = ("principal", "action", "resource")
            return [dict(zip(keys, grant, strict=True)) for grant in sorted(self._granted)]


#: The emulator's decisions.
DECISIONS = Decisions()


# --- IAM's matching semantics ---------------------------------------------------------


@functools.cache
def _pattern(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(regex, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def wildcard_matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's match: ``*`` any run of characters, ``?`` one character, all else literal."""
    return bool(_pattern(pattern, ignore_case=ignore_case).fullmatch(value))


def _values(node: Any) -> list[str]:  # noqa: ANN401 - a policy element
    if node is None:
        return []
    return [str(item) for item in node] if isinstance(node, list) else [str(node)]


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def _same_role(expected: str, caller: str) -> bool:
    """``arn:...:iam::A:role/R`` names its sessions ``arn:...:sts::A:assumed-role/R/S``."""
    if ":role/" not in expected or ":assumed-role/" not in caller:
        return False
    account, role = _account_of(expected), expected.rsplit("/", 1)[-1]
    return _account_of(caller) == account and caller.split("/")[1] == role


def _aws_principal_matches(expected: str, caller: str) -> bool:
    if expected == "*":
        return True
    if _ACCOUNT_ID.match(expected):
        return _account_of(caller) == expected
    if expected.endswith(":root"):
        return _account_of(caller) == _account_of(expected)
    return caller == expected or _same_role(expected, caller)


def _service_user(service: str, account: str) -> str:
    return f"arn:aws:iam::{account}:user/{service}"


def principal_matches(principal: Any, caller: str) -> bool:  # noqa: ANN401 - a policy element
    """Whether a statement's ``Principal`` names ``caller`` (an ARN).

    A ``Service`` principal is played by the IAM user of the service's name.
    """
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    if any(_aws_principal_matches(p, caller) for p in _values(principal.get("AWS"))):
        return True
    account = _account_of(caller)
    return any(caller == _service_user(s, account) for s in _values(principal.get("Service")))


def _equals(expected: str, actual: str) -> bool:
    return expected == actual


def _same_truth(expected: str, actual: str) -> bool:
    return expected.lower() == actual.lower()


#: The condition operators this emulator evaluates: operator -> test(expected, actual).
_CONDITION_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": _equals,
    "StringLike": wildcard_matches,
    "ArnEquals": _equals,
    "ArnLike": wildcard_matches,
    "Bool": _same_truth,
}


def condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    """A statement's ``Condition`` against the request's context keys.

    Every operator and key must hold; a key the request lacks fails (no ``IfExists``
    here), and so does an operator this emulator does not know.
    """
    for operator, tests in condition.items():
        test = _CONDITION_TESTS.get(operator)
        if test is None:
            return False
        for key, expected in tests.items():
            actual = context.get(key)
            if actual is None or not any(test(value, actual) for value in _values(expected)):
                return False
    return True


def statement_applies(
    statement: dict[str, Any],
    action: str,
    resource: str,
    principal: str | None,
    context: dict[str, str],
) -> bool:
    """Whether ``statement`` is about this request (principal, action, condition, resource).

    ``principal`` is the caller's ARN for a trust policy, None for an identity policy.
    """
    if "NotAction" in statement:
        acts = not any(
            wildcard_matches(p, action, ignore_case=True) for p in _values(statement["NotAction"])
        )
    else:
        acts = any(
            wildcard_matches(p, action, ignore_case=True) for p in _values(statement.get("Action"))
        )
    if not acts:
        return False
    if principal is not None and not principal_matches(statement.get("Principal"), principal):
        return False
    if "Condition" in statement and not condition_holds(statement["Condition"], context):
        return False
    if "NotResource" in statement:
        return not any(wildcard_matches(p, resource) for p in _values(statement["NotResource"]))
    if "Resource" not in statement:  # a trust policy's statements name no resource
        return True
    return any(wildcard_matches(p, resource) for p in _values(statement["Resource"]))


def _evaluate(
    document: dict[str, Any],
    action: str,
    resource: str,
    principal: str | None,
    context: dict[str, str],
) -> str:
    """``"deny"``, ``"allow"`` or ``"none"`` (no statement applies) for one policy."""
    statements = document.get("Statement", [])
    verdict = "none"
    for statement in statements if isinstance(statements, list) else [statements]:
        if statement is None:  # moto's CloudFormation keeps an ``!If`` to NoValue as null
            continue
        if statement_applies(statement, action, resource, principal, context):
            if statement.get("Effect") == "Deny":
                return "deny"
            verdict = "allow"
    return verdict


# --- what a request needs -------------------------------------------------------------

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


# --- moto, patched --------------------------------------------------------------------


def _caller(request: Any) -> str:  # noqa: ANN401 - moto's IAMRequestBase
    return str(request._access_key.arn)


def _context(caller: str) -> dict[str, str]:
    """The condition keys a request carries (a service principal's: its source account)."""
    context = {"aws:SecureTransport": "false"}  # the emulator is plain HTTP
    if caller.rsplit("/", 1)[-1].endswith(_SERVICE_SUFFIX) and ":user/" in caller:
        context["aws:SourceAccount"] = _account_of(caller)
    return context


def _identity_documents(request: Any) -> Iterator[dict[str, Any]]:  # noqa: ANN401
    from moto.iam.models import Policy  # noqa: PLC0415

    for policy in request._access_key.collect_policies():
        if isinstance(policy, Policy):
            version = next(v for v in policy.versions if v.is_default)
            yield _parsed(version.document)
        elif isinstance(policy, dict) and "policy_document" in policy:  # a user's inline
            yield _parsed(policy["policy_document"])
        else:  # a role's inline: text, or the document CloudFormation gave it
            yield _parsed(policy)


def _parsed(document: Any) -> dict[str, Any]:  # noqa: ANN401 - text or a parsed document
    parsed: dict[str, Any] = json.loads(document) if isinstance(document, str) else document
    return parsed


def _permitted(request: Any, action: str, resource: str) -> bool:  # noqa: ANN401
    """Identity policies allow and nothing denies; for AssumeRole, the trust policy too."""
    caller = _caller(request)
    context = _context(caller)
    verdicts = {
        _evaluate(document, action, resource, None, context)
        for document in _identity_documents(request)
    }
    if "deny" in verdicts or "allow" not in verdicts:
        return False
    if action == "sts:AssumeRole":
        from moto.iam.exceptions import NotFoundException  # noqa: PLC0415

        try:
            role = request.backend.get_role_by_arn(resource)
        except NotFoundException:
            return True  # AssumeRole itself answers NoSuchEntity
        trust = json.loads(role.assume_role_policy_document)
        return _evaluate(trust, action, resource, caller, context) == "allow"
    return True


def _refuse(request: Any, service: str, action: str, resource: str) -> None:  # noqa: ANN401
    from moto.core.exceptions import AccessDeniedError, JsonRESTError  # noqa: PLC0415
    from moto.iam.access_control import S3IAMRequest  # noqa: PLC0415

    caller = _caller(request)
    DECISIONS.refuse(principal=caller, action=action, resource=resource)
    if isinstance(request, S3IAMRequest):
        request._raise_access_denied()
    what = f"{action} on resource: {resource}"
    if service not in _JSON_SERVICES:
        raise AccessDeniedError(user_arn=caller, action=what)
    error = JsonRESTError(
        "AccessDeniedException", f"User: {caller} is not authorized to perform: {what}"
    )
    error.code = _FORBIDDEN
    raise error


def _missing_object_without_list(response: Any, resource: str) -> str | None:  # noqa: ANN401
    """The bucket ARN to check ``s3:ListBucket`` on, when a read names a missing key."""
    from moto.s3.models import s3_backends  # noqa: PLC0415

    bucket_key = resource.removeprefix("arn:aws:s3:::")
    bucket, _, key = bucket_key.partition("/")
    if not key:
        return None
    backend = s3_backends[response.current_account]["aws"]
    found = backend.buckets.get(bucket)
    if found is None or key in found.keys:
        return None
    return f"arn:aws:s3:::{bucket}"


def _signed_data(response: Any, iam_request_cls: type) -> Any:  # noqa: ANN401 - moto's
    """What moto re-signs as the body: the form of a form post, nothing if there is none.

    moto hands the request's parameters over as the body when it has none (right for a
    form post, whose fields werkzeug took out of the body), so a bodiless ``GET`` of a
    REST API (Lambda's ``GetFunction``, Scheduler's ``GetSchedule``) was re-signed with
    its query string, or its headers, as a body: ``SignatureDoesNotMatch``. S3 signs its
    payload's hash header instead.
    """
    from moto.iam.access_control import S3IAMRequest  # noqa: PLC0415

    if response.raw_body or response.form_data or issubclass(iam_request_cls, S3IAMRequest):
        return response.data
    return {}


def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:  # noqa: ANN401
    """Moto's ``_authenticate_and_authorize_action``, with AWS's checks (module docstring)."""
    from moto import settings  # noqa: PLC0415
    from moto.core.authorization import ActionAuthenticatorMixin  # noqa: PLC0415

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        ActionAuthenticatorMixin.request_count += 1
        return
    if self.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS:
        return
    from urllib.parse import urlparse  # noqa: PLC0415

    query = urlparse(self.uri).query
    path = self.raw_path + (f"?{query}" if query else "")
    api_action = self._get_action()
    request = iam_request_cls(
        account_id=self.current_account,
        method=self.method,
        path=path,
        data=_signed_data(self, iam_request_cls),
        body=self.raw_body,
        headers=self.headers,
        action=api_action,
    )
    request.check_signature()
    service = request._service
    if f"{service}:{api_action}" == "sts:GetCallerIdentity":
        return
    checks = required_checks(self, service, api_action, resource)
    if service == "s3" and api_action == "GetObject":
        bucket = _missing_object_without_list(self, resource)
        if bucket is not None:  # S3 tells a missing key only to who may list the bucket
            checks.append(("ListBucket", bucket))
    for action, arn in checks:
        if not _permitted(request, f"{service}:{action}", arn):
            _refuse(request, service, f"{service}:{action}", arn)
        DECISIONS.grant(principal=_caller(request), action=f"{service}:{action}", resource=arn)


def _authorize_only(invoke: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(invoke)
    def invoke_or_answer(self: Any) -> Any:  # noqa: ANN401 - moto's LambdaResponse
        if self.headers.get(AUTHORIZE_ONLY_HEADER):
            return 204, {"status": "204"}, ""  # authorized already (call_action)
        return invoke(self)

    return invoke_or_answer


def _log_group_arn(get_cfn_attribute: Callable[..., Any]) -> Callable[..., Any]:
    """CloudFormation's ``GetAtt LogGroup.Arn`` ends with ``:*`` (moto's does not)."""

    @functools.wraps(get_cfn_attribute)
    def with_suffix(self: Any, attribute_name: str) -> Any:  # noqa: ANN401
        value = get_cfn_attribute(self, attribute_name)
        return f"{value}:*" if attribute_name == "Arn" else value

    return with_suffix


def _serving_denials() -> type[DomainDispatcherApplication]:
    """Moto's server app, answering ``DENIALS_PATH`` and ``GRANTS_PATH`` itself."""
    from moto.moto_server import werkzeug_app  # noqa: PLC0415

    class WithDecisions(werkzeug_app.DomainDispatcherApplication):
        def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:  # noqa: ANN401
            path = environ.get("PATH_INFO")
            if path not in {DENIALS_PATH, GRANTS_PATH}:
                return super().__call__(environ, start_response)
            if environ.get("REQUEST_METHOD") == "DELETE":
                DECISIONS.clear()
            body = json.dumps(DECISIONS.served(path)).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            start_response("200 OK", headers)
            return [body]

    return WithDecisions


def enforce() -> None:
    """Install everything above into moto (the emulator process only)."""
    import moto.server  # noqa: PLC0415
    from moto.awslambda.responses import LambdaResponse  # noqa: PLC0415
    from moto.core.authorization import ActionAuthenticatorMixin  # noqa: PLC0415
    from moto.logs.models import LogGroup  # noqa: PLC0415

    ActionAuthenticatorMixin._authenticate_and_authorize_action = authorize  # type: ignore[method-assign]
    LambdaResponse.invoke = _authorize_only(LambdaResponse.invoke)  # type: ignore[method-assign]
    LogGroup.get_cfn_attribute = _log_group_arn(LogGroup.get_cfn_attribute)  # type: ignore[method-assign]
    moto.server.DomainDispatcherApplication = _serving_denials()  # type: ignore[attr-defined]
