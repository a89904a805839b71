"""What a Lambda container keeps between invocations, and how to forget all of it.

Clients, settings, secrets, adapters and task brokers are built once per container.
Each module that keeps such a cache declares it here (``container_cache`` or
``on_new_container``) where it defines it, so ``new_container()`` forgets every one
without a list to keep in step: a cache added later cannot be missed.

Lambda gets a fresh container by starting one; the local stack and the tests live
many containers' lifetimes in one process, and move the emulator between them.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Cached", "container_cache", "new_container", "on_new_container"]


class Cached[**P, R](Protocol):
    """A function whose results are kept for the container's life."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """The cached result for these arguments (computed on first call)."""
        ...

    def cache_clear(self) -> None:
        """Forget every result (``new_container`` does this for every cache)."""
        ...


#: Called in declaration order by ``new_container``.
_RESETS: list[Callable[[], None]] = []


def on_new_container[F: Callable[[], None]](reset: F) -> F:
    """Declare ``reset`` as what forgets one module's container state."""
    _RESETS.append(reset)
    return reset


def container_cache[**P, R](fn: Callable[P, R]) -> Cached[P, R]:
    """``functools.cache``, forgotten by ``new_container``: one value per container."""
    cached = cache(fn)
    on_new_container(cached.cache_clear)
    return cached


def new_container() -> None:
    """Forget what a container keeps between invocations: the next one is a cold start."""
    for reset in _RESETS:
        reset()
