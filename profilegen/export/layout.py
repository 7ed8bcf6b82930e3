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
        self._checked: dict[UnitPath, Path] = {}
        self._resolved_out: Path | None = None
        self._stem_cache: dict[tuple[UnitPath, str, str | None], Path] = {}
        self._stems: dict[UnitPath, dict[str, str]] = {
            path: folder_names(p.title for p in unit.positions) for path, unit in org.units.items()
        }

    @property
    def known_units(self) -> set[UnitPath]:
        return set(self._dirs)

    def unit_dir(self, path: UnitPath) -> Path:
        return self.out.joinpath(*self._dirs[path])

    def checked_dir(self, path: UnitPath) -> Path:
        """The unit's folder, resolved once and checked to stay inside OUT (symlinks included).

        File names are single safe parts, and files are replaced by rename (which replaces a
        planted link rather than writing through it), so checking the folder is enough.
        """
        checked = self._checked.get(path)
        if checked is None:
            parent = self.checked_dir(path[:-1]) if len(path) > 1 else self._root()
            candidate = parent / self._dirs[path][-1]
            # Only a symlink can lead out of a checked parent (the name itself is one safe part).
            checked = inside(self.out, candidate) if candidate.is_symlink() else candidate
            self._checked[path] = checked
        return checked

    def _root(self) -> Path:
        if self._resolved_out is None:
            self._resolved_out = self.out.resolve()
        return self._resolved_out

    def stem(self, path: UnitPath, title: str, employee_name: str | None = None) -> Path:
        """The position's path without extension, inside OUT."""
        key = (path, title, employee_name)
        stem = self._stem_cache.get(key)
        if stem is None:
            name = self._stems[path].get(title) or folder_names([title])[title]
            if employee_name:
                name = f"{name} ({folder_names([employee_name])[employee_name]})"
            stem = self._stem_cache[key] = self.checked_dir(path) / name
        return stem

    def file(self, path: UnitPath, title: str, fmt: str, employee_name: str | None = None) -> Path:
        stem = self.stem(path, title, employee_name)
        return stem.with_name(f"{stem.name}.{fmt}")
