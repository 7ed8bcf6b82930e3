"""Profiles of positions that left the org: find them, and move them to `OUT/.archive/<date>/` (never delete)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.config import Settings
from profilegen.errors import InputError
from profilegen.export.documents import StoredProfile, find_profiles
from profilegen.inputs import load_org_from_settings
from profilegen.journal import OUT_LOCK, Journal, StateLock
from profilegen.org.model import OrgStructure

ARCHIVE = ".archive"


def is_orphan(profile: StoredProfile, org: OrgStructure) -> bool:
    unit = org.units.get(profile.unit_path)
    return unit is None or all(p.title != profile.title for p in unit.positions)


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
    positions: int = 0  # orphan profiles
    total: int = 0  # profiles in the folder
    unreadable: list[Path] = field(default_factory=list)


def prune(settings: Settings, state_dir: Path, dry_run: bool = False, force: bool = False) -> PruneResult:
    """Move every orphan's files under `OUT/.archive/<date>/` (same relative paths) and forget them.

    Refuses (without ``force``) to archive more than half of the folder's profiles: that is far more
    often the wrong organisation than a real reorganisation.
    """
    with StateLock(state_dir), StateLock(settings.out, lock_name=OUT_LOCK):
        org, _ = load_org_from_settings(settings)
        archive = settings.out / ARCHIVE / time.strftime("%Y-%m-%d")
        result = PruneResult(archive)
        profiles = list(find_profiles(settings.out, result.unreadable))
        found = [p for p in profiles if is_orphan(p, org)]
        result.positions, result.total = len(found), len(profiles)
        for profile in found:
            for path in siblings(profile.path):
                result.moved.append((path, archive / path.relative_to(settings.out)))
        if not force and len(found) * 2 > len(profiles):
            raise InputError(
                f"{len(found)} of {len(profiles)} profiles would be archived as orphans of {org.source}: is this "
                "the organisation the folder was generated from? Check with --dry-run, pass the right --org, "
                "or --force to archive them",
                source=str(settings.out),
            )
        if dry_run:
            return result
        with Journal(state_dir) as journal:
            for source, target in result.moved:
                target.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():  # pruned twice in a day: keep both
                    target = target.with_name(f"{target.stem}~{int(time.time())}{target.suffix}")
                os.replace(source, target)
            _remove_emptied({source.parent for source, _ in result.moved}, settings.out)
            for profile in found:
                journal.delete_position(journal.position_key(profile.unit_path, profile.title, profile.employee_name))
            for key in (journal.meta("orphans") or {}).get("keys", []):  # orphans whose files were already gone
                journal.delete_position(key)
            journal.set_meta("orphans", {"keys": []})
        return result


def _remove_emptied(folders: set[Path], out: Path) -> None:
    """Unit folders that pruning left empty go too (up to OUT, never OUT itself)."""
    root = out.resolve()
    for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
        current = folder.resolve()
        while current != root and root in current.parents:
            try:
                current.rmdir()  # only when empty
            except OSError:
                break
            current = current.parent
