"""EventRoutingFunction's answer to the health probe (``{"mode": "health"}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser.config import RouterSettings
from alchemiser.health import answer_probe

if TYPE_CHECKING:
    from pathlib import Path

    from alchemiser.runtime import LambdaContext

__all__ = ["HEALTH_MODULES", "health"]

#: What routing an event imports on first use; health imports them to prove the layer.
HEALTH_MODULES = (
    "alchemiser.routing.routes",
    "alchemiser.routing.services",
    "alchemiser.bus",
    "alchemiser.idempotency",
    "alchemiser.notifications",
    "alchemiser.actors",
    "alchemiser.broker",
    "alchemiser.trading.signals",
    "alchemiser.trading.planner",
    "alchemiser.trading.execution",
    "alchemiser.trading.factory",
    "alchemiser.trading.paper_broker",
    "aws_lambda_powertools.utilities.idempotency",
    "boto3",
)


def health(function_dir: Path, context: LambdaContext | None) -> dict[str, Any]:
    """The side-effect-free probe: build commits, imports, configuration."""
    return answer_probe(
        settings_class=RouterSettings,
        modules=HEALTH_MODULES,
        function_dir=function_dir,
        context=context,
    )
