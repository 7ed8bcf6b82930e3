"""Load an org file of any supported kind, chosen by its extension."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from profilegen.errors import InputError
from profilegen.kept import keep, kept
from profilegen.org.model import OrgStructure
from profilegen.org.problems import Problem
from profilegen.org.remembered import RECORD, parse_key

SUPPORTED = (".xlsx", ".xlsm", ".xls", ".csv", ".tsv", ".txt", ".yaml", ".yml", ".json")


def load_org_with_problems(
    path: Path,
    sheet: str | None = None,
    columns: Mapping[str, object] | None = None,
    remember_in: Path | None = None,
) -> tuple[OrgStructure, list[Problem]]:
    """Load the org file and return it with the problems found on the way (``remember_in``: a state folder
    where the last parse is kept, and taken from when the file and settings are the same)."""
    if path.is_dir():
        candidates = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED)
        if not candidates:
            raise InputError(f"no org file ({', '.join(SUPPORTED)}) in the folder", source=str(path))
        path = candidates[0]
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise InputError(
            f"unsupported file type '{suffix or '(none)'}' (expected {', '.join(SUPPORTED)})", source=str(path)
        )
    try:
        data = path.read_bytes()  # read once: what is parsed is what is hashed
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", source=str(path)) from None
    except IsADirectoryError:
        raise InputError("a folder, not a file", source=str(path)) from None
    if not data:
        raise InputError("the file is empty", source=str(path))
    sha256 = hashlib.sha256(data).hexdigest()
    key = parse_key(path, sha256, sheet, columns) if remember_in is not None else ""
    if remember_in is not None:
        found: tuple[OrgStructure, list[Problem]] | None = kept(remember_in, RECORD, key)
        if found is not None:
            return found
    org, problems = _parse(path, suffix, data, sheet, columns)
    org.sha256 = sha256
    if remember_in is not None:
        keep(remember_in, RECORD, key, (org, problems))
    return org, problems


def _parse(
    path: Path, suffix: str, data: bytes, sheet: str | None, columns: Mapping[str, object] | None
) -> tuple[OrgStructure, list[Problem]]:
    if suffix in (".xlsx", ".xlsm", ".xls"):
        from profilegen.org.excel import load_workbook

        return load_workbook(path, sheet, columns, data)
    if suffix in (".csv", ".tsv", ".txt"):
        from profilegen.org.csv_reader import load_csv

        return load_csv(path, columns, data)
    from profilegen.org.nested import load_legacy_json, load_yaml_org

    if suffix == ".json":
        return load_legacy_json(path, data)
    return load_yaml_org(path, data)


def load_org(path: Path, sheet: str | None = None, columns: Mapping[str, object] | None = None) -> OrgStructure:
    """Load the org file; problems are left for `org validate`."""
    return load_org_with_problems(path, sheet, columns)[0]
