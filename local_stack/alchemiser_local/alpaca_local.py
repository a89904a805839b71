"""Alpaca for the local stack: the emulator, fed the synthetic bars, behind the stack's secret.

A deployed stack reads its market data (and, with ``BrokerBackend=alpaca``, trades)
through Alpaca with the keys in the Secrets Manager secret its functions name
(``ALPACA_SECRET_ID``). Locally the emulator is that Alpaca: the secret is created in the
emulator's Secrets Manager with the emulator's keys and URLs, so ingestion, the Alpaca
client and the Alpaca broker run exactly the code they run in AWS.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime
from datetime import time as wall_time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from alchemiser_local.alpaca_emulator import AlpacaEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator

    from alchemiser_local.seed import SyntheticWorld
    from alchemiser_local.stack import LocalStack

__all__ = ["alpaca_secret_id", "local_alpaca", "new_york_at"]

_SECRET_VARIABLE = "ALPACA_SECRET_ID"  # noqa: S105 - the variable naming the secret


def new_york_at(day: date, at: wall_time) -> datetime:
    """``at`` New York time on ``day``, as an aware UTC instant."""
    from alchemiser.clock import NEW_YORK  # noqa: PLC0415

    return datetime.combine(day, at, ZoneInfo(NEW_YORK)).astimezone(UTC)


def alpaca_secret_id(stack: LocalStack) -> str:
    """The secret the stack's functions read their Alpaca keys from.

    Raises:
        LookupError: no function of the template names one.
    """
    for spec in stack.functions.values():
        if secret := spec.environment.get(_SECRET_VARIABLE):
            return secret
    raise LookupError(f"no function of the stack sets {_SECRET_VARIABLE}")


@contextmanager
def local_alpaca(stack: LocalStack, world: SyntheticWorld) -> Iterator[AlpacaEmulator]:
    """The Alpaca emulator serving ``world``'s bars, with its keys in the stack's secret.

    The emulator's account starts with the strategy configuration's starting cash, as
    the paper account does, so the two brokers start alike.
    """
    import boto3  # noqa: PLC0415

    emulator = AlpacaEmulator(
        bars=world.bars,
        today=world.first_day,
        cash=world.config.paper_broker.starting_cash,
    )
    with emulator:
        boto3.client("secretsmanager").create_secret(
            Name=alpaca_secret_id(stack), SecretString=json.dumps(emulator.secret())
        )
        yield emulator
