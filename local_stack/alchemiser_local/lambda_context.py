"""The context object Lambda passes to a handler, for in-process invocations."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

__all__ = ["LocalLambdaContext"]


@dataclass
class LocalLambdaContext:
    """Lambda's context attributes with a real deadline (``timeout_seconds`` from now)."""

    function_name: str
    timeout_seconds: float = 60.0
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    region: str = "us-east-1"
    account_id: str = "123456789012"
    _deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds

    @property
    def invoked_function_arn(self) -> str:
        """The ARN Lambda reports for the invoked function."""
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        """The function's log group, as Lambda names it."""
        return f"/aws/lambda/{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds until the deadline (never negative)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))
