"""The organisation model: units identified by path, positions by (unit path, title)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

UnitPath = tuple[str, ...]

DEFAULT_HEAD_TITLES: tuple[str, ...] = (
    "руководитель",
    "директор",
    "начальник",
    "заведующий",
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


@dataclass(slots=True)
class Unit:
    """A unit of the organisation; its identity is its path."""

    path: UnitPath
    code: str | None = None
    positions: list[Position] = field(default_factory=list)
    children: list[UnitPath] = field(default_factory=list)

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


@dataclass(frozen=True, slots=True)
class Subordinates:
    """Who a position manages, taken from the org graph."""

    units: tuple[str, ...] = ()
    people: int = 0


class OrgStructure:
    """Units by path, in the order the source listed them; parents always exist."""

    def __init__(self, source: str = "") -> None:
        self.source = source
        self.units: dict[UnitPath, Unit] = {}
        self.memo: dict[Any, Any] = {}  # derived facts (heads, nearby units); cleared whenever the org changes

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
        return sum(u.headcount for u in self.subtree(path))

    def head_of(self, path: UnitPath, head_titles: Sequence[str] = DEFAULT_HEAD_TITLES) -> Position | None:
        """The position that heads a unit: the first whose title starts with a head word."""
        key = ("head", path, tuple(head_titles))
        if key not in self.memo:
            unit = self.units.get(path)
            positions = unit.positions if unit is not None else []
            self.memo[key] = next((p for p in positions if is_head_title(p.title, tuple(head_titles))), None)
        head: Position | None = self.memo[key]
        return head

    def subordinates(self, position: Position, head_titles: Sequence[str] = DEFAULT_HEAD_TITLES) -> Subordinates:
        """A head manages its unit's children and everyone in its unit plus the heads of child units."""
        if self.head_of(position.unit_path, head_titles) != position:
            return Subordinates()
        unit = self.units[position.unit_path]
        people = unit.headcount - 1
        people += sum(1 for child in unit.children if self.head_of(child, head_titles) is not None)
        return Subordinates(units=tuple(c[-1] for c in unit.children), people=people)


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_DEPUTY_WORDS = frozenset({"заместитель", "помощник", "ассистент", "deputy", "assistant", "vice"})


@lru_cache(maxsize=8192)
def is_head_title(title: str, head_titles: tuple[str, ...] = DEFAULT_HEAD_TITLES) -> bool:
    """A title heads its unit when one of its first two words is a head word and it is no deputy's.

    "Руководитель отдела" and "Финансовый директор" head; "Заместитель директора" does not.
    """
    first_words = _WORD.findall(title.casefold())[:2]
    if not first_words or first_words[0] in _DEPUTY_WORDS:
        return False
    heads = {h.casefold() for h in head_titles}
    return any(w in heads for w in first_words)
