"""Commands for TradingSystemFunction: the model, and what running each one does.

``model`` is what a command is (imported with this package, cheaply); ``trade`` and
``pnl`` run one, once per scheduled run (``runs``); they load the bus, the idempotency
store and the task queues on first use.
"""

from alchemiser.commands.model import SCHEDULED_EVENT_DETAIL_TYPE, LambdaEvent, Mode, parse_command

__all__ = ["SCHEDULED_EVENT_DETAIL_TYPE", "LambdaEvent", "Mode", "parse_command"]
