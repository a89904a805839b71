"""Operator commands: one CLI for a deployed stage (``--stage S``) and ``--local``.

Each module registers its commands on the ``alchemiser`` parser; every command resolves
its target (``alchemiser_local.target``) and then runs the same code either way.
"""

from alchemiser_local.ops import bars, deploy, dlq, logs, paper, replay, risk, schedule

#: Each module's ``register(commands)``, in the order ``alchemiser --help`` lists them.
MODULES = (schedule, bars, paper, risk, logs, dlq, replay, deploy)

__all__ = ["MODULES"]
