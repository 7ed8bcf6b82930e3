"""Work split between this process and a forked child: the same results in the same order, whatever the child does."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from profilegen.forking import _BEHIND, behind, can_fork, in_two, settle

PARENT = os.getpid()


def _squares(part: Sequence[int]) -> Iterator[tuple[int, int, bool]]:
    return ((n, n * n, os.getpid() == PARENT) for n in part)


def _failing_in_child(part: Sequence[int]) -> Iterator[int]:
    for n in part:
        if os.getpid() != PARENT and n > 60:
            raise RuntimeError("the child fails")
        yield n


forkable = pytest.mark.skipif(not can_fork(2, least=1), reason="no fork here (one core, not Linux, or threads)")


def _slow_here(part: Sequence[int]) -> Iterator[tuple[int, bool]]:
    """The work, slow in this process (as when it also reads the child's results and answers with them)."""
    for n in part:
        if os.getpid() == PARENT:
            time.sleep(0.002)
        yield n, os.getpid() == PARENT


@forkable
def test_stretches_are_shared_with_a_child_and_read_back_in_order() -> None:
    found = list(in_two(list(range(100)), _squares, least=10, turns=4))
    assert [(n, sq) for n, sq, _ in found] == [(n, n * n) for n in range(100)]
    quarters = {tuple(here for _, _, here in found[start : start + 25]) for start in range(0, 100, 25)}
    assert quarters <= {(True,) * 25, (False,) * 25}, "a stretch is worked out whole, here or in the child"


@forkable
def test_the_busier_process_takes_fewer_stretches() -> None:
    """Each takes the next stretch nobody took: the child, quicker here, takes most of them."""
    found = list(in_two(list(range(200)), _slow_here, least=10, turns=20))
    assert [n for n, _ in found] == list(range(200))
    here = [found[start][1] for start in range(0, 200, 10)]
    assert here.count(False) > here.count(True), here


@forkable
def test_a_child_that_fails_leaves_what_it_did_not_finish_to_the_parent() -> None:
    found = list(in_two(list(range(100)), _failing_in_child, least=10, turns=4))
    assert found == list(range(100))


@forkable
def test_the_child_stretch_finished_before_it_failed_is_still_read_back() -> None:
    def work(part: Sequence[int]) -> Iterator[tuple[int, bool]]:
        for n in part:
            if os.getpid() != PARENT and n >= 150:
                os._exit(3)  # a crash, not an exception
            yield from _slow_here([n])

    found = list(in_two(list(range(200)), work, least=10, turns=20))
    assert [n for n, _ in found] == list(range(200))
    assert not all(here for _, here in found[:150]), "what the child finished before it crashed came from it"
    assert all(here for _, here in found[150:]), "the stretch it crashed in, and the rest, were worked out here"


@forkable
def test_leaving_early_ends_the_child() -> None:
    results = in_two(list(range(100_000)), _squares, least=10, turns=4)
    assert next(results)[0] == 0
    results.close()  # the reader stops: the child is killed and reaped, no zombie left
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_short_list_is_worked_out_here() -> None:
    found = list(in_two(list(range(5)), _squares, least=10))
    assert found == [(n, n * n, True) for n in range(5)]


def _shared_parts(part: Sequence[int]) -> Iterator[tuple[list[int], list[int], str]]:
    for n in part:
        both = [n, n + 1]
        yield both, both, f"number {n}"  # one object twice in a result: pickled once, referred to again


@forkable
def test_results_that_hold_an_object_twice_are_read_back_whole() -> None:
    found = list(in_two(list(range(100)), _shared_parts, least=10, turns=4))
    assert found == [([n, n + 1], [n, n + 1], f"number {n}") for n in range(100)]
    assert all(first is second for first, second, _ in found)


def _write_pid(path: Path, pause: float = 0.0) -> None:
    time.sleep(pause)
    path.write_text(str(os.getpid()), encoding="utf-8")


@forkable
def test_work_left_behind_is_done_by_a_child_that_a_stop_does_not_cut_short(tmp_path: Path) -> None:
    written = tmp_path / "record"
    behind(lambda: _write_pid(written, pause=0.3))
    time.sleep(0.05)
    for child in _BEHIND:
        os.kill(child, signal.SIGINT)  # what a Ctrl-C sends it too: ignored, the record is finished
    assert not written.exists(), "left to the child while this goes on"
    assert settle() == 0
    assert int(written.read_text(encoding="utf-8")) != PARENT

    behind(lambda: _write_pid(tmp_path / "missing" / "record"))  # fails: said by how many failed
    assert settle() == 1


def test_work_beside_a_running_thread_is_done_here_and_now(tmp_path: Path) -> None:
    """A process with another thread running is never forked (the copy would hold only this thread, and any lock
    the other held): the record is written here before `behind` returns."""
    written, stop = tmp_path / "record", threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        behind(lambda: _write_pid(written))
        assert int(written.read_text(encoding="utf-8")) == PARENT
    finally:
        stop.set()
        other.join()
    assert settle() == 0  # nothing left to wait for


def test_claims_that_cannot_be_locked_are_found_out_before_any_fork() -> None:
    """`in_two` works here when the temporary folder takes no record locks: the lock is tried first."""
    from profilegen.forking import _Claims

    read, write = os.pipe()
    try:
        with pytest.raises(OSError):
            _Claims(read, 4)
    finally:
        os.close(read)
        os.close(write)
