"""The task payloads and results: frozen, strict, and lossless through JSON (Decimal as text)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    StringConstraints,
    model_validator,
)

from alchemiser.errors import CrossFieldError
from alchemiser.events.base import Money, TradingMode

__all__ = ["LedgerEntryResult", "PnlPeriod", "PnlReport", "PnlReportRequest", "PnlType"]

PnlType = Literal["weekly", "monthly"]
_Id = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PnlReportRequest(_Frozen):
    """A PnL report over calendar periods (``pnl_type``) or a trailing window (``pnl_period``).

    The same rules as the ``pnl_analysis`` command that asks for it, so a request that
    passed the command's validation always passes here too.
    """

    correlation_id: _Id
    pnl_type: PnlType | None = None
    #: How many calendar periods, the one holding ``as_of`` included (default 1).
    pnl_periods: Annotated[int, Field(ge=1, le=520)] | None = None
    #: A trailing window ending on ``as_of``: ``1W``, ``3M``, ``1Y``.
    pnl_period: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{0,2}[WMY]$")] | None = None
    as_of: date
    #: Paper and live accounts have separate equity histories that must never mix.
    trading_mode: TradingMode = "paper"

    @model_validator(mode="after")
    def _one_basis(self) -> Self:
        if (self.pnl_type is None) == (self.pnl_period is None):
            raise CrossFieldError("pnl_type", "give exactly one of pnl_type and pnl_period")
        if self.pnl_periods is not None and self.pnl_type is None:
            raise CrossFieldError("pnl_periods", "needs pnl_type")
        return self


class PnlPeriod(_Frozen):
    """Equity change over one period: from the last snapshot before it to its last one."""

    label: str
    start: date
    end: date
    start_equity: Money
    end_equity: Money
    pnl: Money
    #: ``None`` when the period starts from zero equity.
    return_pct: Decimal | None
    snapshots: NonNegativeInt


class PnlReport(_Frozen):
    """A stored PnL report: periods oldest first, totals across all of them.

    Figures are equity changes; deposits and withdrawals are not separated out.
    """

    correlation_id: _Id
    as_of: date
    trading_mode: TradingMode
    basis: str
    periods: tuple[PnlPeriod, ...]
    total_pnl: Money
    total_return_pct: Decimal | None
    generated_at: AwareDatetime


class LedgerEntryResult(_Frozen):
    """What one ``TradeExecuted`` changed in the ledger (nothing, on a redelivery)."""

    event_id: _Id
    orders_recorded: NonNegativeInt
    orders_already_recorded: NonNegativeInt
    equity_snapshot: Literal["written", "kept_existing", "none"]
