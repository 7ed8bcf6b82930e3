"""Where each position's files go under OUT: `<unit path parts>/<position>[ (<employee>)].<ext>`."""

from __future__ import annotations

from pathlib import Path

from profilegen.export.paths import folder_names, inside
from profilegen.org.model import OrgStructure, UnitPath


class OutputLayout:
    """Safe, collision-free, stable relative paths for every unit and position of an org."""

    def __init__(self, org: OrgStructure, out: Path) -> None:
        self.out = out
        self._dirs: dict[UnitPath, tuple[str, ...]] = {}
        top = folder_names(u.name for u in org.roots)
        for unit in org.roots:
            self._dirs[unit.path] = (top[unit.name],)
        for path in sorted(org.units, key=len):
            children = org.units[path].children
            names = folder_names(c[-1] for c in children)
            for child in children:
                self._dirs[child] = (*self._dirs[path], names[child[-1]])
        self._stems: dict[UnitPath, dict[str, str]] = {
            path: folder_names(p.title for p in unit.positions) for path, unit in org.units.items()
        }

    def unit_dir(self, path: UnitPath) -> Path:
        return self.out.joinpath(*self._dirs[path])

    def stem(self, path: UnitPath, title: str, employee_name: str | None = None) -> Path:
        """The position's path without extension, checked to stay inside OUT."""
        name = self._stems[path].get(title) or folder_names([title])[title]
        if employee_name:
            name = f"{name} ({folder_names([employee_name])[employee_name]})"
        return inside(self.out, self.unit_dir(path) / name)

    def file(self, path: UnitPath, title: str, fmt: str, employee_name: str | None = None) -> Path:
        stem = self.stem(path, title, employee_name)
        return stem.with_name(f"{stem.name}.{fmt}")
