"""EventRoutingFunction: domain events delivered by EventBridge rules, and nothing else.

Commands belong to TradingSystemFunction and are rejected here. The work lives in
``alchemiser.functions.routing``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser.functions.routing import route_event

if TYPE_CHECKING:
    from alchemiser.runtime import LambdaContext

#: Where sam build wrote build_info.json (/var/task in Lambda).
FUNCTION_DIR = Path(__file__).resolve().parent


def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:  # noqa: ANN401
    """Route one domain event to its step, exactly once per event id."""
    return route_event(event, context, function_dir=FUNCTION_DIR)
