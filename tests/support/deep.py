"""Structures nested thousands of levels deep, built without recursion."""

from __future__ import annotations

from typing import Any


def deep_list(depth: int) -> list[Any]:
    """A list nested ``depth`` levels: ``[[[...]]]``."""
    root: list[Any] = []
    node = root
    for _ in range(depth - 1):
        child: list[Any] = []
        node.append(child)
        node = child
    return root


def deep_dict(depth: int) -> dict[str, Any]:
    """An object nested ``depth`` levels: ``{"a": {"a": ...}}``."""
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth - 1):
        child: dict[str, Any] = {}
        node["a"] = child
        node = child
    return root
