"""Commands for TradingSystemFunction: the model, and what running each one does.

``model`` is what a command is (imported with this package, cheaply); ``trade``,
``pnl`` and ``refresh`` run one, once per scheduled run (``runs``); they load the bus,
the idempotency store, the task queues and the bar store on first use.
"""

from alchemiser.commands.model import SCHEDULED_EVENT_DETAIL_TYPE, LambdaEvent, Mode, parse_command

__all__ = ["SCHEDULED_EVENT_DETAIL_TYPE", "LambdaEvent", "Mode", "parse_command"]
