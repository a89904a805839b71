"""TradingSystemFunction: EventBridge Scheduler commands (``LambdaEvent``) only.

Domain events belong to EventRoutingFunction and are rejected here, never guessed into
a trade. The work lives in ``alchemiser.functions.trading``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser.functions.trading import handle_command

if TYPE_CHECKING:
    from alchemiser.runtime import LambdaContext

#: Where sam build wrote build_info.json (/var/task in Lambda).
FUNCTION_DIR = Path(__file__).resolve().parent


def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:  # noqa: ANN401
    """Run one scheduled or operator command and return a small JSON result."""
    return handle_command(event, context, function_dir=FUNCTION_DIR)
