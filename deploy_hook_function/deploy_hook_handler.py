"""CodeDeployHook: the pre-traffic hook of both functions' deployments (CodeDeploy invokes it).

The new versions must answer the health probe at this build's commit before the ``live``
aliases move to them. The work lives in ``alchemiser.functions.deploy_hook``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser.functions.deploy_hook import handle_lifecycle_event

if TYPE_CHECKING:
    from alchemiser.runtime import LambdaContext

#: Where sam build wrote build_info.json (/var/task in Lambda): the commit to expect.
FUNCTION_DIR = Path(__file__).resolve().parent


def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:  # noqa: ANN401
    """Judge the new versions and report Succeeded or Failed to CodeDeploy."""
    return handle_lifecycle_event(event, context, function_dir=FUNCTION_DIR)
