"""Profiles of positions that left the org: find them, and move them to `OUT/.archive/<date>/` (never delete)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.config import Settings
from profilegen.export.documents import StoredProfile, find_profiles
from profilegen.journal import OUT_LOCK, Journal, StateLock, position_key
from profilegen.org.model import OrgStructure
from profilegen.pipeline import load_org_from_settings

ARCHIVE = ".archive"


def is_orphan(profile: StoredProfile, org: OrgStructure) -> bool:
    unit = org.units.get(profile.unit_path)
    return unit is None or all(p.title != profile.title for p in unit.positions)


def orphans(org: OrgStructure, out: Path) -> list[StoredProfile]:
    return [p for p in find_profiles(out) if is_orphan(p, org)]


def siblings(json_path: Path) -> list[Path]:
    """The profile's JSON and every file rendered from it or kept beside it (.md, .docx, .new.*, .bak.*)."""
    stem = json_path.name[: -len(".json")]
    found = []
    for name in sorted(os.listdir(json_path.parent)):
        if not name.startswith(f"{stem}."):
            continue
        parts = name[len(stem) + 1 :].split(".")
        if len(parts) == 1 or (len(parts) == 2 and parts[0] in ("new", "bak")):
            found.append(json_path.parent / name)
    return found


@dataclass(slots=True)
class PruneResult:
    archive: Path
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    positions: int = 0


def prune(settings: Settings, dry_run: bool = False) -> PruneResult:
    """Move every orphan's files under `OUT/.archive/<date>/` (same relative paths) and forget them."""
    with StateLock(settings.state_dir), StateLock(settings.out, lock_name=OUT_LOCK):
        org, _ = load_org_from_settings(settings)
        archive = settings.out / ARCHIVE / time.strftime("%Y-%m-%d")
        result = PruneResult(archive)
        found = orphans(org, settings.out)
        result.positions = len(found)
        for profile in found:
            for path in siblings(profile.path):
                result.moved.append((path, archive / path.relative_to(settings.out)))
        if dry_run:
            return result
        with Journal(settings.state_dir) as journal:
            for source, target in result.moved:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():  # pruned twice in a day: keep both
                    target = target.with_name(f"{target.stem}~{int(time.time())}{target.suffix}")
                os.replace(source, target)
            for profile in found:
                employee = (profile.document.get("meta") or {}).get("employee_name")
                journal.delete_position(position_key(profile.unit_path, profile.title, employee))
            for key in (journal.meta("orphans") or {}).get("keys", []):  # orphans whose files were already gone
                journal.delete_position(key)
            journal.set_meta("orphans", {"keys": []})
        return result
