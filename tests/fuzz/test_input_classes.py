"""The fuzz figures count cases by the class of bad input a reader would name."""

from __future__ import annotations

import pytest

from tests.fuzz.classes import strict_json, value_class
from tests.support.deep import deep_dict, deep_list


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (float("nan"), "NaN or Infinity"),
        (float("-inf"), "NaN or Infinity"),
        ("Infinity", "NaN or Infinity"),
        ("sNaN", "NaN or Infinity"),
        (10**3999, "extreme number"),
        ("1e-999999", "extreme number"),
        (1e30, "extreme number"),
        (-0.0, "zero or negative number"),
        ("-1", "zero or negative number"),
        ("999999.99", "ordinary number"),
        ("0001-01-01T00:00:00+14:00", "date at year 1 or 9999"),
        ("9999-12-31", "date at year 1 or 9999"),
        ("2026-02-30", "other date"),
        ("\ud800", "odd unicode (surrogates, NUL, RTL, BOM, emoji, combining marks)"),
        ("a\x00b", "odd unicode (surrogates, NUL, RTL, BOM, emoji, combining marks)"),
        ("\u202eRTL", "odd unicode (surrogates, NUL, RTL, BOM, emoji, combining marks)"),
        ("😀", "odd unicode (surrogates, NUL, RTL, BOM, emoji, combining marks)"),
        ("x" * 2001, "huge text (over 2,000 characters, up to 1 MB)"),
        ("[" * 5000 + "]" * 5000, "deep nesting (5,000 levels)"),
        (deep_list(5000), "deep nesting (5,000 levels)"),
        (deep_dict(5000), "deep nesting (5,000 levels)"),
        (["WorkflowStarted"], "an event name as a list or object"),
        ({"WorkflowStarted": 1}, "an event name as a list or object"),
        ("TradeExecuted", "an event or command name"),
        (None, "empty"),
        (" ", "empty"),
        ({}, "empty"),
        (True, "boolean"),
        ("live", "other text"),
        ({"a": {"b": [1, 2]}}, "another list or object"),
    ],
)
def test_each_drawn_value_is_counted_under_the_class_a_reader_would_name(value, expected):
    assert value_class(value) == expected


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_strict_json_refuses_the_tokens_cloudwatch_cannot_parse(token):
    with pytest.raises(ValueError, match=token):
        strict_json(f'{{"price": {token}}}')
