"""The Alpaca emulator's admin API: its clock, how orders fill, and programmed faults.

These paths are not Alpaca's (``/_emulator/...``) and need no keys: the local stack's
commands and the chaos tests program a running emulator through them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from alchemiser_local.alpaca_emulator_faults import Fault
from alchemiser_local.alpaca_emulator_market import EmulatorRequestError

if TYPE_CHECKING:
    from collections.abc import Callable

    from alchemiser_local.alpaca_emulator import AlpacaEmulator

__all__ = ["ADMIN_ROUTES", "OrderBehaviour"]


class _ClockUpdate(BaseModel):
    """``POST /_emulator/clock``: a date (09:35 New York that day) or an instant."""

    model_config = ConfigDict(extra="forbid")

    day: dt.date | None = Field(default=None, alias="date")
    now: AwareDatetime | None = None


class OrderBehaviour(BaseModel):
    """``POST /_emulator/orders``: how orders placed from then on fill."""

    model_config = ConfigDict(extra="forbid")

    fill_after_polls: int = Field(default=0, ge=0, le=1000)
    partial_fill: Decimal | None = Field(default=None, gt=0, le=1)


def _set_clock(emulator: AlpacaEmulator, body: Any) -> dict[str, Any]:  # noqa: ANN401
    update = _ClockUpdate.model_validate(body)
    if (update.day is None) == (update.now is None):
        raise EmulatorRequestError(400, 'give exactly one of "date" and "now"')
    if update.day is not None:
        emulator.set_today(update.day)
    elif update.now is not None:
        emulator.set_now(update.now)
    return emulator.market.clock()


def _set_orders(emulator: AlpacaEmulator, body: Any) -> dict[str, Any]:  # noqa: ANN401
    behaviour = OrderBehaviour.model_validate(body)
    emulator.configure_orders(**behaviour.model_dump())
    return behaviour.model_dump(mode="json")


def _add_fault(emulator: AlpacaEmulator, body: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    emulator.fail(Fault.model_validate(body))
    return emulator.faults.pending()


def _clear_faults(emulator: AlpacaEmulator, body: Any) -> list[dict[str, Any]]:  # noqa: ANN401
    emulator.faults.clear()
    return []


ADMIN_ROUTES: dict[tuple[str, str], Callable[[AlpacaEmulator, Any], Any]] = {
    ("GET", "state"): lambda e, body: e.state(),
    ("POST", "clock"): _set_clock,
    ("POST", "orders"): _set_orders,
    ("POST", "faults"): _add_fault,
    ("DELETE", "faults"): _clear_faults,
}
