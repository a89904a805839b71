"""The strategy configuration file: the shipped default, and errors that name the culprit."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from alchemiser.errors import ConfigError, StrategyConfigError
from alchemiser.trading import load_strategy_config
from alchemiser.trading.strategy_config import DEFAULT_CONFIG_PATH


def _config(**overrides: Any) -> dict[str, Any]:
    base = json.loads(DEFAULT_CONFIG_PATH.read_text())
    base.update(overrides)
    return base  # type: ignore[no-any-return]


def _write(tmp_path: Path, data: dict[str, Any], name: str = "strategies.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_strategy_config_default_file_is_valid_and_allocations_sum_to_one():
    # Given the configuration shipped in the layer / When it is loaded
    config = load_strategy_config()
    # Then the three strategy kinds are there and their allocations sum to exactly 1
    assert {spec.params.kind for spec in config.strategies} == {
        "dual_momentum",
        "trend_filter",
        "inverse_volatility",
    }
    assert sum(spec.allocation for spec in config.strategies) == 1
    assert isinstance(config.planner.cash_buffer_pct, Decimal)


def test_strategy_config_is_cached_per_path(tmp_path):
    path = _write(tmp_path, _config())
    assert load_strategy_config(path) is load_strategy_config(path)
    assert load_strategy_config(path) is not load_strategy_config()


def test_strategy_config_allocations_not_summing_to_one_are_refused_with_each_share(tmp_path):
    # Given allocations 0.4 + 0.3 + 0.2
    data = _config()
    data["strategies"][2]["allocation"] = 0.2
    # When loaded / Then the error gives the total and every strategy's share
    with pytest.raises(StrategyConfigError, match=r"must sum to 1, got 0\.9") as caught:
        load_strategy_config(_write(tmp_path, data))
    assert "inverse_volatility=0.2" in str(caught.value)
    assert isinstance(caught.value, ConfigError)


def test_strategy_config_bad_parameter_names_the_strategy_and_field(tmp_path):
    data = _config()
    data["strategies"][1]["params"]["sma_days"] = 1
    with pytest.raises(StrategyConfigError, match=r"strategy 'tqqq_trend'\.params\.trend_filter"):
        load_strategy_config(_write(tmp_path, data))


def test_strategy_config_unknown_kind_names_the_strategy(tmp_path):
    data = _config()
    data["strategies"][0]["params"]["kind"] = "martingale"
    with pytest.raises(StrategyConfigError, match=r"strategy 'dual_momentum'\.params"):
        load_strategy_config(_write(tmp_path, data))


def test_strategy_config_cross_field_rule_names_the_field(tmp_path):
    data = _config()
    data["strategies"][0]["params"]["top_n"] = 3
    with pytest.raises(StrategyConfigError, match=r"dual_momentum.*top_n: must not exceed"):
        load_strategy_config(_write(tmp_path, data))


def test_strategy_config_duplicate_names_are_refused(tmp_path):
    data = _config()
    data["strategies"][1]["name"] = "dual_momentum"
    with pytest.raises(StrategyConfigError, match="unique"):
        load_strategy_config(_write(tmp_path, data))


def test_strategy_config_missing_or_malformed_file_is_a_config_error(tmp_path):
    with pytest.raises(StrategyConfigError, match="cannot read"):
        load_strategy_config(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(StrategyConfigError, match="not JSON"):
        load_strategy_config(bad)


def test_strategy_config_ships_risk_limits_sane_for_a_100k_paper_account():
    config = load_strategy_config()
    risk = config.risk
    starting_cash = config.paper_broker.starting_cash
    # The largest order of a first day (BIL at 70% of a 100k account) fits one order
    assert risk.max_order_notional >= Decimal("0.7") * starting_cash
    assert risk.max_symbol_weight >= Decimal("0.7")
    # A first day's investment, and a full rotation (sell all, buy all), fit one day
    assert risk.max_daily_turnover >= 2 * (1 - config.planner.cash_buffer_pct)
    assert Decimal(0) < risk.max_drawdown < 1


@pytest.mark.parametrize(
    ("risk", "field", "message"),
    [
        ({"max_order_notional": 0}, "risk.max_order_notional", "greater than 0"),
        ({"max_order_notional": "1e12"}, "risk.max_order_notional", "less than"),
        ({"max_symbol_weight": 1.5}, "risk.max_symbol_weight", "less than or equal to 1"),
        ({"max_symbol_weight": 0}, "risk.max_symbol_weight", "greater than 0"),
        ({"max_daily_turnover": -1}, "risk.max_daily_turnover", "greater than 0"),
        ({"max_daily_turnover": 11}, "risk.max_daily_turnover", "less than or equal to 10"),
        ({"max_drawdown": 1}, "risk.max_drawdown", "less than 1"),
        ({"max_drawdown": "NaN"}, "risk.max_drawdown", "finite"),
        ({"max_loss": 0.1}, "risk.max_loss", "Extra inputs are not permitted"),
        ({"max_order_notional": 10}, "risk.max_order_notional", "planner.min_trade_value"),
    ],
)
def test_strategy_config_bad_risk_limit_is_a_named_error(tmp_path, risk, field, message):
    data = _config()
    data["risk"] = {**data["risk"], **risk}
    with pytest.raises(StrategyConfigError) as caught:
        load_strategy_config(_write(tmp_path, data))
    text = str(caught.value)
    assert f"{field}: " in text
    assert message in text
