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

- what each request needs (``emulator_iam_checks``): the IAM action AWS checks for it and
  the resource it acts on: DynamoDB tables (and indexes; a transaction item by item),
  EventBridge buses (each ``PutEvents`` entry's), archives and replays, Secrets Manager
  secrets, CloudWatch Logs groups and streams, Lambda functions with their qualifier,
  Scheduler schedules, CloudFormation stacks and SQS's ``GetQueueUrl``;
- S3's answer for a missing object: ``403 AccessDenied`` unless the caller may
  ``s3:ListBucket`` the bucket (``404 NoSuchKey`` then), as S3 answers;
- policy evaluation with IAM's semantics (``emulator_iam_policy``); a ``Service``
  principal is played by an IAM user of the service's name (``lambda.amazonaws.com``),
  whose requests carry ``aws:SourceAccount`` as a service's do;
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
import threading
from typing import TYPE_CHECKING, Any

from alchemiser_local.emulator_iam_policy import Ask, account_of, evaluate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

__all__ = [
    "AUTHORIZE_ONLY_HEADER",
    "DENIALS_PATH",
    "GRANTS_PATH",
    "Decisions",
    "enforce",
]

#: The header that makes a Lambda ``Invoke`` an authorization check only.
AUTHORIZE_ONLY_HEADER = "X-Alchemiser-Authorize-Only"
#: Where the refusals recorded so far are served (GET, JSON list; DELETE forgets them).
DENIALS_PATH = "/_alchemiser/iam/denials"
#: Where the distinct grants used so far are served (GET; DELETE forgets them).
GRANTS_PATH = "/_alchemiser/iam/grants"
#: How the IAM users playing AWS service principals end (they are named for the service).
_SERVICE_SUFFIX = ".amazonaws.com"
#: Services whose errors are JSON (``__type``): AccessDeniedException; the rest are XML.
_JSON_SERVICES = frozenset(
    {"dynamodb", "events", "logs", "secretsmanager", "sqs", "lambda", "scheduler"}
)
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


# --- moto, patched --------------------------------------------------------------------


def _caller(request: Any) -> str:  # noqa: ANN401 - moto's IAMRequestBase
    return str(request._access_key.arn)


def _context(caller: str) -> dict[str, str]:
    """The condition keys a request carries (a service principal's: its source account)."""
    context = {"aws:SecureTransport": "false"}  # the emulator is plain HTTP
    if caller.rsplit("/", 1)[-1].endswith(_SERVICE_SUFFIX) and ":user/" in caller:
        context["aws:SourceAccount"] = account_of(caller)
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
        evaluate(document, Ask(action, resource, context=context))
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
        return evaluate(trust, Ask(action, resource, caller, context)) == "allow"
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


def _unchecked(response: Any) -> bool:  # noqa: ANN401 - moto's BaseResponse
    """Moto's own passes: its first unchecked requests (counted), and public operations."""
    from moto import settings  # noqa: PLC0415
    from moto.core.authorization import ActionAuthenticatorMixin  # noqa: PLC0415

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        ActionAuthenticatorMixin.request_count += 1
        return True
    return response.headers.get("X-Amz-Target") in ActionAuthenticatorMixin.PUBLIC_OPERATIONS


def _service_of(headers: Any) -> str:  # noqa: ANN401 - moto's headers
    """The service of a SigV4 request's credential scope (key/date/region/service/...)."""
    scope = str(headers.get("Authorization", "")).partition("Credential=")[2].split(",")[0]
    parts = scope.split("/")
    return parts[3] if len(parts) > 3 else ""


def _authenticated(response: Any, iam_request_cls: type, api_action: str) -> Any:  # noqa: ANN401
    """Moto's request for the caller, its signature checked.

    An unknown key or a bad signature is answered in the service's own protocol: moto
    answers XML, which a JSON service's client cannot read (it sees a bare 403).
    """
    from urllib.parse import urlparse  # noqa: PLC0415

    from moto.core.exceptions import JsonRESTError  # noqa: PLC0415
    from werkzeug.exceptions import HTTPException  # noqa: PLC0415

    query = urlparse(response.uri).query
    try:
        request = iam_request_cls(
            account_id=response.current_account,
            method=response.method,
            path=response.raw_path + (f"?{query}" if query else ""),
            data=_signed_data(response, iam_request_cls),
            body=response.raw_body,
            headers=response.headers,
            action=api_action,
        )
        request.check_signature()
    except HTTPException as exc:
        if _service_of(response.headers) in _JSON_SERVICES and not isinstance(exc, JsonRESTError):
            raise exc.to_json() from exc  # type: ignore[attr-defined]
        raise
    return request


def _checks(response: Any, service: str, api_action: str, resource: str) -> list[tuple[str, str]]:  # noqa: ANN401
    from alchemiser_local.emulator_iam_checks import required_checks  # noqa: PLC0415

    checks = required_checks(response, service, api_action, resource)
    if service == "s3" and api_action == "GetObject":
        bucket = _missing_object_without_list(response, resource)
        if bucket is not None:  # S3 tells a missing key only to who may list the bucket
            checks.append(("ListBucket", bucket))
    return checks


def authorize(self: Any, iam_request_cls: type, resource: str = "*") -> None:  # noqa: ANN401
    """Moto's ``_authenticate_and_authorize_action``, with AWS's checks (module docstring)."""
    if _unchecked(self):
        return
    api_action = self._get_action()
    request = _authenticated(self, iam_request_cls, api_action)
    service = request._service
    if f"{service}:{api_action}" == "sts:GetCallerIdentity":
        return
    for action, arn in _checks(self, service, api_action, resource):
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
