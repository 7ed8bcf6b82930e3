"""Read an org structure from nested YAML (`units:`) or the old system's `structure.json`."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from profilegen.errors import InputError
from profilegen.org.model import OrgStructure, UnitPath
from profilegen.org.problems import Problem, name_problems
from profilegen.yamlsafe import parse_yaml


def load_yaml_org(path: Path, raw: bytes) -> tuple[OrgStructure, list[Problem]]:
    """Nested YAML: ``units: [{name, code?, positions: [title | {title, headcount}], units: [...]}]``."""
    data = parse_yaml(_utf8(raw, path), str(path))
    org = OrgStructure(str(path))
    if isinstance(data, Mapping) and "organization" in data:
        _legacy(org, data["organization"], (), str(path), "organization")
        return _nonempty(org, path), []
    if not isinstance(data, Mapping) or "units" not in data:
        raise InputError("expected a mapping with a 'units' list at the top", source=str(path))
    problems: list[Problem] = []
    _units(org, data["units"], (), str(path), "units", problems)
    return _nonempty(org, path), problems


def _utf8(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None


def load_legacy_json(path: Path, raw: bytes) -> tuple[OrgStructure, list[Problem]]:
    """The old system's converted form, read as is (headcount per title was not kept: 1 each)."""
    try:
        data = json.loads(_utf8(raw, path))
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", source=str(path), where=f"line {exc.lineno}") from None
    if not isinstance(data, Mapping) or not isinstance(data.get("organization"), Mapping):
        raise InputError('expected {"organization": {unit name: {...}}}', source=str(path))
    org = OrgStructure(str(path))
    _legacy(org, data["organization"], (), str(path), "organization")
    return _nonempty(org, path), []


def _nonempty(org: OrgStructure, path: Path) -> OrgStructure:
    if not org.units:
        raise InputError("no units in the file", source=str(path))
    return org


def _text(value: Any, source: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InputError(f"expected text, got {type(value).__name__}", source=source, where=field)
    text = str(value).strip()
    if not text:
        raise InputError("empty name", source=source, where=field)
    return text


def _units(org: OrgStructure, items: Any, parent: UnitPath, source: str, field: str, problems: list[Problem]) -> None:
    if not isinstance(items, list):
        raise InputError(f"expected a list, got {type(items).__name__}", source=source, where=field)
    seen: set[str] = set()
    for i, item in enumerate(items):
        here = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            raise InputError(f"expected a mapping, got {type(item).__name__}", source=source, where=here)
        unknown = set(item) - {"name", "code", "positions", "units"}
        if unknown:
            raise InputError(f"unknown key '{sorted(map(str, unknown))[0]}'", source=source, where=here)
        path = (*parent, _text(item.get("name"), source, f"{here}.name"))
        if path[-1] in seen:
            problems.append(Problem("duplicate_unit", f"unit '{path[-1]}' appears twice (merged)", f"{source}, {here}"))
        seen.add(path[-1])
        problems += name_problems([path[-1]], f"{source}, {here}")
        code = item.get("code")
        org.ensure_unit(path, None if code is None else _text(code, source, f"{here}.code"))
        positions = item.get("positions") or []
        if not isinstance(positions, list):
            raise InputError("expected a list", source=source, where=f"{here}.positions")
        for j, entry in enumerate(positions):
            title = _position(org, path, entry, source, f"{here}.positions[{j}]")
            problems += name_problems([title], f"{source}, {here}.positions[{j}]")
        if "units" in item and item["units"] is not None:
            _units(org, item["units"], path, source, f"{here}.units", problems)


def _position(org: OrgStructure, path: UnitPath, entry: Any, source: str, field: str) -> str:
    if isinstance(entry, Mapping):
        title = _text(entry.get("title"), source, f"{field}.title")
        headcount = entry.get("headcount", 1)
        if isinstance(headcount, bool) or not isinstance(headcount, int | float) or not 0 <= headcount < math.inf:
            raise InputError("headcount must be a number ≥ 0", source=source, where=f"{field}.headcount")
        org.add_position(path, title, math.ceil(headcount))  # staff units: a half-time 0.5 is a slot, as in tables
        if entry.get("head") is True:
            org.marked_heads[path] = title
        return title
    title = _text(entry, source, field)
    org.add_position(path, title, 1)
    return title


def _legacy(org: OrgStructure, units: Any, parent: UnitPath, source: str, field: str) -> None:
    if not isinstance(units, Mapping):
        raise InputError(f"expected a mapping, got {type(units).__name__}", source=source, where=field)
    for name, body in units.items():
        here = f"{field}.{name}"
        if not isinstance(body, Mapping):
            raise InputError(f"expected a mapping, got {type(body).__name__}", source=source, where=here)
        path = (*parent, _text(name, source, here))
        number = body.get("number")
        code = None if number in (None, "") else str(number)
        org.ensure_unit(path, code)
        for j, title in enumerate(body.get("positions") or []):
            org.add_position(path, _text(title, source, f"{here}.positions[{j}]"), 1)
        if body.get("children"):
            _legacy(org, body["children"], path, source, f"{here}.children")
