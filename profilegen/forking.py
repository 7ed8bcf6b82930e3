"""Work over a long list on two cores: stretches of it in a forked copy of this process, the rest here, the
results in order; and writing left to a forked copy while this process goes on (`behind`). Used by
read commands at 100,000 positions (`facts`, `check`), where every position is worked out alone from inputs
already loaded — the fork shares them instead of loading them again.

Each process takes the next stretch nobody has taken (a counter both share, moved under a lock the kernel drops
with its holder): this one also reads the child's results and does whatever its caller does with them, so it
takes fewer — at 100,000 profiles a check whose parent took every other stretch left the child idle for a
fifth of the run. The child only computes: it writes its results (pickled) to a temporary file, says through
a pipe which stretch it finished and where its results end, and leaves with `os._exit`, touching no output,
journal or lock of the parent.
Whatever goes wrong in it (an error, a signal, a kill), the parent works the stretches it did not finish out
itself, so the result never depends on the child. Forking is used only where it is safe and pays: Linux, two
cores or more, no other thread running, and a long list.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import mmap
import os
import pickle
import select
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
TURNS = 32  # stretches the list is cut into, each taken by whichever process is free (the longest wait: one)
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
    """``work(items)``'s results in order, stretches of ``items`` worked out in a forked child when `can_fork`
    (``work`` is called once per stretch: what it sets up once belongs outside it).

    The list is cut into ``turns`` stretches. This process goes through them in order: a stretch nobody has taken
    it takes and works out; one the child took it reads back when the child is done with it — and while the child
    is still at it, it takes and works out the next stretch nobody took (its results kept until their turn: one
    stretch at most). The child takes the next stretch nobody has taken, each time it is free."""
    if not can_fork(len(items), least):
        yield from work(items)
        return
    size = -(-len(items) // max(2, turns))
    stretches = [items[start : start + size] for start in range(0, len(items), size)]
    gc.freeze()  # the objects both processes share stay untouched by the collector: fewer pages copied
    parent = os.getpid()
    try:
        with tempfile.TemporaryFile() as spool:
            try:
                claims = _Claims(spool.fileno(), len(stretches))
            except OSError:  # a temporary folder whose file system takes no record locks: the work done here
                yield from work(items)
                return
            done_r, done_w = os.pipe()
            child = os.fork()
            if child == 0:  # pragma: no cover - runs in the forked child, which leaves with os._exit
                os.close(done_r)
                _child(spool, done_w, work, stretches, claims, parent)
            os.close(done_w)
            back = _Back(spool.fileno(), done_r, child)
            ahead: tuple[int, list[Result]] | None = None  # a stretch worked out here before its turn
            try:
                for index, stretch in enumerate(stretches):
                    if ahead is not None and ahead[0] == index:
                        yield from ahead[1]
                        ahead = None
                    elif claims.here(index):
                        yield from work(stretch)
                    else:  # the child's: while it is still at it, the next stretch nobody took is worked out here
                        if ahead is None and not back.ready() and (taken := claims.next()) is not None:
                            ahead = (taken, list(work(stretches[taken])))
                        yield from back.results(work, stretch, index)
            finally:
                back.close()
                claims.close()
    finally:
        gc.unfreeze()


class _Claims:
    """Which stretches are taken: a counter in memory both processes share, moved under a lock on the spool
    (a POSIX record lock: each process's own, dropped by the kernel if its holder dies holding it)."""

    def __init__(self, lock: int, total: int) -> None:
        self.lock, self.total = lock, total
        fcntl.lockf(lock, fcntl.LOCK_EX, 1, 0)  # one that cannot be taken is found out here, before any fork
        fcntl.lockf(lock, fcntl.LOCK_UN, 1, 0)
        self.memory = mmap.mmap(-1, 8)  # anonymous and shared: the child sees what this process writes

    @contextlib.contextmanager
    def _held(self) -> Iterator[int]:
        fcntl.lockf(self.lock, fcntl.LOCK_EX, 1, 0)
        try:
            yield struct.unpack_from("<Q", self.memory)[0]
        finally:
            fcntl.lockf(self.lock, fcntl.LOCK_UN, 1, 0)

    def here(self, index: int) -> bool:
        """Whether the stretch at ``index`` (this process's next) is taken here: nobody took it yet."""
        with self._held() as taken:
            if taken > index:  # the child took it (one this process took ahead is kept apart by the caller)
                return False
            struct.pack_into("<Q", self.memory, 0, index + 1)
            return True

    def next(self) -> int | None:
        """The next stretch nobody has taken, now taken by the caller (None: all are taken)."""
        with self._held() as taken:
            if taken >= self.total:
                return None
            struct.pack_into("<Q", self.memory, 0, taken + 1)
            return int(taken)

    def close(self) -> None:
        self.memory.close()


def _child(
    spool: IO[bytes],
    done: int,
    work: Callable[[Sequence[Item]], Iterator[Result]],
    stretches: Sequence[Sequence[Item]],
    claims: _Claims,
    parent: int,
) -> None:  # pragma: no cover
    code = 1  # whatever is raised ends here: the parent works the rest out itself
    try:
        pickler = pickle.Pickler(spool, protocol=pickle.HIGHEST_PROTOCOL)
        while (index := claims.next()) is not None:
            for result in work(stretches[index]):
                pickler.dump(result)
                pickler.clear_memo()
            spool.flush()
            if os.getppid() != parent:  # the run is gone (a closed pipe, a kill): nobody reads the rest
                break
            os.write(done, struct.pack("<QQ", index, spool.tell()))  # which stretch, and where its results end
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

    def results(
        self, work: Callable[[Sequence[Item]], Iterator[Result]], stretch: Sequence[Item], index: int
    ) -> Iterator[Result]:
        end = None if self.failed else self._next_end(index)
        if end is None:
            self.failed = True
            yield from work(stretch)
            return
        # the stretch's results read at once (a read per result, and an unpickler each, cost a tenth of a second
        # at 50,000), then one after another: the child's pickler starts each afresh (its memo cleared)
        data = _read_at(self.spool, self.read_to, end)
        self.read_to = end
        results = io.BytesIO(data)
        while results.tell() < len(data):
            result: Result = pickle.load(results)
            yield result

    def ready(self) -> bool:
        """Whether the child has said it finished another stretch (or left): reading it back will not wait."""
        return self.failed or bool(select.select([self.done], [], [], 0)[0])

    def _next_end(self, index: int) -> int | None:
        said = b""
        while len(said) < 16:
            more = os.read(self.done, 16 - len(said))
            if not more:  # the child left without finishing this stretch
                return None
            said += more
        finished, end = struct.unpack("<QQ", said)
        return int(end) if finished == index else None  # the child finishes its stretches in order: never other

    def close(self) -> None:
        """The child is done, or (the results no longer wanted, or one it sent failed here) is ended."""
        os.close(self.done)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.child, signal.SIGKILL)  # it has written all it will be asked for, or is not wanted
        os.waitpid(self.child, 0)


def _read_at(fd: int, start: int, end: int) -> bytes:
    """Bytes ``start``..``end`` of a file, read at their own offsets (the descriptor's is shared with the child)."""
    chunks = []
    while start < end:
        data = os.pread(fd, end - start, start)
        if not data:
            break
        chunks.append(data)
        start += len(data)
    return b"".join(chunks)


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
