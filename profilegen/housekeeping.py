"""Profiles of positions that left the org: find them, and move them to `OUT/.archive/<date>/` (never delete)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.config import Settings
from profilegen.errors import InputError
from profilegen.export.documents import StoredProfile, profile_files, stored_profile
from profilegen.inputs import load_org_from_settings
from profilegen.journal import Journal, key_identity
from profilegen.locking import OUT_LOCK, StateLock
from profilegen.org.model import OrgStructure

ARCHIVE = ".archive"


def is_orphan(profile: StoredProfile, org: OrgStructure) -> bool:
    unit = org.units.get(profile.unit_path)
    return unit is None or all(p.title != profile.title for p in unit.positions)


def siblings(json_path: Path, listings: dict[Path, list[str]] | None = None) -> list[Path]:
    """The profile's JSON and every file rendered from it or kept beside it (.md, .docx, .new.*, .bak.*);
    ``listings`` keeps each folder's listing for the next file in it."""
    stem = json_path.name[: -len(".json")]
    found = []
    listings = {} if listings is None else listings
    if json_path.parent not in listings:
        listings[json_path.parent] = sorted(os.listdir(json_path.parent))
    for name in listings[json_path.parent]:
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
    with StateLock(state_dir), StateLock(settings.out, lock_name=OUT_LOCK), Journal(state_dir) as journal:
        org, _ = load_org_from_settings(settings, remember_in=state_dir)  # the org as last parsed, if unchanged
        archive = settings.out / ARCHIVE / time.strftime("%Y-%m-%d")
        result = PruneResult(archive)
        found = _orphan_files(settings.out, org, journal, result)
        listings: dict[Path, list[str]] = {}
        for path, _key in found:
            for sibling in siblings(path, listings):
                result.moved.append((sibling, archive / sibling.relative_to(settings.out)))
        if not force and len(found) * 2 > result.total:
            raise InputError(
                f"{len(found)} of {result.total} profiles would be archived as orphans of {org.source}: is this "
                "the organisation the folder was generated from? Check with --dry-run, pass the right --org, "
                "or --force to archive them",
                source=str(settings.out),
            )
        if dry_run:
            return result
        for source, target in result.moved:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # pruned twice in a day: keep both
                target = target.with_name(f"{target.stem}~{int(time.time())}{target.suffix}")
            os.replace(source, target)
        _remove_emptied({source.parent for source, _ in result.moved}, settings.out)
        for _path, key in found:
            journal.delete_position(key)
        for key in (journal.meta("orphans") or {}).get("keys", []):  # orphans whose files were already gone
            journal.delete_position(key)
        journal.set_meta("orphans", {"keys": []})
        return result


def _orphan_files(out: Path, org: OrgStructure, journal: Journal, result: PruneResult) -> list[tuple[Path, str]]:
    """The JSON files under OUT of positions no longer in ``org``, each with its journal key; counts the
    profiles in ``result.total`` and lists the unreadable ones.

    A file where the journal wrote a position's profile is that position's (its key names its unit and
    title), so the profiles of current positions are not read; the orphans' are (an unreadable one is
    named, not moved), and so are files the journal does not know, for their identity.
    """
    current = {(p.unit_path, p.title) for p in org.positions()}
    root = os.path.normpath(out)
    known = {
        os.path.normpath(os.path.join(root, f"{fields['stem']}.json")): key
        for key, fields in journal.position_fields(("stem",)).items()
        if isinstance(fields["stem"], str)
    }
    found = []
    for path in profile_files(out):  # as text: a `Path` is made only for a file that is read or moved
        key = known.get(path)
        if key is not None:
            identity = key_identity(key)
            if identity not in current and stored_profile(Path(path)) is None:  # what would be moved is read
                result.unreadable.append(Path(path))
                continue
        else:
            profile = stored_profile(Path(path))
            if profile is None:
                result.unreadable.append(Path(path))
                continue
            identity = (profile.unit_path, profile.title)
            key = journal.position_key(profile.unit_path, profile.title, profile.employee_name)
        result.total += 1
        if identity not in current:
            found.append((Path(path), key))
    result.positions = len(found)
    return found


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
