"""Mutations of every sample in test-events/: what the fuzz suite feeds both handlers.

A case is one sample (commands, events, rejected ones too), given a fresh event id so a
valid mutation goes deep instead of being a duplicate, then changed one to three times:
any node replaced (type swaps, empty, huge, odd unicode, NaN/Infinity/-0, extreme
numbers, dates at year 1 and 9999, deep nesting, event names as lists or objects), a
key removed or added (a planted secret among them), ``detail`` turned into JSON text
(valid, bad or 5,000 levels deep), or the whole payload replaced by a non-object. Some
cases stay unchanged, so the deep paths run too. Everything is drawn by Hypothesis, so
a seed reproduces every case.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import reprlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from hypothesis import strategies as st

from alchemiser.events import ALL_EVENTS
from tests.fuzz.classes import strict_json, value_class
from tests.support import samples
from tests.support.deep import deep_dict, deep_list

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["SECRET", "SECRET_KEYS", "Case", "cases"]

#: A value no log line may ever show: planted under secret-looking keys and in the
#: process environment (the emulator's secret key).
SECRET = "fuzz-planted-secret-5f0c2a"
SECRET_KEYS = ("api_key", "password", "Authorization", "alpaca_secret_key", "session_token")
_EXTRA_KEYS = ("surprise", "", "event_type", "detail-type", *SECRET_KEYS)

Path = tuple[str | int, ...]

#: Paths deeper than this are never mutated (a sample nests 6 levels at most).
_MAX_PATH = 8
_HUGE = "x" * (1024 * 1024 + 1)
#: Variants are made of at most this much of a string.
_SHORT_CHARS = 1000


class _Deep:
    """Stands for a 5,000-level structure, built fresh where it is used (mutations write
    into payloads, so no drawn container may be shared between cases)."""

    def __init__(self, build: Any) -> None:
        self.build = build


_DEEP_LIST = _Deep(deep_list)
_DEEP_DICT = _Deep(deep_dict)
_DEEP_TEXT = "[" * 5000 + "]" * 5000
_FOUR_THOUSAND_DIGITS = 10**3999

#: Values worth trying anywhere (built once: a megabyte string, 5,000 levels).
INTERESTING: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -0.0,
    1,
    -1,
    2**63,
    -(2**63) - 1,
    1e30,
    -1e30,
    1e-300,
    float("nan"),
    float("inf"),
    float("-inf"),
    _FOUR_THOUSAND_DIGITS,
    -_FOUR_THOUSAND_DIGITS,
    "",
    " ",
    "1e999999",
    "-1e999999",
    "1e-999999",
    "1e30",
    str(_FOUR_THOUSAND_DIGITS),
    "NaN",
    "Infinity",
    "-0",
    "0",
    "0.0000000001",
    _HUGE,
    "\ud800",
    "\udfff",
    "\u202eRTL",
    "\x00",
    "a\x00b",
    "\ufeff",
    "😀" * 10,
    "e\u0301" * 100,
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1970-01-01T00:00:00Z",
    "2100-12-31T23:59:59Z",
    "2026-02-30",
    "2026-11-21",
    "2026-11-20T14:35:00",
    *ALL_EVENTS,
    "Scheduled Event",
    ["WorkflowStarted"],
    {"WorkflowStarted": 1},
    "alchemiser.trading",
    "alchemiser.strategy",
    "aws.events",
    "health",
    "staging",
    "prod",
    "live",
    [],
    {},
    [1, "a", None],
    {"a": {"b": [1, 2]}},
    _DEEP_LIST,
    _DEEP_DICT,
    _DEEP_TEXT,
)

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=8,
)


def _fresh(value: Any) -> Any:
    if isinstance(value, _Deep):
        return value.build(5000)
    return copy.deepcopy(value) if isinstance(value, list | dict) else value


_interesting = st.sampled_from(INTERESTING).map(_fresh)


def _pick(draw: st.DrawFn, options: Sequence[Any]) -> Any:
    """One of ``options``, drawn by index: Hypothesis caches ``integers(0, n)``, while a
    ``sampled_from`` of a fresh list is a new strategy to validate on every draw."""
    return options[draw(st.integers(0, len(options) - 1))]


def _swaps(original: Any) -> list[Any]:
    """The original value as another type, or nudged while keeping its type."""
    as_text = str(original) if not isinstance(original, list | dict) else _as_json_text(original)
    swapped: list[Any] = [as_text, [original], {"value": original}]
    if isinstance(original, str):
        short = original[:_SHORT_CHARS]  # variants of a megabyte string cost megabytes each
        swapped += [short * 50, short.lower(), short + "\x00", short[::-1]]
        try:
            number = Decimal(short)
            swapped += [str(number * 1000), str(-number), float(number), int(number)]
        except (ArithmeticError, ValueError):
            pass
    if isinstance(original, bool | int | float):
        swapped += [not original, str(original)]
    return swapped


#: Same-kind values for a leaf: valid variants (other figures, the deep paths) and the
#: extremes of the kind (year 1 and 9999, zero, 1e30, "1e-999999", 4,000 digits).
_NUMBERS: tuple[Any, ...] = ("1", "0.01", "999999.99", "9999999", "1000000000000", "-1")
_EXTREME_NUMBERS: tuple[Any, ...] = (
    "0",
    "1e30",
    "1e-999999",
    "1e999999",
    str(_FOUR_THOUSAND_DIGITS),
    1e30,
    0,
    _FOUR_THOUSAND_DIGITS,
)
_INTS: tuple[Any, ...] = (0, 1, 2, 200, 201, -1, 2**63, _FOUR_THOUSAND_DIGITS, 1e30)
_DATES = ("2026-11-19", "2026-11-21", "2026-12-25", "2025-01-09", "0001-01-01", "9999-12-31")
_INSTANTS = (
    "2026-11-20T14:35:00-05:00",
    "2026-11-21T00:00:00Z",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "1970-12-31T23:00:00-05:00",
)
_SYMBOLS = ("QQQ", "BRK.B", "ZZZZ", "SPY", "TLT", "spy", "A" * 16)
_TEXTS = ("", "x" * 2000, "x" * 2001, _HUGE, "\ud800", "a\x00b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_SYMBOL = re.compile(r"^[A-Z][A-Z0-9.\-]{0,14}$")


def _nudges(original: Any) -> Sequence[Any]:
    """Values of the same kind as ``original``: variants that may stay valid, extremes."""
    if isinstance(original, bool):
        return (not original,)
    if isinstance(original, int | float):
        return _INTS
    if not isinstance(original, str):
        return _TEXTS
    for pattern, values in ((_ISO_DATE, _DATES), (_ISO_INSTANT, _INSTANTS), (_SYMBOL, _SYMBOLS)):
        if pattern.match(original):
            return values
    try:
        number = Decimal(original)
        scaled = [str(number * Decimal(f)) for f in ("0.5", "2", "10", "0.0001")]
    except ArithmeticError:  # not a number (or a signalling NaN)
        return [original[:_SHORT_CHARS].upper(), original[:_SHORT_CHARS] * 3, *_TEXTS]
    return [*_NUMBERS, *scaled, *_EXTREME_NUMBERS]


#: Any value at all, built once (a strategy built per draw is validated per draw).
_anything = st.one_of(
    _interesting,
    st.text(),
    st.integers(),
    st.floats(),
    st.decimals(allow_nan=True).map(str),
    _json_values,
)


#: A mutation's result: the payload, and the class of bad input it now holds.
Mutated = tuple[Any, str]


def _replacement(draw: st.DrawFn, original: Any) -> Mutated:
    """Any value; one time in seven a type swap of ``original``."""
    if draw(st.integers(0, 6)) == 0:
        return _pick(draw, _swaps(original)), "a type or form swapped (text, list, object)"
    value = draw(_anything)
    return value, value_class(value)


def paths_of(value: Any) -> list[Path]:
    """Every node's path (the root's is ``()``), down to ``_MAX_PATH`` levels."""
    found: list[Path] = []
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        found.append(path)
        if len(path) >= _MAX_PATH:
            continue
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))
    return sorted(found, key=lambda p: [str(part) for part in p])


def _at(value: Any, path: Path) -> Any:
    for part in path:
        value = value[part]
    return value


def _replaced(payload: Any, path: Path, new: Any) -> Any:
    if not path:
        return new
    _at(payload, path[:-1])[path[-1]] = new
    return payload


def _as_json_text(detail: Any) -> str:
    try:
        return json.dumps(detail)  # NaN tokens included: "bad JSON text" for strict parsers
    except (ValueError, TypeError, RecursionError):
        return _DEEP_TEXT


def _whole(draw: st.DrawFn, payload: Any) -> Mutated:
    """The payload replaced by a non-object (or wrapped in a list)."""
    whole: list[Any] = [None, [], "text", 42, 1.5, True, _DEEP_LIST, "wrapped"]
    chosen = _pick(draw, whole)
    return ([payload] if chosen == "wrapped" else _fresh(chosen)), "a payload that is not an object"


def _detail_text_class(text: str) -> str:
    if text == _DEEP_TEXT:
        return "detail as JSON text 5,000 levels deep"
    try:
        parsed = strict_json(text)
    except ValueError:
        return "detail as bad JSON text"
    if isinstance(parsed, dict):
        return "detail as JSON text of an object"
    return "detail as JSON text of a non-object"


def _detail_text(draw: st.DrawFn, payload: Any) -> Mutated:
    """``detail`` as JSON text: valid, broken, or 5,000 levels deep."""
    if not isinstance(payload, dict) or "detail" not in payload:
        return _replace(draw, payload)
    text = _as_json_text(payload["detail"])
    bad = [text, text[:-1], text + "}", "{", "not json", "", "null", "[]", _DEEP_TEXT]
    payload["detail"] = _pick(draw, bad)
    return payload, _detail_text_class(payload["detail"])


def _delete(draw: st.DrawFn, payload: Any) -> Mutated:
    path = _pick(draw, paths_of(payload))
    if not path:
        return _replace(draw, payload)
    del _at(payload, path[:-1])[path[-1]]
    return payload, "a key or item removed"


def _add(draw: st.DrawFn, payload: Any) -> Mutated:
    """An extra key in one of the payload's objects."""
    objects = [p for p in paths_of(payload) if isinstance(_at(payload, p), dict)]
    if not objects:
        return _replace(draw, payload)
    key = _pick(draw, _EXTRA_KEYS)
    _at(payload, _pick(draw, objects))[key] = _replacement(draw, None)[0]
    return payload, "an extra key"


def _replace(draw: st.DrawFn, payload: Any) -> Mutated:
    """One node (a leaf, a subtree or the root) replaced by any other value."""
    path = _pick(draw, paths_of(payload))
    new, kind = _replacement(draw, _at(payload, path))
    return _replaced(payload, path, new), kind


def _nudge(draw: st.DrawFn, payload: Any) -> Mutated:
    """One leaf replaced by a value of its own kind (the deep paths' extremes)."""
    leaves = [p for p in paths_of(payload) if not isinstance(_at(payload, p), dict | list)]
    if not leaves:
        return _replace(draw, payload)
    path = _pick(draw, leaves)
    new = _pick(draw, _nudges(_at(payload, path)))
    return _replaced(payload, path, new), value_class(new)


#: Each mutation, as often as it is listed.
_MUTATIONS = (*[_replace] * 3, *[_nudge] * 5, _delete, _add, _detail_text, _whole)


@st.composite
def _mutated(draw: st.DrawFn, payload: Any) -> Mutated:
    mutation: Any = _pick(draw, _MUTATIONS)
    result: Mutated = mutation(draw, payload)
    return result


@st.composite
def _planted(draw: st.DrawFn, payload: Any) -> tuple[Any, bool]:
    """A secret under a secret-looking key in one of the payload's objects (if it has one)."""
    objects = [p for p in paths_of(payload) if isinstance(_at(payload, p), dict)]
    if not objects:
        return payload, False
    where = _at(payload, _pick(draw, objects))
    where[_pick(draw, SECRET_KEYS)] = _pick(draw, [SECRET, f"Bearer {SECRET}", {"value": SECRET}])
    return payload, True


#: Fresh event ids, one per case in order (Hypothesis' own uuids repeat on purpose, and
#: a repeated id with another payload is a rejection, not a deep path).
_case_numbers = itertools.count()
_ID_NAMESPACE = uuid.UUID("00000000-0000-4000-8000-00000000f022")


def _fresh_ids(payload: Any) -> Any:
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, dict) and "event_id" in detail:
        detail["event_id"] = str(uuid.uuid5(_ID_NAMESPACE, str(next(_case_numbers))))
    return payload


@cache
def _loaded(folders: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [
        (f"{folder}/{path.stem}", json.loads(path.read_text()))
        for folder in folders
        for path in samples.paths(folder)
    ]


_ALL_FOLDERS = ("commands", "events", "rejected/commands", "rejected/events")


def _weight(name: str, own: str) -> int:
    if name.startswith(f"{own}/"):
        return 6
    return 2 if name.startswith(f"rejected/{own}/") else 1


_SHORT = reprlib.Repr(maxlevel=6, maxstring=80, maxother=80, maxlong=40)


@dataclass(frozen=True)
class Case:
    """One input: the sample it came from, and the payload a handler receives."""

    sample: str
    payload: Any
    #: The classes of bad input it holds (``unchanged sample`` for none).
    classes: tuple[str, ...] = ("unchanged sample",)

    def __repr__(self) -> str:
        # Hypothesis prints a failing case: a 5,000-level payload must not break that.
        try:
            shown = _SHORT.repr(self.payload)
        except ValueError:  # an int too long for repr
            shown = "<payload with an int too long to show>"
        return f"Case({self.sample!r}, {shown})"


@st.composite
def cases(draw: st.DrawFn, *, own: str) -> Case:
    """One case, the handler's ``own`` kind of sample drawn most often.

    ``own`` is ``"commands"`` or ``"events"``: its valid samples weigh 6, its rejected
    ones 2, every other sample 1 (a command to the router must be rejected too).
    """
    pool = _loaded(_ALL_FOLDERS)
    weighted = [case for case in pool for _ in range(_weight(case[0], own))]
    name, sample = _pick(draw, weighted)
    payload = _fresh_ids(copy.deepcopy(sample))
    if draw(st.integers(0, 7)) == 0:
        return Case(name, payload)  # unchanged: the deep path
    classes: list[str] = []
    for _ in range(_pick(draw, (1, 1, 2, 3))):
        payload, kind = draw(_mutated(payload))
        classes.append(kind)
    if draw(st.integers(0, 6)) == 0:
        payload, planted = draw(_planted(payload))
        if planted:
            classes.append("a planted secret")
    return Case(name, payload, tuple(dict.fromkeys(classes)))
