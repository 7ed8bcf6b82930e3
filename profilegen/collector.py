"""The cyclic garbage collector held off while a command builds a large answer.

Python runs a full collection each time the objects it tracks have grown by a quarter: a check that takes
100,000 profiles' findings from its records, or a record read back at once, made millions of objects and paid for
passes over all of them (2 of a 9.5-s check). What such work makes holds no reference cycles worth finding
before it ends; reference counting frees everything else as before, and the collector runs again after.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside (as it was after, however it ends; nested, the outermost resumes it)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
