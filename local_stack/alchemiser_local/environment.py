"""Changes to this process's environment that are undone on exit, whatever happens inside.

boto3 and the functions' settings read the process environment, so the local stack sets
it (the emulator's endpoint and credentials, the functions' variables) for as long as a
session runs, and gives the caller back exactly what it had.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

__all__ = ["patched_environ"]


@contextmanager
def patched_environ(values: Mapping[str, str], *, unset: Iterable[str] = ()) -> Iterator[None]:
    """Set ``values`` and remove ``unset`` inside the block; restore every key on exit."""
    removed = tuple(unset)
    saved = {key: os.environ.get(key) for key in (*values, *removed)}
    for key in removed:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
