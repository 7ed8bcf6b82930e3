"""Work split between this process and a forked child: the same results in the same order, whatever the child does."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest

from profilegen.forking import can_fork, in_two

PARENT = os.getpid()


def _squares(part: Sequence[int]) -> Iterator[tuple[int, int, bool]]:
    return ((n, n * n, os.getpid() == PARENT) for n in part)


def _failing_in_child(part: Sequence[int]) -> Iterator[int]:
    for n in part:
        if os.getpid() != PARENT and n > 60:
            raise RuntimeError("the child fails")
        yield n


forkable = pytest.mark.skipif(not can_fork(2, least=1), reason="no fork here (one core, not Linux, or threads)")


@forkable
def test_the_second_half_is_worked_out_in_a_child_and_read_back_in_order() -> None:
    found = list(in_two(list(range(100)), _squares, least=10))
    assert [(n, sq) for n, sq, _ in found] == [(n, n * n) for n in range(100)]
    assert [here for _, _, here in found] == [True] * 50 + [False] * 50, "the second half came from the child"


@forkable
def test_a_child_that_fails_leaves_its_half_to_the_parent() -> None:
    assert list(in_two(list(range(100)), _failing_in_child, least=10)) == list(range(100))


def test_a_short_list_is_worked_out_here() -> None:
    found = list(in_two(list(range(5)), _squares, least=10))
    assert found == [(n, n * n, True) for n in range(5)]
