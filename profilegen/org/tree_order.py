"""Positions in the tree's order: those in the units under any unit are one stretch of them, found by bisection."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from profilegen.org.model import Position, UnitPath


class InTree:
    """Positions in the tree's order (added so) with their unit paths: those under a unit are one stretch."""

    __slots__ = ("paths", "positions")

    def __init__(self) -> None:
        self.paths: list[UnitPath] = []
        self.positions: list[Position] = []

    def add(self, path: UnitPath, position: Position) -> None:
        self.paths.append(path)
        self.positions.append(position)

    def within(self, scope: UnitPath) -> tuple[int, int]:
        """The stretch of positions in ``scope`` and the units under it."""
        start = bisect_left(self.paths, scope)
        return start, bisect_left(self.paths, (*scope, _AFTER_ANY), start)

    def under(self, scope: UnitPath) -> tuple[int, int]:
        """The stretch of positions in units under ``scope`` (not in ``scope`` itself)."""
        start = bisect_right(self.paths, scope)  # after the scope's own positions: a path below it sorts after them
        end = bisect_left(self.paths, (*scope, _AFTER_ANY), start)
        return start, end


_AFTER_ANY = "\U0010ffff" * 8  # sorts after any unit name
