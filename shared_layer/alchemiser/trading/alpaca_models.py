"""The parts of Alpaca's REST responses the adapters read.

These models ignore fields they do not name (``extra="ignore"``), unlike the package's
own models: Alpaca adds response fields without notice, and a new field must never
stop trading. Numbers arrive as strings or JSON numbers and become Decimal.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "AlpacaAccount",
    "AlpacaBar",
    "AlpacaBarsPage",
    "AlpacaClock",
    "AlpacaOrder",
    "AlpacaPosition",
]


class _Response(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class AlpacaAccount(_Response):
    """``GET /v2/account``."""

    equity: Decimal
    cash: Decimal
    buying_power: Decimal
    status: str
    trading_blocked: bool = False


class AlpacaPosition(_Response):
    """One item of ``GET /v2/positions``: any asset class (stocks, options, crypto)."""

    symbol: str
    qty: Decimal
    side: Literal["long", "short"] = "long"
    #: ``us_equity``, ``us_option``, ``crypto``, ... (Alpaca adds classes over time).
    asset_class: str


class AlpacaOrder(_Response):
    """``POST /v2/orders`` and ``GET /v2/orders:by_client_order_id``."""

    id: str
    client_order_id: str
    symbol: str
    side: Literal["buy", "sell"]
    qty: Decimal | None = None
    filled_qty: Decimal = Decimal(0)
    filled_avg_price: Decimal | None = None
    status: str
    replaced_by: str | None = None


class AlpacaClock(_Response):
    """``GET /v2/clock``."""

    timestamp: datetime
    is_open: bool
    next_open: datetime
    next_close: datetime


class AlpacaBar(_Response):
    """One daily bar of ``GET /v2/stocks/bars`` (``t`` is midnight New York, in UTC)."""

    t: datetime
    o: Decimal
    h: Decimal
    l: Decimal  # noqa: E741 - Alpaca's field name
    c: Decimal
    v: Decimal


class AlpacaBarsPage(_Response):
    """One page of ``GET /v2/stocks/bars``."""

    bars: dict[str, list[AlpacaBar]] | None = None
    next_page_token: str | None = None
