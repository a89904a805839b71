"""Entry point of the Dramatiq worker: ``dramatiq alchemiser.worker``.

The ``dramatiq`` CLI imports the module it is given and then runs whatever
``dramatiq.get_broker()`` returns, so this module, unlike every other one of the
package, does its work at import: it reads ``WorkerSettings`` and binds the actors to
``TARGET_ENVIRONMENT``'s queues (default: ``STAGE``). Nothing else imports it; Lambda
code sends through ``alchemiser.actors`` and never loads this module.

Locally ``AWS_ENDPOINT_URL`` points boto3 at the moto server; anywhere else the same
command consumes the real SQS queues with the ``TaskWorkerPolicy`` permissions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import alchemiser.actors  # noqa: F401 - declares the actors this worker runs
from alchemiser.config import WorkerSettings, get_settings
from alchemiser.logging import configure_logging, get_logger
from alchemiser.taskqueue import ensure_broker

if TYPE_CHECKING:
    import dramatiq

__all__ = ["setup"]


def setup() -> dramatiq.Broker:
    """Bind the actors to the configured environment and make that broker global.

    Raises:
        ConfigError: a worker setting is missing or invalid.
        EnvironmentNotAllowedError: TARGET_ENVIRONMENT is not in ALLOWED_TARGET_ENVIRONMENTS.
    """
    settings = get_settings(WorkerSettings)
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    broker = ensure_broker(
        settings.target_environment, allowed=settings.allowed_target_environments
    )
    get_logger(__name__).info(
        "worker_ready",
        target_env=settings.target_environment,
        queues=sorted(broker.get_declared_queues()),
        actors=sorted(broker.actors),
    )
    return broker


setup()
