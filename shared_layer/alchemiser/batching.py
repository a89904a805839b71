"""Splitting a sequence into the batches an AWS API accepts: a count and a byte budget.

PutEvents (10 entries, 1 MB) and PutLogEvents (10,000 events, 1 MB) bound a call the same
way; one splitter keeps the order and never yields an empty batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

__all__ = ["bounded_batches"]


def bounded_batches[T](
    items: Iterable[T], *, max_items: int, max_bytes: int, size: Callable[[T], int]
) -> Iterator[list[T]]:
    """``items`` in order, in batches of at most ``max_items`` and ``max_bytes``.

    An item larger than ``max_bytes`` on its own still gets a batch (callers check single
    items against their own limit first).
    """
    batch: list[T] = []
    total = 0
    for item in items:
        item_size = size(item)
        if batch and (len(batch) == max_items or total + item_size > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += item_size
    if batch:
        yield batch
