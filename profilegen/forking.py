"""Work over a long list on two cores: the second half in a forked copy of this process, the first here,
the results in order. Used by read commands at 100,000 positions (`facts`, `check`), where every position is
worked out alone from inputs already loaded — the fork shares them instead of loading them again.

The child only computes: it writes its results (pickled) to a temporary file and leaves with `os._exit`,
touching no output, journal or lock of the parent. Whatever goes wrong in it (an error, a signal, a kill),
the parent works the second half out itself, so the result never depends on the child. Forking is used
only where it is safe and pays: Linux, two cores or more, no other thread running, and a long list.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

FORK_FROM = 20_000  # items from which a second process pays for itself


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def can_fork(items: int, least: int = FORK_FROM) -> bool:
    """Whether splitting ``items`` between two processes is safe and worth it here."""
    return (
        items >= least
        and sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and cores() >= 2
        and threading.active_count() == 1
    )


def in_two(
    items: Sequence[Item], work: Callable[[Sequence[Item]], Iterator[Result]], least: int = FORK_FROM
) -> Iterator[Result]:
    """``work(items)``'s results in order, the second half worked out in a forked child when `can_fork`."""
    if not can_fork(len(items), least):
        yield from work(items)
        return
    half = len(items) // 2
    gc.freeze()  # the objects both processes share stay untouched by the collector: fewer pages copied
    parent = os.getpid()
    try:
        with tempfile.TemporaryFile() as spool:
            child = os.fork()
            if child == 0:  # pragma: no cover - runs in the forked child, which leaves with os._exit
                _child(spool, work, items[half:], parent)
            yield from work(items[:half])
            yield from _collected(spool, child, work, items[half:])
    finally:
        gc.unfreeze()


def _child(
    spool: IO[bytes], work: Callable[[Sequence[Item]], Iterator[Result]], part: Sequence[Item], parent: int
) -> None:  # pragma: no cover
    code = 1  # whatever is raised ends here: the parent works the part out itself
    try:
        pickler = pickle.Pickler(spool, protocol=pickle.HIGHEST_PROTOCOL)
        for result in work(part):
            if os.getppid() != parent:  # the run is gone (a closed pipe, a kill): nobody reads the rest
                break
            pickler.dump(result)
            pickler.clear_memo()
        else:
            spool.flush()
            code = 0
    finally:
        os._exit(code)


def _collected(
    spool: IO[bytes], child: int, work: Callable[[Sequence[Item]], Iterator[Result]], part: Sequence[Item]
) -> Iterator[Result]:
    """The child's results, read back; the part worked out here when the child did not finish it."""
    _, status = os.waitpid(child, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        yield from work(part)
        return
    spool.seek(0)
    unpickler = pickle.Unpickler(spool)
    while True:
        try:
            result: Result = unpickler.load()
        except EOFError:
            return
        yield result
