"""Pausing Python's cyclic garbage collector around loops that build many small acyclic objects.

Its passes over the growing heap cost a large share of such loops (feature rows, reason dicts), and
those objects are freed by reference counting anyway.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; re-enabled afterwards only if it was enabled before
    (another thread may have paused it too)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
