"""TradingSystemFunction's work: one command in, one small JSON result out.

Commands only. A domain event, an unknown mode or a bad field is rejected with a
structured error (logged at error level, counted, returned as ``status: "rejected"``,
never retried). Failures a retry can fix raise, so Lambda retries and the failure
destination keeps what still fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.commands import LambdaEvent, parse_command
from alchemiser.config import TradingFunctionSettings
from alchemiser.errors import (
    EnvironmentNotAllowedError,
    InputRejectedError,
    LiveTradingRefusedError,
)
from alchemiser.health import HealthProbe
from alchemiser.runtime import lambda_invocation, record_rejection

if TYPE_CHECKING:
    from pathlib import Path

    from alchemiser.runtime import LambdaContext

__all__ = ["handle_command", "health"]

#: What a trade or PnL run imports on first use; the probe imports them to prove the layer.
health = HealthProbe(
    TradingFunctionSettings,
    (
        "alchemiser.workflow_start",
        "alchemiser.bus",
        "alchemiser.idempotency",
        "alchemiser.actors",
        "alchemiser.broker",
        "alchemiser.reports",
        "aws_lambda_powertools.utilities.idempotency",
        "boto3",
    ),
)


def handle_command(event: object, context: LambdaContext, *, function_dir: Path) -> dict[str, Any]:
    """Parse and run one command inside the invocation's settings and log context."""
    with lambda_invocation(context, TradingFunctionSettings) as settings:
        result: dict[str, Any] = {"mode": None, "request_id": context.aws_request_id}
        try:
            command = parse_command(event)
            result["mode"] = command.mode
            if command.mode == "health":
                return {**result, **health(function_dir, context)}
            environment = _target_environment(command, settings)
            result.update(_run(command, environment, settings, context))
        except InputRejectedError as exc:
            result.update(status="rejected", error=record_rejection(exc, mode=result["mode"]))
        return result


def _run(
    command: LambdaEvent,
    environment: str,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> dict[str, Any]:
    from alchemiser.workflow_start import (  # noqa: PLC0415 - bus, idempotency on first use
        notify_failed_command,
        run_pnl_analysis,
        start_workflow,
    )

    run = start_workflow if command.mode == "trade" else run_pnl_analysis
    try:
        return run(command, environment=environment, settings=settings, context=context)
    except InputRejectedError:
        raise
    except Exception as exc:
        notify_failed_command(command, exc, settings=settings, context=context)
        raise


def _target_environment(command: LambdaEvent, settings: TradingFunctionSettings) -> str:
    """The environment whose queues this run may use, and the live-trading gate."""
    if command.trading_mode == "live" and not (
        settings.stage == "prod" and settings.live_trading_enabled
    ):
        raise LiveTradingRefusedError(
            "live trading needs Stage prod with LIVE_TRADING_ENABLED=true",
            field="trading_mode",
            kind="live_trading_refused",
        )
    environment = command.environment or settings.stage
    if environment not in settings.allowed_target_environments:
        raise EnvironmentNotAllowedError(
            f"{environment!r} is not one of {list(settings.allowed_target_environments)}",
            field="environment",
            kind="environment_not_allowed",
        )
    return environment
