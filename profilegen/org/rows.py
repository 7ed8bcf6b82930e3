"""An org structure as "level columns" rows (one per staff slot), the layout HR spreadsheets use."""

from __future__ import annotations

from collections.abc import Iterator

from profilegen.org.model import OrgStructure


def level_rows(org: OrgStructure, first_level: int = 2) -> Iterator[list[str]]:
    """Header, then one row per staff slot; a unit's name repeats to the right of its path."""
    depth = max(len(path) for path in org.units)
    marked = org.marked_heads  # a "Руководитель" column only when heads are marked
    head_column = ["Руководитель"] if marked else []
    yield ["Номер", *(f"Уровень {first_level + i}" for i in range(depth)), "Должность", *head_column]
    for unit in org.units.values():
        padded = [*unit.path, *([unit.path[-1]] * (depth - len(unit.path)))]
        for position in unit.positions:
            head = ["да" if marked.get(unit.path) == position.title else ""] if marked else []
            for _ in range(position.headcount):
                yield [unit.code or "", *padded, position.title, *head]
