"""EventRoutingFunction's answer to the health probe (``{"mode": "health"}``)."""

from __future__ import annotations

from alchemiser.config import RouterSettings
from alchemiser.health import HealthProbe

__all__ = ["health"]

#: What routing an event imports on first use; the probe imports them to prove the layer.
health = HealthProbe(
    RouterSettings,
    (
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
    ),
)
