"""The cyclic garbage collector paused while a large, acyclic structure is built.

Loading a pack and compiling it make many small containers and closures and no reference cycles: what
is dropped is freed by its reference count. Yet the collector runs every 700 allocations and, as what
is built outlives a run or two, walks everything kept so far again and again: at 10,000 rules, a fifth
of loading and four fifths of compiling.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off for the block, and back as it was after it (an outer pause stays in force)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
