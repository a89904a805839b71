"""The strategy configuration: which strategies run, with what share of the portfolio.

One JSON file (``strategies.json`` beside this module unless the settings name
another) holds each strategy's allocation and parameters, the planner's settings, the
risk limits every plan is checked against, and the paper broker's settings. It is
validated once per container and per path; every error names the strategy or the field
it is about, so a bad deploy says what to fix.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from alchemiser.container import container_cache
from alchemiser.errors import CrossFieldError, StrategyConfigError
from alchemiser.events.base import Symbol

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "DualMomentumParams",
    "InverseVolatilityParams",
    "PaperBrokerConfig",
    "PaperCash",
    "PlannerConfig",
    "RiskConfig",
    "StrategyConfig",
    "StrategyParams",
    "StrategySpec",
    "TrendFilterParams",
    "load_strategy_config",
]

DEFAULT_CONFIG_PATH = Path(__file__).with_name("strategies.json")

Fraction = Annotated[Decimal, Field(ge=0, lt=1, allow_inf_nan=False)]
Allocation = Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)]
Days = Annotated[int, Field(ge=2, le=1000)]
Symbols = Annotated[tuple[Symbol, ...], Field(min_length=1)]
#: Cash a paper account opens with or is reset to: positive, below a trillion, in cents.
PaperCash = Annotated[Decimal, Field(gt=0, lt=10**12, decimal_places=2, allow_inf_nan=False)]


class _Config(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DualMomentumParams(_Config):
    """Relative momentum picks the strongest risk assets; absolute momentum checks them.

    Each of the ``top_n`` best risk assets by total return over ``lookback_days`` is
    held only if it beat the cash proxy over the same window; its slot goes to the cash
    proxy otherwise.
    """

    kind: Literal["dual_momentum"]
    risk_assets: Symbols
    cash_proxy: Symbol
    lookback_days: Days = 252
    top_n: Annotated[int, Field(ge=1)] = 1

    @model_validator(mode="after")
    def _top_n_fits(self) -> DualMomentumParams:
        if self.top_n > len(self.risk_assets):
            raise CrossFieldError("top_n", "must not exceed the number of risk_assets")
        if self.cash_proxy in self.risk_assets:
            raise CrossFieldError("cash_proxy", "must not be one of the risk_assets")
        return self


class TrendFilterParams(_Config):
    """Hold ``risk_on`` while ``signal_symbol`` closes above its SMA, else ``risk_off``."""

    kind: Literal["trend_filter"]
    signal_symbol: Symbol
    risk_on: Symbol
    risk_off: Symbol
    sma_days: Days = 200


class InverseVolatilityParams(_Config):
    """Weight each symbol by the inverse of its daily-return volatility."""

    kind: Literal["inverse_volatility"]
    symbols: Annotated[tuple[Symbol, ...], Field(min_length=2)]
    lookback_days: Days = 63


StrategyParams = Annotated[
    DualMomentumParams | TrendFilterParams | InverseVolatilityParams,
    Field(discriminator="kind"),
]


class StrategySpec(_Config):
    """One strategy: its name, its share of the portfolio and its parameters."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
    allocation: Allocation
    params: StrategyParams


class PlannerConfig(_Config):
    """How a rebalance is planned."""

    #: Share of equity kept in cash (absorbs slippage and price moves before the fills).
    cash_buffer_pct: Fraction = Decimal("0.01")
    #: Orders worth less than this are not placed (a full exit is always placed).
    min_trade_value: Annotated[Decimal, Field(ge=0, allow_inf_nan=False)] = Decimal(25)
    fractional_shares: bool = True


class RiskConfig(_Config):
    """Limits checked before any order (``trading.risk`` says what each one does)."""

    #: No order, buy or sell, is worth more than this; a larger one is capped to it.
    max_order_notional: Annotated[Decimal, Field(gt=0, lt=10**12, allow_inf_nan=False)] = Decimal(
        75_000
    )
    #: No buy takes a symbol past this share of equity; it is capped to reach it exactly.
    max_symbol_weight: Annotated[Decimal, Field(gt=0, le=1, allow_inf_nan=False)] = Decimal("0.75")
    #: Buys plus sells of one trading day, in multiples of equity (2 = sell it all and
    #: buy it all back once); orders past it are capped, sells first, in plan order.
    max_daily_turnover: Annotated[Decimal, Field(gt=0, le=10, allow_inf_nan=False)] = Decimal(2)
    #: The kill switch trips when equity falls below ``(1 - max_drawdown) * peak``: no
    #: new buys until an operator resumes (sells always go ahead).
    max_drawdown: Annotated[Decimal, Field(gt=0, lt=1, allow_inf_nan=False)] = Decimal("0.25")


class PaperBrokerConfig(_Config):
    """The embedded paper broker."""

    slippage_bps: Annotated[Decimal, Field(ge=0, le=1000, allow_inf_nan=False)] = Decimal(5)
    #: Cash the paper account opens with on first use.
    starting_cash: PaperCash = Decimal(100_000)


class StrategyConfig(_Config):
    """Every strategy, the planner and the paper broker, validated as a whole."""

    strategies: Annotated[tuple[StrategySpec, ...], Field(min_length=1)]
    planner: PlannerConfig = PlannerConfig()
    risk: RiskConfig = RiskConfig()
    paper_broker: PaperBrokerConfig = PaperBrokerConfig()

    @model_validator(mode="after")
    def _allocations_sum_to_one(self) -> StrategyConfig:
        names = [spec.name for spec in self.strategies]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise CrossFieldError("strategies", f"strategy names must be unique: {duplicates}")
        total = sum((spec.allocation for spec in self.strategies), Decimal(0))
        if total != 1:
            shares = ", ".join(f"{spec.name}={spec.allocation}" for spec in self.strategies)
            raise CrossFieldError(
                "strategies", f"allocations must sum to 1, got {total} ({shares})"
            )
        if self.risk.max_order_notional < self.planner.min_trade_value:
            raise CrossFieldError(
                "risk.max_order_notional",
                f"must be at least planner.min_trade_value ({self.planner.min_trade_value}),"
                " or no order could ever be placed",
            )
        return self


def _describe(raw: Any, exc: ValidationError) -> str:  # noqa: ANN401 - raw JSON
    """Each error on one line, with ``strategies.<index>`` replaced by the strategy's name."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = list(err["loc"])
        cause = err.get("ctx", {}).get("error")
        if isinstance(cause, CrossFieldError):
            loc.append(cause.field)
        if len(loc) > 1 and loc[0] == "strategies" and isinstance(loc[1], int):
            loc[:2] = [f"strategy {_name_of(raw, loc[1])!r}"]
        where = ".".join(str(part) for part in loc) or "configuration"
        lines.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
    return "; ".join(lines)


def _name_of(raw: Any, index: int) -> str:  # noqa: ANN401 - raw JSON
    try:
        return str(raw["strategies"][index]["name"])
    except (KeyError, IndexError, TypeError):
        return f"#{index}"


@container_cache
def _load(path: Path) -> StrategyConfig:
    try:
        raw = json.loads(path.read_text(), parse_float=Decimal)
    except OSError as exc:
        raise StrategyConfigError(f"{path}: cannot read the strategy configuration: {exc}") from exc
    except ValueError as exc:
        raise StrategyConfigError(f"{path}: not JSON: {exc}") from exc
    try:
        return StrategyConfig.model_validate(raw)
    except ValidationError as exc:
        raise StrategyConfigError(f"{path}: {_describe(raw, exc)}") from exc


def load_strategy_config(path: Path | None = None) -> StrategyConfig:
    """The validated configuration at ``path`` (default: the shipped file), cached per path.

    Raises:
        StrategyConfigError: the file is missing, not JSON, or invalid; the message
            names the strategy and field at fault.
    """
    return _load((path or DEFAULT_CONFIG_PATH).resolve())
