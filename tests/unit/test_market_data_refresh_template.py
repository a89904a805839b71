"""template.yaml's market data refresh: its schedule, its alarm and its least privilege."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from alchemiser.commands.refresh import REFRESH_FAILED_METRIC
from alchemiser.metrics import NAMESPACE
from tests.support.template import load_template, resource

_CRON = re.compile(r"cron\((\d+) (\d+) \? \* (\S+) \*\)")


def _fires(schedule: str) -> tuple[time, str, str]:
    props = resource(schedule)["Properties"]
    found = _CRON.fullmatch(props["ScheduleExpression"])
    assert found, props["ScheduleExpression"]
    minute, hour, days = found.groups()
    return time(int(hour), int(minute)), days, props["ScheduleExpressionTimezone"]


def _statements(role: str) -> dict[str, dict[str, Any]]:
    (policy,) = resource(role)["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def test_the_refresh_fires_every_weekday_an_hour_or_more_before_the_trade():
    refresh_at, refresh_days, refresh_zone = _fires("MarketDataRefreshSchedule")
    trade_at, trade_days, trade_zone = _fires("DailyTradeSchedule")

    assert (
        (refresh_days, refresh_zone)
        == (trade_days, trade_zone)
        == (
            "MON-FRI",
            "America/New_York",
        )
    )
    minutes_before = (trade_at.hour - refresh_at.hour) * 60 + trade_at.minute - refresh_at.minute
    assert minutes_before >= 60  # Lambda's retries, the alarm and a backfill fit in between


def test_the_refresh_schedule_has_retries_and_a_dead_letter_queue():
    target = resource("MarketDataRefreshSchedule")["Properties"]["Target"]
    assert target["RetryPolicy"]["MaximumRetryAttempts"] > 0
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["SchedulerDLQ", "Arn"]}


def test_the_refresh_alarm_watches_what_the_command_counts_and_names_the_fix():
    props = resource("MarketDataRefreshAlarm")["Properties"]

    assert (props["Namespace"], props["MetricName"]) == (NAMESPACE, REFRESH_FAILED_METRIC)
    assert props["Dimensions"] == [{"Name": "stage", "Value": {"Ref": "Stage"}}]
    assert props["AlarmActions"] == [{"Ref": "AlertsTopic"}]
    assert "alchemiser bars backfill --stage ${Stage}" in props["AlarmDescription"]["Fn::Sub"]


def test_the_trading_role_reads_and_writes_bar_objects_and_one_secret_only():
    statements = _statements("TradingSystemRole")

    bars = statements["RefreshDailyBars"]
    assert sorted(bars["Action"]) == ["s3:GetObject", "s3:PutObject"]
    assert bars["Resource"] == {"Fn::Sub": "${BarStoreBucket.Arn}/bars/*"}
    listing = statements["TellMissingBarsFromForbidden"]
    assert (listing["Action"], listing["Resource"]) == (
        "s3:ListBucket",
        {"Fn::GetAtt": ["BarStoreBucket", "Arn"]},
    )
    secret = statements["ReadAlpacaKeys"]
    assert secret["Action"] == "secretsmanager:GetSecretValue"
    assert secret["Resource"]["Fn::Sub"].endswith(":secret:alchemiser/${Stage}/alpaca-??????")
    actions = [statement["Action"] for statement in statements.values()]
    assert not [a for a in actions if "*" in str(a)]


def test_the_trading_function_gets_the_refresh_settings_from_the_template():
    variables = resource("TradingSystemFunction")["Properties"]["Environment"]["Variables"]

    assert variables["BAR_STORE_BUCKET"] == {"Ref": "BarStoreBucket"}
    assert variables["ALPACA_SECRET_ID"] == {"Fn::Sub": "alchemiser/${Stage}/alpaca"}
    assert variables["ALPACA_DATA_FEED"] == {"Ref": "AlpacaDataFeed"}
    assert load_template()["Parameters"]["AlpacaDataFeed"]["Default"] == "iex"
