"""``alchemiser bars backfill`` and ``bars import``: the bar store after a deploy.

``backfill`` asks the stack itself: TradingSystemFunction's ``refresh_market_data`` with
``backfill`` fetches every symbol's whole lookback from Alpaca with the function's own
role and keys (the caller needs only ``lambda:InvokeFunction``). ``import`` merges the
caller's own OHLCV CSV into a symbol's series with the caller's credentials; a file with
any bad row is refused whole, each bad row named by file, line and column.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemiser_local.ops.common import OpsError, add_target_arguments, print_json, target_of

if TYPE_CHECKING:
    import argparse

    from alchemiser_local.target import Target

__all__ = ["backfill", "import_file", "invoke_function", "register"]

#: The function the market data refresh runs in.
_TRADING_FUNCTION = "TradingSystemFunction"


def register(commands: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """``bars backfill`` and ``bars import``."""
    bars = commands.add_parser("bars", help="the S3 bar store")
    actions = bars.add_subparsers(dest="action", required=True)
    backfill_parser = actions.add_parser(
        "backfill", help="fetch every symbol's lookback from Alpaca into the bar store"
    )
    add_target_arguments(backfill_parser)
    backfill_parser.set_defaults(handler=_backfill)
    import_parser = actions.add_parser(
        "import", help="merge your own OHLCV CSV (date,open,high,low,close,volume)"
    )
    import_parser.add_argument("file", type=Path, help="the CSV file")
    import_parser.add_argument("--symbol", help="whose bars (default: the file name, upper case)")
    add_target_arguments(import_parser)
    import_parser.set_defaults(handler=_import)


def invoke_function(target: Target, logical_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Invoke a function of the stack synchronously; its result, or its error as ``OpsError``.

    On AWS the published alias (``<Function>AliasArn``) is invoked, the code the
    schedules run; locally there are no aliases and the function is invoked by name.
    """
    name = target.outputs.get(f"{logical_id}AliasArn") or target.output(f"{logical_id}Name")
    client = target.client("lambda", read_timeout=900)
    response = client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
    body = json.loads(response["Payload"].read() or b"null")
    if response.get("FunctionError"):
        detail = body if isinstance(body, dict) else {}
        raise OpsError(
            f"{logical_id} failed: {detail.get('errorType', response['FunctionError'])}: "
            f"{detail.get('errorMessage', body)}"
        )
    return body if isinstance(body, dict) else {"result": body}


def backfill(target: Target) -> dict[str, Any]:
    """Refill every symbol's whole lookback (the function's ``refresh_market_data``)."""
    payload = {
        "mode": "refresh_market_data",
        "backfill": True,
        "execution_id": f"operator-backfill-{uuid.uuid4()}",
    }
    return invoke_function(target, _TRADING_FUNCTION, payload)


def import_file(target: Target, path: Path, symbol: str | None) -> dict[str, Any]:
    """Merge ``path``'s bars into ``symbol``'s series (default: the file's stem).

    Raises:
        InputRejectedError: the symbol or a row of the file is invalid (nothing written).
    """
    from alchemiser.trading.bar_refresh import import_bars_csv  # noqa: PLC0415
    from alchemiser.trading.bar_store import S3BarStore  # noqa: PLC0415

    store = S3BarStore(target.output("BarStoreBucketName"), client=target.client("s3"))
    result = import_bars_csv(store, symbol or path.stem.upper(), path)
    return result.model_dump(mode="json")


def _backfill(args: argparse.Namespace) -> int:
    print_json(backfill(target_of(args)))
    return 0


def _import(args: argparse.Namespace) -> int:
    from alchemiser.errors import InputRejectedError  # noqa: PLC0415

    try:
        print_json(import_file(target_of(args), args.file, args.symbol))
    except InputRejectedError as exc:
        print_json(exc.to_dict())
        return 1
    return 0
