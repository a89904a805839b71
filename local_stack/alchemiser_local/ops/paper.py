"""``alchemiser paper reset --cash N --yes``: start the paper account over.

The account holds ``N`` in cash and no position afterwards (orders stay: they are the
history, and what keeps an old event from ever filling again); its drawdown peak is
forgotten too, so a reset to less cash than the old peak does not trip the kill switch.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import (
    OpsError,
    add_target_arguments,
    operator,
    print_json,
    target_of,
)

if TYPE_CHECKING:
    import argparse

    from alchemiser_local.target import Target

__all__ = ["register", "reset"]


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``paper reset``."""
    paper = commands.add_parser("paper", help="the paper broker's account")
    actions = paper.add_subparsers(dest="action", required=True)
    reset_parser = actions.add_parser(
        "reset", help="set the paper account to CASH in cash and no positions"
    )
    reset_parser.add_argument("--cash", required=True, help="the new cash, e.g. 100000")
    reset_parser.add_argument(
        "--yes", action="store_true", help="yes, close every position (required)"
    )
    add_target_arguments(reset_parser)
    reset_parser.set_defaults(handler=_reset)


def reset(target: Target, cash: Decimal) -> dict[str, Any]:
    """Reset the paper account to ``cash`` and forget its drawdown peak."""
    from alchemiser.trading.paper_broker import reset_account  # noqa: PLC0415
    from alchemiser.trading.trading_state import account_key, reset_peak  # noqa: PLC0415

    by = operator()
    done = reset_account(
        target.output("PaperBrokerTableName"), cash, by=by, client=target.client("dynamodb")
    )
    reset_peak(
        target.output("TradingStateTableName"),
        account_key("paper", "paper"),
        by=by,
        reason=f"paper reset to {done.cash}",
        client=target.client("dynamodb"),
    )
    return {
        "account": done.account_id,
        "cash": done.cash,
        "closed_positions": done.closed_positions,
    }


def _reset(args: argparse.Namespace) -> int:
    if not args.yes:
        raise OpsError("paper reset closes every position: pass --yes to confirm")
    try:
        cash = Decimal(args.cash)
    except InvalidOperation:
        raise OpsError(f"--cash {args.cash!r} is not a number") from None
    print_json(reset(target_of(args), cash))
    return 0
