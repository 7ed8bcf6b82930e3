"""Parse a KPI file: YAML front matter, then a Markdown table with optional per-position weight columns."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from profilegen.errors import InputError
from profilegen.kpi.model import Kpi, KpiFile
from profilegen.kpi.workbook import TOLERANCE
from profilegen.text import normalize
from profilegen.yamlsafe import parse_yaml

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_EMPTY = {"", "-", "—", "–", "0", "0.0", "0%", "n/a"}
_COLUMNS = {
    "name": ("кпэ", "kpi", "показатель", "наименование кпэ", "ключевой показатель"),
    "target": ("целевое значение", "target", "цель", "план"),
    "unit": ("ед. изм.", "ед.изм.", "ед. изм", "единица измерения", "unit", "unit of measure"),
    "period": ("период", "period", "периодичность"),
}


class KpiFileError(InputError):
    """A KPI file that cannot be read; the message names file and line."""


def parse_kpi_file(path: Path, root: Path | None = None) -> KpiFile:
    """Read and parse one KPI file; ``root`` makes the file's name relative to the KPI folder."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KpiFileError("not UTF-8 text", source=str(path)) from None
    except OSError as exc:
        raise KpiFileError(f"cannot read ({exc.strerror})", source=str(path)) from None
    name = path.relative_to(root).as_posix() if root else path.name
    return parse_kpi_text(text, path, name, hashlib.sha256(raw).hexdigest())


def parse_kpi_text(text: str, path: Path, name: str, text_hash: str = "") -> KpiFile:
    lines = text.splitlines()
    meta, body_start = _front_matter(lines, str(path))
    kpi_file = KpiFile(path=path, name=name, text_hash=text_hash)
    kpi_file.department = _opt_text(meta, "department", str(path))
    kpi_file.code = _opt_text(meta, "code", str(path))
    kpi_file.aliases = _text_list(meta, "aliases", str(path))
    kpi_file.match = _text_list(meta, "match", str(path))
    positions = meta.get("positions") or {}
    if not isinstance(positions, Mapping):
        raise KpiFileError("'positions' must map titles to weight columns", source=str(path))
    kpi_file.positions = {normalize(str(k)): str(v) for k, v in positions.items()}
    if not (kpi_file.department or kpi_file.code or kpi_file.aliases or kpi_file.match):
        raise KpiFileError(
            "front matter names no 'department', 'code', 'aliases' or 'match'",
            source=str(path),
            where="line 1",
        )
    kpi_file.weight_columns, kpi_file.kpis = _table(lines, body_start, str(path))
    return kpi_file


def _front_matter(lines: list[str], source: str) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        raise KpiFileError("no YAML front matter (the file must start with '---')", source=source, where="line 1")
    for end in range(1, len(lines)):
        if lines[end].strip() == "---":
            try:
                data = parse_yaml("\n".join(lines[1:end]), source, line_offset=1)
            except InputError as exc:
                raise KpiFileError(str(exc)) from None
            if data is None:
                data = {}
            if not isinstance(data, dict):
                raise KpiFileError("front matter must be a mapping", source=source, where="line 2")
            return data, end + 1
    raise KpiFileError("front matter is not closed by '---'", source=source, where="line 1")


def _opt_text(meta: Mapping[str, Any], key: str, source: str) -> str | None:
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, list | dict):
        raise KpiFileError(f"'{key}' must be text", source=source)
    return str(value).strip() or None


def _text_list(meta: Mapping[str, Any], key: str, source: str) -> tuple[str, ...]:
    value = meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or any(isinstance(v, list | dict) for v in value):
        raise KpiFileError(f"'{key}' must be a list of words or phrases", source=source)
    return tuple(str(v).strip() for v in value if str(v).strip())


def _cells(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _table(lines: list[str], start: int, source: str) -> tuple[tuple[str, ...], tuple[Kpi, ...]]:
    header: list[str] | None = None
    roles: dict[str, int] = {}
    weight_columns: list[tuple[int, str]] = []
    kpis: list[Kpi] = []
    section = ""
    previous: Kpi | None = None
    for number in range(start, len(lines)):
        line = lines[number]
        if not line.strip().startswith("|"):
            if header is not None and kpis and line.strip():
                header = None  # a second table may follow; it needs its own header
            continue
        cells = _cells(line)
        where = f"line {number + 1}"
        if header is None:
            header, roles, weight_columns = _header(cells, source, where)
            continue
        if all(_SEPARATOR_CELL.match(c) for c in cells if c) and any(cells):
            continue
        if len(cells) > len(header):
            raise KpiFileError(
                f"row has {len(cells)} cells but the header has {len(header)}", source=source, where=where
            )
        cells += [""] * (len(header) - len(cells))
        filled = [c for c in cells if c]
        if not filled:
            continue
        name = cells[roles["name"]].strip("* ")
        if len(filled) == 1 and cells[roles["name"]]:
            section = name
            previous = None
            continue
        if not name:
            if previous is None:
                raise KpiFileError("row has values but no KPI name", source=source, where=where)
            name = previous.name  # a merged cell exported as blanks
        kpi = Kpi(
            name=name,
            target=_value(cells, roles.get("target"), previous.target if previous else ""),
            unit=_value(cells, roles.get("unit"), previous.unit if previous else ""),
            period=_value(cells, roles.get("period"), previous.period if previous else ""),
            section=section,
            weights=tuple(
                (column, w) for i, column in weight_columns if (w := _weight(cells[i], source, where)) is not None
            ),
            line=number + 1,
        )
        kpis.append(kpi)
        previous = kpi
    if header is None:
        raise KpiFileError("no KPI table (a Markdown table starting with '| КПЭ |')", source=source)
    return tuple(c for _, c in weight_columns), tuple(kpis)


def _header(cells: list[str], source: str, where: str) -> tuple[list[str], dict[str, int], list[tuple[int, str]]]:
    roles: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = normalize(cell).strip("* ")
        for role, names in _COLUMNS.items():
            if key in names and role not in roles:
                roles[role] = i
    if "name" not in roles:
        raise KpiFileError(
            f"table header has no KPI column (found: {', '.join(c for c in cells if c)})",
            source=source,
            where=where,
        )
    last_fixed = max(roles.values())
    weights = [(i, c) for i, c in enumerate(cells) if i > last_fixed and c]
    return cells, roles, weights


def _value(cells: list[str], index: int | None, above: str) -> str:
    """A cell's value; a blank cell repeats the row above (merged cells), a dash means none."""
    if index is None:
        return ""
    value = cells[index]
    if not value:
        return above
    return "" if value in ("-", "—", "–") else value


def _weight(cell: str, source: str, where: str) -> float | None:
    text = cell.strip().replace(",", ".").replace(" ", "")
    if text.lower() in _EMPTY:
        return None
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise KpiFileError(f"weight '{cell}' is not a number", source=source, where=where) from None
    if percent:
        value /= 100
    if value < 0:
        raise KpiFileError(f"weight '{cell}' is below 0", source=source, where=where)
    if value > 1 + TOLERANCE:  # a share of the whole: 40 is 40 % written without its sign, or a slip
        raise KpiFileError(f"weight '{cell}' is above 1: write {text}% or {value / 100:g}", source=source, where=where)
    return value or None
