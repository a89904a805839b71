"""Which stack an operator command acts on: a deployed stage, or the running local stack.

``--stage S`` is the stack ``sam deploy --config-env S`` creates (samconfig.toml names
it and its region), reached with the caller's own AWS credentials. ``--local`` is the
stack a running ``alchemiser up`` serves: it leaves a state file (endpoint, region,
stack name) that this module reads. Either way a command gets the same thing, a
``Target``: a boto3 session, the endpoint to send requests to (None on AWS) and the
stack's outputs, so the command's code is the same against AWS and the local stack.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

if TYPE_CHECKING:
    import boto3

    from alchemiser_local.iam import Credentials

__all__ = [
    "LOCAL_KEY",
    "LocalCredentials",
    "LocalStackState",
    "Target",
    "TargetError",
    "deploy_target",
    "local_state_path",
    "resolve_target",
]

ROOT = Path(__file__).resolve().parents[2]
SAMCONFIG = ROOT / "samconfig.toml"
#: Where ``alchemiser up`` leaves its state (override: ALCHEMISER_LOCAL_STATE_DIR).
DEFAULT_STATE_DIR = ROOT / "out" / "local-stack"
#: The emulator's credentials: never real ones.
LOCAL_KEY = "local"


class TargetError(Exception):
    """Raised when the stack a command names cannot be found; the message says what to do."""


class LocalCredentials(BaseModel):
    """The emulator's credentials of ``OperatorRole`` (never real ones: the emulator's STS)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    access_key_id: str = Field(min_length=16, max_length=128)
    secret_access_key: str = Field(min_length=1, max_length=128)
    session_token: str = Field(min_length=1, max_length=4096)

    @classmethod
    def of(cls, credentials: Credentials) -> LocalCredentials:
        """An assumed role's session, as the state file keeps it."""
        return cls(
            access_key_id=credentials.access_key_id,
            secret_access_key=credentials.secret_access_key,
            session_token=credentials.session_token or "",
        )


class LocalStackState(BaseModel):
    """What a running ``alchemiser up`` tells operator commands about itself."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    endpoint: str = Field(pattern=r"^http://127\.0\.0\.1:\d{1,5}$")
    region: str = Field(min_length=1, max_length=32)
    stage: str = Field(pattern=r"^[a-z][a-z0-9-]{0,31}$")
    stack_name: str = Field(min_length=1, max_length=128)
    pid: int = Field(ge=1)
    #: IAM enforced (``up --enforce-iam``): operator commands sign with these.
    credentials: LocalCredentials | None = None


def local_state_path(stage: str) -> Path:
    """The state file of ``alchemiser up --stage <stage>``."""
    directory = Path(os.environ.get("ALCHEMISER_LOCAL_STATE_DIR") or DEFAULT_STATE_DIR)
    return directory / f"{stage}.json"


@dataclass(frozen=True)
class Target:
    """A stack to act on: how to reach it, and what it is called."""

    stage: str
    stack_name: str
    session: boto3.Session
    endpoint_url: str | None
    outputs: dict[str, str]

    @property
    def is_local(self) -> bool:
        """True for the running local stack."""
        return self.endpoint_url is not None

    def client(self, service: str, **config: Any) -> Any:  # noqa: ANN401 - any boto3 client
        """A client of ``service`` for this target (the local endpoint when local).

        ``config``: botocore ``Config`` settings (``read_timeout=...``, ``retries=...``).
        """
        from botocore.config import Config  # noqa: PLC0415 - CLI only

        settings = {"retries": {"mode": "standard", "max_attempts": 3}, **config}
        return self.session.client(
            service,  # type: ignore[call-overload]
            endpoint_url=self.endpoint_url,
            config=Config(**settings),
        )

    def output(self, key: str) -> str:
        """One stack output, or a clear error naming it."""
        try:
            return self.outputs[key]
        except KeyError:
            raise TargetError(f"stack {self.stack_name} has no output {key!r}") from None


def deploy_target(stage: str, samconfig: Path = SAMCONFIG) -> tuple[str, str]:
    """The stack name and region ``sam deploy --config-env <stage>`` uses.

    ``[<stage>.global.parameters]`` apply too, under ``deploy``'s, as SAM CLI merges them.

    Raises:
        TargetError: the environment, or its stack_name or region, is missing.
    """
    config = tomllib.loads(samconfig.read_text())
    environment = config.get(stage)
    if not isinstance(environment, dict):
        raise TargetError(f"{samconfig.name} has no environment {stage!r}")
    parameters = {
        **environment.get("global", {}).get("parameters", {}),
        **environment.get("deploy", {}).get("parameters", {}),
    }
    missing = [key for key in ("stack_name", "region") if not parameters.get(key)]
    if missing:
        raise TargetError(f"{samconfig.name} [{stage}] lacks {', '.join(missing)}")
    return str(parameters["stack_name"]), str(parameters["region"])


def _read_state(stage: str) -> LocalStackState:
    path = local_state_path(stage)
    try:
        state = LocalStackState.model_validate(json.loads(path.read_text()))
    except FileNotFoundError:
        raise TargetError(
            f"no local stack is running for stage {stage} (no {path}); "
            f"start one with `alchemiser up` (or `alchemiser up --bare`)"
        ) from None
    except (ValueError, ValidationError) as exc:
        raise TargetError(f"{path} is not a local stack state file: {exc}") from None
    if not _alive(state.pid):
        raise TargetError(
            f"the local stack of {path} (pid {state.pid}) is not running any more; "
            "start one with `alchemiser up`"
        )
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def _outputs(session: boto3.Session, endpoint_url: str | None, stack_name: str) -> dict[str, str]:
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415

    cloudformation = session.client("cloudformation", endpoint_url=endpoint_url)
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as exc:
        raise TargetError(f"stack {stack_name}: {exc}") from exc
    except BotoCoreError as exc:
        raise TargetError(f"cannot reach the stack {stack_name}: {exc}") from exc
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def _local_session(state: LocalStackState) -> boto3.Session:
    """The emulator's dummy keys; with IAM enforced, the state's OperatorRole session."""
    import boto3  # noqa: PLC0415 - CLI only

    keys = state.credentials
    if keys is None:
        return boto3.Session(
            region_name=state.region, aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY
        )
    return boto3.Session(
        region_name=state.region,
        aws_access_key_id=keys.access_key_id,
        aws_secret_access_key=keys.secret_access_key,
        aws_session_token=keys.session_token,
    )


def resolve_target(
    *, stage: str | None, local: bool, local_stage: str = "dev", samconfig: Path = SAMCONFIG
) -> Target:
    """The stack ``--stage S`` or ``--local`` names (exactly one of them).

    Raises:
        TargetError: neither or both were given, or the stack cannot be found.
    """
    import boto3  # noqa: PLC0415 - CLI only

    if (stage is None) == (not local):
        raise TargetError("give exactly one of --stage S (a deployed stack) or --local")
    if local:
        state = _read_state(local_stage)
        session = _local_session(state)
        endpoint: str | None = state.endpoint
        stage_name, stack_name = state.stage, state.stack_name
    else:
        assert stage is not None  # narrowed by the check above
        stack_name, region = deploy_target(stage, samconfig)
        session = boto3.Session(region_name=region)
        endpoint, stage_name = None, stage
    return Target(
        stage=stage_name,
        stack_name=stack_name,
        session=session,
        endpoint_url=endpoint,
        outputs=_outputs(session, endpoint, stack_name),
    )
