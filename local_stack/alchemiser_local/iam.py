"""The local stack with IAM enforced: who each part of it is, and what the emulator refused.

With ``--enforce-iam`` the emulator checks every request against IAM as AWS does
(``emulator_iam``). Nothing then works with the emulator's dummy keys: the local stack
creates its own principals first, through the requests moto lets through unchecked
(``UNCHECKED_REQUESTS``):

- an administrator, the local stack's own identity: it creates the stack, seeds the
  Alpaca secret, and plays "you", the operator who assumes ``OperatorRole`` and runs the
  task worker under ``TaskWorkerRole`` (a principal of the account, as the roles' trust
  policies ask);
- AWS's service principals, which the local stack plays: an IAM user named for the
  service (``lambda.amazonaws.com``, ``scheduler.amazonaws.com``) assumes the roles whose
  trust policies name that service, as Lambda assumes a function's role.

Each function then runs with the credentials of its own role (the role the created
stack gave it, its physical id) from ``sts:AssumeRole``, the worker with its role's, and
operator commands with ``OperatorRole``'s. ``denials`` reads the emulator's record of
every refusal, so a run can say how many there were even when the refused code
swallowed the error.
"""

from __future__ import annotations

import functools
import json
import os
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from alchemiser_local.emulator_iam import AUTHORIZE_ONLY_HEADER, DENIALS_PATH, GRANTS_PATH

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import boto3

    from alchemiser_local.stack import LocalStack

__all__ = [
    "ADMIN_USER",
    "SERVICE_PRINCIPALS",
    "UNCHECKED_REQUESTS",
    "Credentials",
    "FunctionCredentials",
    "Principals",
    "bootstrap_admin",
    "denials",
    "forget_decisions",
    "grants",
    "principals_of",
    "service_principal",
]

#: The local stack's own IAM user (its every permission is local: never in the template).
ADMIN_USER = "alchemiser-local-admin"
#: CreateUser, PutUserPolicy and CreateAccessKey of the admin: moto checks every later one.
UNCHECKED_REQUESTS = 3
#: The services whose principals the local stack plays (trust policies name them).
SERVICE_PRINCIPALS = ("lambda.amazonaws.com", "scheduler.amazonaws.com")
_SERVICE_PATH = "/aws-service-principal/"
_REGION = "us-east-1"


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@dataclass(frozen=True)
class Credentials:
    """An access key (and a session token, for an assumed role)."""

    access_key_id: str
    secret_access_key: str
    session_token: str | None = None

    def environ(self) -> dict[str, str]:
        """As Lambda gives a function its role's credentials: environment variables.

        ``AWS_SESSION_TOKEN`` is empty for an access key (botocore ignores it then).
        """
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token or "",
        }

    def session(self) -> boto3.Session:
        """A boto3 session signing with these credentials."""
        import boto3  # noqa: PLC0415

        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=_REGION,
        )

    def client(self, service: str, endpoint: str) -> Any:  # noqa: ANN401 - any boto3 client
        """A client of ``service`` at ``endpoint`` with these credentials.

        Made from one shared session: a session of its own would load the service's
        model again (tens of milliseconds per client, and the local stack makes dozens).
        """
        make: Any = _shared_session().client
        return make(
            service,
            endpoint_url=endpoint,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
        )

    def assume(self, role_arn: str, session_name: str, endpoint: str) -> Credentials:
        """``sts:AssumeRole`` as this principal (its policies and the role's trust decide)."""
        sts = self.client("sts", endpoint)
        found = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name[:64])
        credentials = found["Credentials"]
        return Credentials(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )


@functools.cache
def _shared_session() -> boto3.Session:
    import boto3  # noqa: PLC0415

    return boto3.Session(region_name=_REGION)


def _access_key(iam: Any, user: str) -> Credentials:  # noqa: ANN401 - a boto3 IAM client
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def bootstrap_admin(endpoint: str) -> Credentials:
    """Create the local stack's admin in a fresh emulator; its access key.

    These are the emulator's first ``UNCHECKED_REQUESTS`` requests, the only ones it lets
    through unchecked: made with any key, they create the key that signs the rest.
    """
    unchecked = Credentials("bootstrap", "bootstrap")
    iam = unchecked.client("iam", endpoint)
    iam.create_user(UserName=ADMIN_USER)
    iam.put_user_policy(
        UserName=ADMIN_USER,
        PolicyName="local-stack-admin",
        PolicyDocument=_document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    return _access_key(iam, ADMIN_USER)


def service_principal(admin: Credentials, service: str, endpoint: str) -> Credentials:
    """The IAM user that plays AWS service ``service`` (it may only assume roles)."""
    iam = admin.client("iam", endpoint)
    iam.create_user(UserName=service, Path=_SERVICE_PATH)
    iam.put_user_policy(
        UserName=service,
        PolicyName="assume-roles-that-trust-the-service",
        # Which roles it may assume is the roles' trust policies' to say, as on AWS.
        PolicyDocument=_document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
    )
    return _access_key(iam, service)


def _decisions(endpoint: str, path: str, method: str = "GET") -> list[dict[str, str]]:
    request = urllib.request.Request(endpoint + path, method=method)  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        found: list[dict[str, str]] = json.loads(response.read())
    return found


def denials(endpoint: str) -> list[dict[str, str]]:
    """Every refusal the emulator at ``endpoint`` answered so far (principal, action, ...)."""
    return _decisions(endpoint, DENIALS_PATH)


def grants(endpoint: str) -> list[dict[str, str]]:
    """Every distinct (principal, action, resource) the emulator allowed so far."""
    return _decisions(endpoint, GRANTS_PATH)


def forget_decisions(endpoint: str) -> None:
    """Clear the emulator's refusals and grants (a fresh stack in the same emulator)."""
    _decisions(endpoint, DENIALS_PATH, method="DELETE")


@dataclass(frozen=True)
class Principals:
    """Whose credentials each part of an enforced local stack uses."""

    endpoint: str
    #: The local stack itself (and "you": who assumes the worker's and operators' roles).
    admin: Credentials
    #: Function logical id -> a session of its execution role (assumed as Lambda).
    functions: dict[str, Credentials]
    #: A session of ``TaskWorkerRole``.
    worker: Credentials
    #: A session of ``OperatorRole``.
    operator: Credentials
    #: A session of the role the schedules invoke with (assumed as Scheduler).
    scheduler: Credentials

    def function_client(self, function: str, service: str) -> Any:  # noqa: ANN401
        """A client of ``service`` with ``function``'s role (what Lambda itself uses it for)."""
        return self.functions[function].client(service, self.endpoint)

    def log_group_clients(self, stack: LocalStack) -> dict[str, Any]:
        """Each function's log group -> a Logs client with that function's role."""
        return {
            spec.log_group: self.function_client(logical_id, "logs")
            for logical_id, spec in stack.functions.items()
        }

    def authorizing_lambda(self, credentials: Credentials) -> Any:  # noqa: ANN401
        """A Lambda client whose ``invoke`` only asks the emulator whether it may.

        The emulator authorizes it as any ``Invoke`` and answers 204 without running
        anything (``emulator_iam``); a refusal raises as a refused invoke would.
        """

        def authorize_only(request: Any, **_: Any) -> None:  # noqa: ANN401 - botocore's
            request.headers[AUTHORIZE_ONLY_HEADER] = "1"  # unsigned: the signature holds

        client = credentials.client("lambda", self.endpoint)
        client.meta.events.register("before-send.lambda.Invoke", authorize_only)
        return client


def principals_of(stack: LocalStack, admin: Credentials, endpoint: str) -> Principals:
    """Assume every role of the created ``stack`` as the principal its trust policy names.

    Raises:
        botocore.exceptions.ClientError: a role's trust policy refused its principal.
    """
    lambda_service, scheduler_service = (
        service_principal(admin, service, endpoint) for service in SERVICE_PRINCIPALS
    )
    functions = {
        logical_id: lambda_service.assume(spec.role_arn, spec.name, endpoint)
        for logical_id, spec in stack.functions.items()
    }
    scheduler_role = admin.client("iam", endpoint).get_role(
        RoleName=stack.physical_ids["SchedulerRole"]
    )["Role"]["Arn"]
    return Principals(
        endpoint=endpoint,
        admin=admin,
        functions=functions,
        worker=admin.assume(stack.outputs["TaskWorkerRoleArn"], "task-worker", endpoint),
        operator=admin.assume(stack.outputs["OperatorRoleArn"], "operator", endpoint),
        scheduler=scheduler_service.assume(scheduler_role, "scheduler", endpoint),
    )


@dataclass
class FunctionCredentials:
    """Which function's role this process's AWS clients sign with: one at a time.

    In Lambda each function's containers have their own role's credentials (in their
    environment) and their own clients. Here both functions share one process, and the
    layer keeps its clients per container (``alchemiser.container``): running a function
    other than the last one is entering another container, so the environment gets that
    function's credentials, boto3 a default session that reads them, and every container
    cache is forgotten (``new_container``). That container starts cold: its clients,
    settings and idempotency layer are built again.
    """

    by_function: Mapping[str, Credentials]
    current: str | None = field(default=None, init=False)
    #: The invocations under way, outermost first (a function may invoke another one).
    _running: list[str] = field(default_factory=list, init=False)

    def enter(self, function: str) -> bool:
        """Run as ``function`` (a logical id) from now on; True if that is a new container."""
        if function == self.current:
            return False
        import boto3  # noqa: PLC0415

        from alchemiser.container import new_container  # noqa: PLC0415

        os.environ.update(self.by_function[function].environ())
        boto3.setup_default_session()  # a new container's boto3 reads the environment
        new_container()
        self.current = function
        return True

    @contextmanager
    def running(self, function: str) -> Iterator[None]:
        """One invocation of ``function``, as that function.

        A synchronous invocation made from inside another one (the deploy hook probing
        the functions through the local endpoint) gives the process back to the caller
        when it returns: the caller's container goes on with its own role (a cold one:
        its caches went with the switch).
        """
        self.enter(function)
        self._running.append(function)
        try:
            yield
        finally:
            self._running.pop()
            if self._running:
                self.enter(self._running[-1])
