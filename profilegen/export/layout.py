"""Where each position's files go under OUT: `<unit path parts>/<position>[ (<employee>)].<ext>`."""

from __future__ import annotations

import os
from pathlib import Path

from profilegen.export.paths import MIN_SHORT, Recent, folder_names, format_file, inside, shorten
from profilegen.org.model import OrgStructure, UnitPath

MAX_PATH = 240  # whole path, OUT included: under Windows' classic 260 with room to spare
LONGEST_SUFFIX = len(".new.docx")
KEEP_NAME = 60
UNITS_KEPT = 256  # units whose positions' file stems are remembered
STEMS_KEPT = 8192  # positions whose paths are remembered


class OutputLayout:
    """Safe, collision-free, stable relative paths for every unit and position of an org.

    Paths stay under MAX_PATH characters: where a deep unit would push them over, its folder name
    (and then the file name) is shortened, keeping a suffix from the hash of the full name.
    """

    def __init__(self, org: OrgStructure, out: Path, base: int | None = None) -> None:
        """``base``: the length of the OUT path the names are made for (`workspace.layout_base`; OUT's now when
        not given)."""
        self.out = out
        self._base = (base if base is not None else len(str(out.resolve()))) + 1
        self._stems: dict[UnitPath, dict[str, str]] = {
            path: folder_names(p.title for p in unit.positions) for path, unit in org.units.items()
        }
        names: dict[UnitPath, str] = {}
        for parent in [(), *org.units]:
            children = [u.path for u in org.roots] if parent == () else org.units[parent].children
            safe = folder_names(c[-1] for c in children)
            names.update((child, safe[child[-1]]) for child in children)
        tail, least = self._tails(org, names)
        self._dirs: dict[UnitPath, tuple[str, ...]] = {}
        self._used: dict[UnitPath, int] = {}
        for path in sorted(org.units, key=len):
            above = self._dirs.get(path[:-1], ())
            used = self._used.get(path[:-1], self._base)
            name = names[path]
            if used + len(name) + 1 + tail[path] > MAX_PATH:  # too long: leave the levels below their minimum
                name = shorten(name, path[-1], MAX_PATH - used - 1 - least[path])
            self._dirs[path] = (*above, name)
            self._used[path] = used + len(name) + 1  # OUT and the unit's folders: what its file names may add to
        # as a Path, the recent units only (every unit's held 20 MB at 100,000 positions; the text is kept for all)
        self._checked: Recent[UnitPath, Path] = Recent(UNITS_KEPT)
        self._checked_text: dict[UnitPath, str] = {}
        self._resolved_out: Path | None = None
        # the recent positions' paths only (100,000 held took 70 MB): a run asks for one's a few times in a row
        self._stem_cache: Recent[tuple[UnitPath, str, str | None], Path] = Recent(STEMS_KEPT)
        self._unit_stems: Recent[UnitPath, list[str]] = Recent(UNITS_KEPT)

    def _tails(self, org: OrgStructure, names: dict[UnitPath, str]) -> tuple[dict[UnitPath, int], dict[UnitPath, int]]:
        """Per unit: the longest path below its folder as named, and the shortest it could be made."""
        tail: dict[UnitPath, int] = {}
        least: dict[UnitPath, int] = {}
        for path in sorted(org.units, key=len, reverse=True):
            stems = self._stems[path].values()
            own = max((len(s) for s in stems), default=-LONGEST_SUFFIX) + LONGEST_SUFFIX
            # file names matter more to HR than deep folder names: folders give way first
            own_least = min(own, KEEP_NAME + LONGEST_SUFFIX) if stems else 0
            children = org.units[path].children
            tail[path] = max([own, *(len(names[c]) + 1 + tail[c] for c in children)])
            least[path] = max([own_least, *(MIN_SHORT + 1 + least[c] for c in children)])
        return tail, least

    @property
    def known_units(self) -> set[UnitPath]:
        return set(self._dirs)

    def checked_dir(self, path: UnitPath) -> Path:
        """The unit's folder, resolved once and checked to stay inside OUT (symlinks included).

        File names are single safe parts, and files are replaced by rename (which replaces a
        planted link rather than writing through it), so checking the folder is enough.
        """
        return self._checked.get(path, lambda: Path(self.checked_folder(path)))

    def checked_folder(self, path: UnitPath) -> str:
        """`checked_dir` as text, made as text (a check asks it for each of 100,000 positions)."""
        checked = self._checked_text.get(path)
        if checked is None:
            parent = self.checked_folder(path[:-1]) if len(path) > 1 else str(self._root())
            checked = os.path.join(parent, self._dirs[path][-1])
            # Only a symlink can lead out of a checked parent (the name itself is one safe part).
            if os.path.islink(checked):
                checked = str(inside(self.out, Path(checked)))
            self._checked_text[path] = checked
        return checked

    def _root(self) -> Path:
        if self._resolved_out is None:
            self._resolved_out = self.out.resolve()
        return self._resolved_out

    def stem(self, path: UnitPath, title: str, employee_name: str | None = None) -> Path:
        """The position's path without extension, inside OUT."""
        return self._stem_cache.get(
            (path, title, employee_name), lambda: self.checked_dir(path) / self.file_stem(path, title, employee_name)
        )

    def file_stems(self, path: UnitPath) -> list[str]:
        """The file stems of the unit's positions (their profiles sit side by side in its folder)."""
        return self._unit_stems.get(path, lambda: [self.file_stem(path, title) for title in self._stems[path]])

    def file_stem(self, path: UnitPath, title: str, employee_name: str | None = None) -> str:
        """The position's file name without extension (planning compares names, not paths)."""
        name = self._stems[path].get(title) or folder_names([title])[title]
        if employee_name:
            name = f"{name} ({folder_names([employee_name])[employee_name]})"
        used = self._used[path]
        return shorten(name, f"{title}\x00{employee_name or ''}", MAX_PATH - used - LONGEST_SUFFIX)

    def public(
        self, path: str, unit: UnitPath, title: str, employee_name: str | None = None, person: str | None = None
    ) -> str:
        """A position's file as logs may show it: relative to OUT, the employee's name replaced by ``person``."""
        if employee_name:
            personal = self.stem(unit, title, employee_name)
            name = Path(path).name
            if Path(path).parent == personal.parent and name.startswith(personal.name):
                generic = self.stem(unit, title).name
                path = str(personal.parent / f"{generic} ({person}){name[len(personal.name) :]}")
        try:
            return str(Path(path).relative_to(self._root()))
        except ValueError:
            return path

    def file(self, path: UnitPath, title: str, fmt: str, employee_name: str | None = None) -> Path:
        return format_file(self.stem(path, title, employee_name), fmt)
