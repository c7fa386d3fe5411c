"""Pausing Python's cyclic garbage collector around large in-memory batch work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector off for the block, back to its earlier state afterwards.

    For batch work that builds millions of small, acyclic objects which all live until it ends (a
    TPP month's employee-day facts, the demo generator's rows): every full collection would walk all
    of them again for nothing. Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
