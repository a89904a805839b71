"""TradingSystemFunction's work: one command in, one small JSON result out.

Commands only. A domain event, an unknown mode or a bad field is rejected with a
structured error (logged at error level, counted, returned as ``status: "rejected"``,
never retried). Failures a retry can fix raise, so Lambda retries and the failure
destination keeps what still fails.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.commands import LambdaEvent, parse_command
from alchemiser.config import TradingFunctionSettings, check_target_environment
from alchemiser.errors import InputRejectedError
from alchemiser.health import HealthProbe, is_health_probe
from alchemiser.runtime import lambda_invocation, record_rejection

if TYPE_CHECKING:
    from pathlib import Path

    from alchemiser.commands.runs import CommandRun
    from alchemiser.runtime import LambdaContext

__all__ = ["handle_command", "health"]

#: What a trade, PnL or refresh run imports on first use; the probe imports them to prove
#: the layer.
health = HealthProbe(
    TradingFunctionSettings,
    (
        "alchemiser.commands.trade",
        "alchemiser.commands.pnl",
        "alchemiser.commands.refresh",
        "alchemiser.trading.bar_refresh",
        "alchemiser.trading.alpaca_market_data",
        "alchemiser.bus",
        "alchemiser.idempotency",
        "alchemiser.actors",
        "alchemiser.taskqueue",
        "alchemiser.reports",
        "aws_lambda_powertools.utilities.idempotency",
        "boto3",
    ),
)


def handle_command(
    event: object, context: LambdaContext, *, function_dir: Path | None = None
) -> dict[str, Any]:
    """Parse and run one command inside the invocation's settings and log context.

    The exact health probe is answered before settings are read, so a broken
    configuration is reported by the probe instead of failing it.
    """
    if is_health_probe(event):
        return health(function_dir, context)
    with lambda_invocation(context, TradingFunctionSettings) as settings:
        result: dict[str, Any] = {"mode": None, "request_id": context.aws_request_id}
        try:
            command = parse_command(event)
            result["mode"] = command.mode
            if command.mode == "health":
                return {**result, **health(function_dir, context)}
            settings.check_trading_mode(command.trading_mode, field="trading_mode")
            environment = check_target_environment(
                command.environment or settings.stage, settings.allowed_target_environments
            )
            result.update(_run(command, environment, settings, context))
        except InputRejectedError as exc:
            result.update(
                status="rejected", error=record_rejection(exc, event, mode=result["mode"])
            )
        return result


def _run(
    command: LambdaEvent,
    environment: str,
    settings: TradingFunctionSettings,
    context: LambdaContext,
) -> dict[str, Any]:
    from alchemiser.commands.runs import (  # noqa: PLC0415 - bus, idempotency on first use
        notify_failed_command,
        run_command,
    )

    try:
        return run_command(
            _mode_run(command.mode),
            command,
            environment=environment,
            settings=settings,
            context=context,
        )
    except InputRejectedError:
        raise
    except Exception as exc:
        notify_failed_command(command, exc, settings=settings, context=context)
        raise


def _mode_run(mode: str) -> CommandRun:
    """What ``mode`` does; only its own module is loaded (dramatiq only for PnL)."""
    if mode == "trade":
        from alchemiser.commands.trade import START_WORKFLOW  # noqa: PLC0415

        return START_WORKFLOW
    if mode == "refresh_market_data":
        from alchemiser.commands.refresh import REFRESH_MARKET_DATA  # noqa: PLC0415

        return REFRESH_MARKET_DATA
    from alchemiser.commands.pnl import PNL_ANALYSIS  # noqa: PLC0415

    return PNL_ANALYSIS
