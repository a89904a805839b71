"""Raw payloads at the edge: how deep they may nest, how messages show their values.

Both functions check a payload's nesting before parsing it: no legitimate command or
envelope nests more than a few levels, while a 5,000-level one would exhaust the
interpreter's recursion in whatever walks it next (a log renderer, ``repr``). Messages
show input values through ``shown``, so a megabyte string or a 4,000-digit number becomes
a short excerpt and a structure a description: never a megabyte reason, an error, or a
secret copied out of an object into a log line.
"""

from __future__ import annotations

import reprlib
import sys
from typing import TYPE_CHECKING, Any, override

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["MAX_DEPTH", "shown", "too_deep"]

#: Containers inside containers a payload may have (an envelope's deepest field is 5).
MAX_DEPTH = 32
#: Path components an error names for a payload nested too deep.
_PATH_SHOWN = 3


def too_deep(payload: object, *, limit: int = MAX_DEPTH) -> str | None:
    """The dotted path where ``payload`` nests deeper than ``limit``, or None.

    Walks containers only (iteratively: the check itself never recurses), so a flat
    envelope costs a handful of steps.
    """
    stack: list[tuple[object, tuple[str, ...]]] = [(payload, ())]
    while stack:
        node, path = stack.pop()
        if len(path) > limit:
            return ".".join(path[:_PATH_SHOWN]) + "..."
        for key, child in _children(node):
            if isinstance(child, dict | list):
                stack.append((child, (*path, str(key))))
    return None


def _children(node: object) -> Iterable[tuple[object, object]]:
    if isinstance(node, dict):
        return node.items()
    if isinstance(node, list):
        return enumerate(node)
    return ()


class _Shown(reprlib.Repr):
    """``reprlib`` with short limits, and numbers too long for ``repr`` summarized."""

    @override
    def repr_int(self, x: int, level: int) -> str:
        digits = sys.get_int_max_str_digits()  # repr refuses longer ints (0: no limit)
        if digits and x.bit_length() > digits * 3:  # a decimal digit is ~3.32 bits
            return f"<int of {x.bit_length()} bits>"
        return super().repr_int(x, level)


_SHOWN = _Shown(maxstring=64, maxother=64, maxlong=40)


def shown(value: Any) -> str:  # noqa: ANN401 - any raw input value
    """``value`` as an error message shows it: a short ``repr``, whatever its size.

    An object or a list is described, never shown: it may hold anything, a secret under
    an ``api_key`` included, and an error message is logged and returned whole.
    """
    if isinstance(value, dict | list | tuple):
        return f"<{type(value).__name__} of {len(value)} items>"
    return _SHOWN.repr(value)
