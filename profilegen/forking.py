"""Work over a long list on two cores: every other stretch of it in a forked copy of this process, the rest
here, the results in order; and writing left to a forked copy while this process goes on (`behind`). Used by
read commands at 100,000 positions (`facts`, `check`), where every position is worked out alone from inputs
already loaded — the fork shares them instead of loading them again.

The child only computes: it writes its results (pickled) to a temporary file, says through a pipe where
each stretch's results end, and leaves with `os._exit`, touching no output, journal or lock of the parent.
Whatever goes wrong in it (an error, a signal, a kill), the parent works the stretches it did not finish out
itself, so the result never depends on the child. Forking is used only where it is safe and pays: Linux, two
cores or more, no other thread running, and a long list.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import IO, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

FORK_FROM = 20_000  # items from which a second process pays for itself
TURNS = 16  # stretches the list is cut into, taken in turn (the longest either process waits: one stretch)
_BEHIND: list[int] = []  # the forked copies writing what `behind` left them


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
    items: Sequence[Item],
    work: Callable[[Sequence[Item]], Iterator[Result]],
    least: int = FORK_FROM,
    turns: int = TURNS,
) -> Iterator[Result]:
    """``work(items)``'s results in order, with every other stretch of ``items`` worked out in a forked child
    when `can_fork` (``work`` is called once per stretch: what it sets up once belongs outside it).

    The list is cut into ``turns`` stretches taken in turn — here the first, the child the second, here the
    third — so neither process waits for the other longer than one stretch takes, whichever part of the list
    is heavier. The child's results are read back as each of its stretches is done."""
    if not can_fork(len(items), least):
        yield from work(items)
        return
    size = -(-len(items) // max(2, turns))
    stretches = [items[start : start + size] for start in range(0, len(items), size)]
    gc.freeze()  # the objects both processes share stay untouched by the collector: fewer pages copied
    parent = os.getpid()
    try:
        with tempfile.TemporaryFile() as spool:
            done_r, done_w = os.pipe()
            child = os.fork()
            if child == 0:  # pragma: no cover - runs in the forked child, which leaves with os._exit
                os.close(done_r)
                _child(spool, done_w, work, stretches[1::2], parent)
            os.close(done_w)
            back = _Back(spool.fileno(), done_r, child)
            try:
                for index, stretch in enumerate(stretches):
                    yield from (work(stretch) if index % 2 == 0 else back.results(work, stretch))
            finally:
                back.close()
    finally:
        gc.unfreeze()


def _child(
    spool: IO[bytes],
    done: int,
    work: Callable[[Sequence[Item]], Iterator[Result]],
    stretches: Sequence[Sequence[Item]],
    parent: int,
) -> None:  # pragma: no cover
    code = 1  # whatever is raised ends here: the parent works the rest out itself
    try:
        pickler = pickle.Pickler(spool, protocol=pickle.HIGHEST_PROTOCOL)
        for stretch in stretches:
            for result in work(stretch):
                pickler.dump(result)
                pickler.clear_memo()
            spool.flush()
            if os.getppid() != parent:  # the run is gone (a closed pipe, a kill): nobody reads the rest
                break
            os.write(done, struct.pack("<Q", spool.tell()))  # where this stretch's results end
        else:
            code = 0
    finally:
        os._exit(code)


class _Back:
    """The child's results, stretch by stretch, as it says each is done; a stretch it never finished (an
    error, a signal, a kill) and every one after it are worked out here."""

    def __init__(self, spool: int, done: int, child: int) -> None:
        self.spool, self.done, self.child = spool, done, child
        self.read_to = 0  # the child's results read so far (the spool's own offset is the child's)
        self.failed = False

    def results(self, work: Callable[[Sequence[Item]], Iterator[Result]], stretch: Sequence[Item]) -> Iterator[Result]:
        end = None if self.failed else self._next_end()
        if end is None:
            self.failed = True
            yield from work(stretch)
            return
        results = _Slice(self.spool, self.read_to, end)
        self.read_to = end
        while True:
            try:  # an unpickler a result: the child's pickler starts each one afresh (its memo cleared)
                result: Result = pickle.Unpickler(results).load()
            except EOFError:
                return
            yield result

    def _next_end(self) -> int | None:
        said = b""
        while len(said) < 8:
            more = os.read(self.done, 8 - len(said))
            if not more:  # the child left without finishing this stretch
                return None
            said += more
        end: int = struct.unpack("<Q", said)[0]
        return end

    def close(self) -> None:
        """The child is done, or (the results no longer wanted, or one it sent failed here) is ended."""
        os.close(self.done)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.child, signal.SIGKILL)  # it has written all it will be asked for, or is not wanted
        os.waitpid(self.child, 0)


class _Slice:
    """Bytes ``start``..``end`` of a file, read at their own offsets (the descriptor's is shared with the child)."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        self.fd, self.at, self.end = fd, start, end

    def read(self, size: int = -1) -> bytes:
        size = self.end - self.at if size < 0 else min(size, self.end - self.at)
        data = os.pread(self.fd, size, self.at) if size > 0 else b""
        self.at += len(data)
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self) -> bytes:  # pickle asks for lines only for protocols below 4's framing
        data = os.pread(self.fd, self.end - self.at, self.at)
        line = data[: data.find(b"\n") + 1 or len(data)]
        self.at += len(line)
        return line


def behind(work: Callable[[], None]) -> None:
    """``work()`` (writing a record nothing here reads again) done in a forked copy of this process while this one
    goes on — answering, printing — when `can_fork`; else done here, now. The copy ignores the
    signals that stop a command, so what it writes is whole; `settle` waits for it (each command's end does, and
    so does whatever reads that record next). A failure in it only leaves the record unwritten."""
    if not can_fork(1, 1):
        work()
        return
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child, which leaves with os._exit
        code = 1
        try:
            for name in ("SIGINT", "SIGTERM", "SIGHUP"):
                if hasattr(signal, name):
                    signal.signal(getattr(signal, name), signal.SIG_IGN)
            work()
            code = 0
        finally:
            os._exit(code)
    _BEHIND.append(child)


def settle() -> int:
    """Wait until the work `behind` left to forked copies is done; how many of them failed."""
    failed = 0
    while _BEHIND:
        child = _BEHIND.pop()
        with contextlib.suppress(ChildProcessError):
            _pid, status = os.waitpid(child, 0)
            failed += os.waitstatus_to_exitcode(status) != 0
    return failed
