"""Org structure from table rows: header detection and the level-column, path and unit/parent layouts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from profilegen.errors import InputError
from profilegen.org.model import OrgStructure, UnitPath
from profilegen.org.problems import Problem, name_problems
from profilegen.text import normalize

Row = Sequence[object]

HEADER_SCAN_ROWS = 30

_LEVEL = re.compile(r"^(?:уровень|level)\s*(\d+)$")
_ALIASES: dict[str, tuple[str, ...]] = {
    "position": ("должность", "position", "title", "job title", "наименование должности"),
    "code": ("номер", "code", "код", "код подразделения"),
    "headcount": ("численность", "headcount", "количество", "кол-во", "штатные единицы"),
    "path": ("путь", "path", "unit path", "подразделение (путь)"),
    "unit": ("подразделение", "unit", "department", "отдел"),
    "parent": ("родитель", "parent", "вышестоящее подразделение", "parent unit"),
    "head": ("руководитель", "head", "руководитель подразделения", "is head", "руководит"),
}
_YES = frozenset({"да", "yes", "y", "1", "true", "x", "+", "д", "истина"})


@dataclass(slots=True)
class Layout:
    """Which column holds what, found in the header row."""

    position: int
    levels: list[int] = field(default_factory=list)
    path: int | None = None
    unit: int | None = None
    parent: int | None = None
    code: int | None = None
    headcount: int | None = None
    head: int | None = None  # a yes/no column marking the position that heads its unit

    @property
    def kind(self) -> str:
        if self.levels:
            return "levels"
        return "path" if self.path is not None else "unit-parent"


def _cell(row: Row, index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    value = row[index]
    if value.__class__ is str:  # every cell of a CSV, most of a workbook's
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cells(row: Row, indexes: Sequence[int]) -> list[str]:
    """The cells at ``indexes``, as `_cell` reads them (a row of text, as every CSV row is, in one pass)."""
    try:
        return [row[i].strip() for i in indexes]  # type: ignore[attr-defined]
    except (AttributeError, IndexError):
        return [_cell(row, i) for i in indexes]


def detect_layout(header: Row, columns: Mapping[str, object] | None = None) -> Layout | None:
    """The layout a header row describes, or None when it is not a header we know."""
    names = [normalize(str(v)) if v is not None else "" for v in header]
    overrides = {k: v for k, v in (columns or {}).items()}

    def find(role: str) -> int | None:
        wanted = overrides.get(role)
        candidates = [normalize(str(wanted))] if isinstance(wanted, str) else list(_ALIASES[role])
        for i, name in enumerate(names):
            if name and name in candidates:
                return i
        return None

    position = find("position")
    if position is None:
        return None
    wanted_levels = overrides.get("levels")
    if isinstance(wanted_levels, list):
        level_names = [normalize(str(v)) for v in wanted_levels]
        levels = [names.index(n) for n in level_names if n in names]
    else:
        numbered = [(int(m.group(1)), i) for i, n in enumerate(names) if (m := _LEVEL.match(n))]
        levels = [i for _, i in sorted(numbered)]
    layout = Layout(
        position=position,
        levels=levels,
        path=find("path"),
        unit=find("unit"),
        parent=find("parent"),
        code=find("code"),
        headcount=find("headcount"),
        head=find("head"),
    )
    # a unit without a parent column: a staff list as payroll systems export it, its units side by side
    if layout.levels or layout.path is not None or layout.unit is not None:
        return layout
    return None


def build(
    rows: Iterable[Row],
    source: str,
    columns: Mapping[str, object] | None = None,
    sheet: str | None = None,
) -> tuple[OrgStructure, list[Problem]]:
    """Read rows (header somewhere in the first rows) into an OrgStructure, collecting problems."""
    where_prefix = f"{source}" + (f", sheet '{sheet}'" if sheet else "")
    iterator = iter(rows)
    layout: Layout | None = None
    seen_header_cells: list[str] = []
    row_number = 0
    for row in iterator:
        row_number += 1
        layout = detect_layout(row, columns)
        if layout is not None:
            break
        if not seen_header_cells:
            seen_header_cells = [str(v) for v in row if v not in (None, "")]
        if row_number >= HEADER_SCAN_ROWS:
            break
    if layout is None:
        if row_number == 0:
            raise InputError("the sheet is empty", source=where_prefix)
        found = ", ".join(seen_header_cells[:8]) or "nothing"
        raise InputError(
            f"no header row found in the first {HEADER_SCAN_ROWS} rows (found: {found}); expected "
            "'Должность'/'Position' with 'Уровень N'/'Level N' columns, a 'Path' column, or 'Unit' (+ 'Parent')",
            source=where_prefix,
        )
    org = OrgStructure(source)
    problems: list[Problem] = []
    builder = _BUILDERS[layout.kind]
    builder(org, problems, layout, _numbered(iterator, row_number), where_prefix)
    if not org.units:
        raise InputError("the sheet has a header but no data rows", source=where_prefix)
    _check_codes(org, problems, where_prefix)
    return org, problems


def _numbered(rows: Iterator[Row], after: int) -> Iterator[tuple[int, Row]]:
    for offset, row in enumerate(rows, start=after + 1):
        if any(row) or any(v not in (None, "") for v in row):  # any(): at C speed for a row of text
            yield offset, row


def _headcount(row: Row, layout: Layout, where: str) -> int:
    raw = _cell(row, layout.headcount)
    if not raw:
        return 1
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InputError(f"headcount '{raw}' is not a number", source=where) from None
    if number < 0:
        raise InputError(f"headcount {raw} is negative", source=where)
    return math.ceil(number)  # staff units: a half-time slot (0,5) is a slot someone holds, 1,5 two


def _add(
    org: OrgStructure,
    problems: list[Problem],
    path: UnitPath,
    row: Row,
    layout: Layout,
    where: str,
    clean: set[UnitPath],
) -> None:
    """``clean``: the names (a unit's path, a title alone) checked and found sound — rows repeat them."""
    title = _cell(row, layout.position)
    code = _cell(row, layout.code) or None
    for names in (path, (title,)):
        if names not in clean:
            found = name_problems(names, where)
            if found:
                problems += found
            else:
                clean.add(names)
    if not title:
        problems.append(Problem("empty_title", "empty position title", where))
        org.ensure_unit(path, code)
        return
    org.add_position(path, title, _headcount(row, layout, where), code)
    if normalize(_cell(row, layout.head)) in _YES:
        marked = org.marked_heads.setdefault(path, title)
        if marked != title:
            problems.append(Problem("two_heads", f"both {marked!r} and {title!r} are marked as the head", where))


def _build_levels(
    org: OrgStructure, problems: list[Problem], layout: Layout, rows: Iterator[tuple[int, Row]], prefix: str
) -> None:
    clean: set[UnitPath] = set()
    units: dict[tuple[str, ...], tuple[UnitPath, str | None]] = {}  # a row's level cells → its unit and gap
    for number, row in rows:
        where = f"{prefix}, row {number}"
        cells = tuple(_cells(row, layout.levels))
        unit = units.get(cells)
        if unit is None:
            unit = units[cells] = _chain(cells)
        path, gap = unit
        if not path:
            problems.append(Problem("no_unit", "row has no unit name", where))
            continue
        if gap is not None:
            problems.append(Problem("level_gap", gap, where))
        _add(org, problems, path, row, layout, where, clean)


def _chain(cells: Sequence[str]) -> tuple[UnitPath, str | None]:
    """The unit a row's level cells name (a name repeated at the next level is one unit), and what is wrong
    with the chain when it has a gap."""
    filled = [i for i, c in enumerate(cells) if c]
    if not filled:
        return (), None
    gap = None
    if filled != list(range(filled[0], filled[-1] + 1)) or filled[0] != 0:
        gap = f"gap in the level chain ({', '.join(c or '–' for c in cells[: filled[-1] + 1])})"
    chain: list[str] = []
    for name in cells:
        if name and (not chain or chain[-1] != name):
            chain.append(name)
    return tuple(chain), gap


def _split_path(raw: str) -> UnitPath:
    separator = " / " if " / " in raw else "/"
    return tuple(part.strip() for part in raw.split(separator) if part.strip())


def _build_path(
    org: OrgStructure, problems: list[Problem], layout: Layout, rows: Iterator[tuple[int, Row]], prefix: str
) -> None:
    seen: set[tuple[str, ...]] = set()
    clean: set[UnitPath] = set()
    for number, row in rows:
        where = f"{prefix}, row {number}"
        path = _split_path(_cell(row, layout.path))
        if not path:
            problems.append(Problem("no_unit", "row has no unit path", where))
            continue
        key = (*path, _cell(row, layout.position))
        if layout.headcount is not None and key in seen:
            problems.append(Problem("duplicate_row", f"duplicate row for {' / '.join(key)}", where))
        seen.add(key)
        _add(org, problems, path, row, layout, where, clean)


def _build_unit_parent(
    org: OrgStructure, problems: list[Problem], layout: Layout, rows: Iterator[tuple[int, Row]], prefix: str
) -> None:
    parents: dict[str, str] = {}
    entries: list[tuple[str, str, Row]] = []
    for number, row in rows:
        where = f"{prefix}, row {number}"
        unit, parent = _cell(row, layout.unit), _cell(row, layout.parent)
        if not unit:
            problems.append(Problem("no_unit", "row has no unit name", where))
            continue
        if parent and parents.setdefault(unit, parent) != parent:
            problems.append(Problem("two_parents", f"unit {unit!r} has two parents", where))
        entries.append((unit, where, row))
    clean: set[UnitPath] = set()
    for unit, where, row in entries:
        path = _ancestry(unit, parents, problems, where)
        if path is not None:
            _add(org, problems, path, row, layout, where, clean)


def _ancestry(unit: str, parents: Mapping[str, str], problems: list[Problem], where: str) -> UnitPath | None:
    chain = [unit]
    while (parent := parents.get(chain[-1])) is not None:
        if parent in chain:
            problems.append(Problem("cycle", f"cycle in parents: {' → '.join([*chain, parent])}", where))
            return None
        chain.append(parent)
    return tuple(reversed(chain))


def _check_codes(org: OrgStructure, problems: list[Problem], prefix: str) -> None:
    by_code: dict[str, UnitPath] = {}
    for unit in org.units.values():
        if not unit.code:
            continue
        other = by_code.setdefault(unit.code, unit.path)
        if other != unit.path:
            problems.append(
                Problem(
                    "duplicate_code",
                    f"code {unit.code} is used by {' / '.join(other)} and {' / '.join(unit.path)}",
                    prefix,
                )
            )


_BUILDERS = {"levels": _build_levels, "path": _build_path, "unit-parent": _build_unit_parent}
