"""The organisation model: units identified by path, positions by (unit path, title)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

UnitPath = tuple[str, ...]

DEFAULT_HEAD_TITLES: tuple[str, ...] = (
    "руководитель",
    "директор",
    "начальник",
    "заведующий",
    "управляющий",
    "бригадир",
    "head",
    "director",
    "chief",
)


def format_path(path: Sequence[str]) -> str:
    """A unit path as users type and read it."""
    return " / ".join(path)


@dataclass(frozen=True, slots=True)
class Position:
    """A job title within a unit, with the number of staff slots it has."""

    unit_path: UnitPath
    title: str
    headcount: int = 1

    @property
    def key(self) -> tuple[UnitPath, str]:
        return (self.unit_path, self.title)

    def __reduce__(self) -> tuple[Any, ...]:  # a frozen dataclass's own unpickling looks its fields up each time
        return (Position, (self.unit_path, self.title, self.headcount))


@dataclass(slots=True)
class Unit:
    """A unit of the organisation; its identity is its path."""

    path: UnitPath
    code: str | None = None
    positions: list[Position] = field(default_factory=list)
    children: list[UnitPath] = field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:  # as Position's (the org as last parsed is kept pickled)
        return (Unit, (self.path, self.code, self.positions, self.children))

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def depth(self) -> int:
        return len(self.path)

    @property
    def headcount(self) -> int:
        """Own staff slots, children not included."""
        return sum(p.headcount for p in self.positions)


class OrgStructure:
    """Units by path, in the order the source listed them; parents always exist."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self.sha256 = ""  # of the bytes parsed (set by the loader)
        self.units: dict[UnitPath, Unit] = {}
        self.memo: dict[Any, Any] = {}  # derived facts (roles, nearby units); cleared whenever the org changes
        self.marked_heads: dict[UnitPath, str] = {}  # heads marked in the source (a "Руководитель: да" column)

    # -- building -------------------------------------------------------------
    def ensure_unit(self, path: UnitPath, code: str | None = None) -> Unit:
        """Return the unit at ``path``, creating it and its ancestors as needed."""
        self.memo.clear()
        unit = self.units.get(path)
        if unit is None:
            if len(path) > 1:
                self.ensure_unit(path[:-1]).children.append(path)
            unit = Unit(path=path, code=code)
            self.units[path] = unit
        elif code and not unit.code:
            unit.code = code
        return unit

    def add_position(self, path: UnitPath, title: str, headcount: int = 1, code: str | None = None) -> None:
        """Add ``headcount`` slots of ``title`` to the unit at ``path``."""
        self.memo.clear()
        unit = self.ensure_unit(path, code)
        path = unit.path  # one tuple per unit, not one per row: 100,000 rows repeat a few thousand paths
        for i, existing in enumerate(unit.positions):
            if existing.title == title:
                unit.positions[i] = Position(path, title, existing.headcount + headcount)
                return
        unit.positions.append(Position(path, title, headcount))

    # -- reading --------------------------------------------------------------
    @property
    def roots(self) -> list[Unit]:
        return [u for u in self.units.values() if len(u.path) == 1]

    def positions(self) -> Iterator[Position]:
        for unit in self.units.values():
            yield from unit.positions

    def subtree(self, path: UnitPath) -> Iterator[Unit]:
        """The unit at ``path`` and all its descendants, depth first."""
        unit = self.units[path]
        yield unit
        for child in unit.children:
            yield from self.subtree(child)

    def total_headcount(self, path: UnitPath) -> int:
        """Staff slots of the unit and everything below it."""
        key = ("total", path)
        if key not in self.memo:
            unit = self.units[path]
            self.memo[key] = unit.headcount + sum(self.total_headcount(c) for c in unit.children)
        total: int = self.memo[key]
        return total
