"""The class of bad input a drawn value belongs to: what the fuzz figures count by.

The README's table names each class with its count and what the handlers did with it,
so a class is what a reader would call the input ("NaN or Infinity", "odd unicode"),
not which strategy drew it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from alchemiser.events import ALL_EVENTS

__all__ = ["strict_json", "value_class"]

_NAMES = frozenset({*ALL_EVENTS, "Scheduled Event"})
_ISO = re.compile(r"^-?\d{4}-\d{2}-\d{2}")
_FAR_YEARS = ("0001-", "9999-")
#: Beyond these magnitudes a figure is extreme for a price, a quantity or a count.
_LARGE = Decimal("1e15")
_SMALL = Decimal("1e-15")
_HUGE_CHARS = 2000
#: Deeper than any sample: the cases built to be 5,000 levels.
_DEEP_LEVELS = 64
_NOT_FINITE = frozenset({"nan", "snan", "-nan", "-snan", "infinity", "-infinity", "inf", "-inf"})
#: Control, format (RTL marks, BOM), surrogate, private-use, unassigned, combining marks.
_ODD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn"})


def _refuse_constant(token: str) -> object:
    raise ValueError(f"{token} is not JSON")


def strict_json(text: str) -> Any:
    """``text`` parsed as CloudWatch's JSON parser would: NaN and Infinity tokens refused."""
    return json.loads(text, parse_constant=_refuse_constant)


def _depth(value: Any) -> int:
    """Nesting depth, counted without recursion and only up to ``_DEEP_LEVELS``."""
    depth = 0
    node = value
    while isinstance(node, list | dict) and node and depth <= _DEEP_LEVELS:
        node = next(iter(node.values())) if isinstance(node, dict) else node[0]
        depth += 1
    return depth


def _magnitude_class(number: Decimal) -> str:
    if not number.is_finite():
        return "NaN or Infinity"
    size = abs(number)
    if size >= _LARGE or (0 < size < _SMALL):
        return "extreme number"
    return "zero or negative number" if number <= 0 else "ordinary number"


def _text_class(text: str) -> str:
    if text.startswith(("[[[[", "{{{{")):
        return "deep nesting (5,000 levels)"
    if len(text) > _HUGE_CHARS:
        return "huge text (over 2,000 characters, up to 1 MB)"
    if not text.strip():
        return "empty"
    if text in _NAMES:
        return "an event or command name"
    if any(unicodedata.category(ch) in _ODD_CATEGORIES or ord(ch) > 0xFFFF for ch in text):
        return "odd unicode (surrogates, NUL, RTL, BOM, emoji, combining marks)"
    if text.lower() in _NOT_FINITE:
        return "NaN or Infinity"
    if _ISO.match(text):
        return "date at year 1 or 9999" if text.startswith(_FAR_YEARS) else "other date"
    try:
        return _magnitude_class(Decimal(text))
    except InvalidOperation:
        return "other text"


def _container_class(value: list[Any] | dict[str, Any]) -> str:
    if _depth(value) > _DEEP_LEVELS:
        return "deep nesting (5,000 levels)"
    if not value:
        return "empty"
    members = value.keys() if isinstance(value, dict) else value
    if any(isinstance(member, str) and member in _NAMES for member in members):
        return "an event name as a list or object"
    return "another list or object"


def value_class(value: Any) -> str:
    """The class of bad input ``value`` belongs to."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, float):
        return _magnitude_class(Decimal(repr(value)))
    if isinstance(value, int):
        return _magnitude_class(Decimal(value))
    if isinstance(value, str):
        return _text_class(value)
    if isinstance(value, list | dict):
        return _container_class(value)
    return "other value"
