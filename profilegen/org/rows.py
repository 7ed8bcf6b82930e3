"""An org structure as "level columns" rows (one per staff slot), the layout HR spreadsheets use."""

from __future__ import annotations

from collections.abc import Iterator

from profilegen.org.model import OrgStructure


def level_rows(org: OrgStructure, first_level: int = 2) -> Iterator[list[str]]:
    """Header, then one row per staff slot; a unit's name repeats to the right of its path."""
    depth = max(len(path) for path in org.units)
    yield ["Номер", *(f"Уровень {first_level + i}" for i in range(depth)), "Должность"]
    for unit in org.units.values():
        padded = [*unit.path, *([unit.path[-1]] * (depth - len(unit.path)))]
        for position in unit.positions:
            for _ in range(position.headcount):
                yield [unit.code or "", *padded, position.title]
