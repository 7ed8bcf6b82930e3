"""Profile documents already in OUT: find them, read them, and select them by unit."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen.org.model import OrgStructure
from profilegen.org.selection import UnitIndex


@dataclass(frozen=True, slots=True)
class StoredProfile:
    path: Path
    document: dict[str, Any]

    @property
    def unit_path(self) -> tuple[str, ...]:
        return tuple(self.document["profile"]["unit"]["path"])

    @property
    def title(self) -> str:
        return str(self.document["profile"]["position_title"])


def _is_profile_file(name: str) -> bool:
    return name.endswith(".json") and not name.startswith(".") and ".new." not in name and ".bak." not in name


def find_profiles(out: Path) -> Iterator[StoredProfile]:
    """Every profile JSON under OUT (hidden folders such as `.archive` and `.new`/`.bak` copies skipped)."""
    for folder, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not _is_profile_file(name):
                continue
            path = Path(folder) / name
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(document, dict) and isinstance(document.get("profile"), dict) and "meta" in document:
                yield StoredProfile(path, document)


def select_profiles(profiles: Sequence[StoredProfile], departments: Sequence[str] | None) -> list[StoredProfile]:
    """Profiles of the named units and their sub-units (names resolved as for `generate`)."""
    ordered = sorted(profiles, key=lambda p: (p.unit_path, p.title, str(p.path)))
    if not departments:
        return ordered
    org = OrgStructure("profiles")
    for profile in ordered:
        org.ensure_unit(profile.unit_path)
    index = UnitIndex(org)
    roots = [index.resolve(query) for query in departments]
    return [p for p in ordered if any(p.unit_path[: len(root)] == root for root in roots)]
