"""``alchemiser risk resume``: turn the drawdown kill switch off after a review.

While the switch is on, the workflow places no new buys. Resuming forgets the peak, so
the next run's equity is the new peak (the old one would trip the switch again at once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import add_target_arguments, operator, print_json, target_of

if TYPE_CHECKING:
    import argparse

    from alchemiser_local.target import Target

__all__ = ["ACCOUNTS", "register", "resume"]

#: The accounts risk state is kept for (``trading_state.account_key``).
ACCOUNTS = ("paper", "alpaca-paper", "alpaca-live")


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``risk resume``."""
    risk = commands.add_parser("risk", help="the risk limits' state")
    actions = risk.add_subparsers(dest="action", required=True)
    resume_parser = actions.add_parser("resume", help="turn the drawdown kill switch off")
    resume_parser.add_argument("--reason", required=True, help="why trading may go on")
    resume_parser.add_argument(
        "--account", choices=ACCOUNTS, default="paper", help="whose switch (default: paper)"
    )
    add_target_arguments(resume_parser)
    resume_parser.set_defaults(handler=_resume)


def resume(target: Target, account: str, reason: str) -> dict[str, Any]:
    """Turn ``account``'s kill switch off (nothing happens when it is off)."""
    from alchemiser.trading.trading_state import resume_trading  # noqa: PLC0415

    resumed = resume_trading(
        target.output("TradingStateTableName"),
        account,
        by=operator(),
        reason=reason,
        client=target.client("dynamodb"),
    )
    return {"account": account, "resumed": resumed}


def _resume(args: argparse.Namespace) -> int:
    print_json(resume(target_of(args), args.account, args.reason))
    return 0
