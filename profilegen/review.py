"""Human review of generated profiles: freeze and unfreeze positions, diff, accept and reject `.new` versions.

Every command acts on a position's profile, or with ``employee`` on one personal profile of it; the
personal profiles a command left out are listed, so none is missed silently.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.config import Settings
from profilegen.errors import SelectionError
from profilegen.export.diff import SectionDiff, diff_markdown, diff_profiles
from profilegen.export.documents import UnreadableProfile, read_profile
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import Listing, format_file
from profilegen.export.render import RenderOptions, render
from profilegen.export.writer import file_hash, known_hashes, suffix_of, variant
from profilegen.inputs import Selection, check_employee_name, load_org_from_settings
from profilegen.journal import Journal
from profilegen.locking import OUT_LOCK, StateLock
from profilegen.org.model import Position
from profilegen.org.selection import select_positions
from profilegen.template.loader import load_template
from profilegen.workspace import layout_base


@dataclass(slots=True)
class Choice:
    """What a review command acts on: positions, and the employee of a personal profile (or None)."""

    layout: OutputLayout
    positions: list[Position]
    employee: str | None
    personal: list[str] = field(default_factory=list)  # personal profiles of the positions, left out

    def stem(self, position: Position) -> Path:
        return self.layout.stem(position.unit_path, position.title, self.employee)


def choose(settings: Settings, selection: Selection) -> Choice:
    """The selected positions (a review command names its units), their files' layout and the personal profiles
    of them it leaves out (one named with `--employee-name` is the one chosen)."""
    org, _ = load_org_from_settings(settings)
    layout = OutputLayout(org, settings.out, layout_base(settings))
    positions = select_positions(
        org, selection.departments or [], position=selection.position, subunits=selection.subunits
    )
    employee = check_employee_name(selection.employee_name)
    if employee and len(positions) != 1:
        raise SelectionError(f"--employee-name needs exactly one position, the selection has {len(positions)}")
    choice = Choice(layout, positions, employee)
    if employee is None:
        listing = Listing()
        choice.personal = [label for p in positions for label in personal_profiles(layout, p, listing)]
    return choice


def personal_profiles(layout: OutputLayout, position: Position, listing: Listing) -> list[str]:
    """'Unit / Path — Title (Employee)' for each personal profile of the position in OUT."""
    stem = layout.stem(position.unit_path, position.title)
    found = []
    for path in listing.personal_files(stem, layout.file_stems(position.unit_path)):
        try:
            document = read_profile(path)
        except UnreadableProfile:
            document = None
        name = ((document or {}).get("meta") or {}).get("employee_name")
        if name:
            found.append(f"{' / '.join(position.unit_path)} — {position.title} ({name})")
    return found


@dataclass(slots=True)
class FreezeResult:
    changed: int = 0
    personal: list[str] = field(default_factory=list)


def set_frozen(
    settings: Settings,
    state_dir: Path,
    selection: Selection,
    frozen: bool,
) -> FreezeResult:
    """Freeze (or unfreeze) the selected positions' profiles; returns how many changed."""
    with StateLock(state_dir):
        choice = choose(settings, selection)
        result = FreezeResult(personal=choice.personal)
        with Journal(state_dir) as journal:
            for position in choice.positions:
                key = journal.position_key(position.unit_path, position.title, choice.employee)
                record = journal.position(key) or {"unit_path": list(position.unit_path), "title": position.title}
                if bool(record.get("frozen")) != frozen:
                    record["frozen"] = frozen
                    journal.save_position(key, record)
                    result.changed += 1
        return result


@dataclass(slots=True)
class PositionDiff:
    unit_path: tuple[str, ...]
    title: str
    on_disk: str | None
    compared_with: str | None  # ".new file", "last generated", or None when there is nothing to compare
    sections: list[SectionDiff] = field(default_factory=list)
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "path": list(self.unit_path),
            "position": self.title,
            "on_disk": self.on_disk,
            "compared_with": self.compared_with,
            "note": self.note,
            "sections": [
                {"section": d.section, "added": d.added, "removed": d.removed, "changed": d.changed}
                for d in self.sections
            ],
        }


@dataclass(slots=True)
class DiffResult:
    positions: list[PositionDiff] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)


def diff_positions(settings: Settings, state_dir: Path, selection: Selection) -> DiffResult:
    """For each selected position: the profile on disk (JSON, and the Markdown by section) against its `.new`
    files or the last generated version."""
    choice = choose(settings, selection)
    result = DiffResult(personal=choice.personal)
    options = RenderOptions(load_template(settings.template, settings.language))
    with Journal(state_dir) as journal:
        for position in choice.positions:
            stem = choice.stem(position)
            json_path = format_file(stem, "json")
            item = PositionDiff(position.unit_path, position.title, str(json_path), None)
            result.positions.append(item)
            try:
                on_disk = read_profile(json_path)
                newer = read_profile(variant(json_path, "new"))
            except UnreadableProfile as exc:
                item.note = str(exc)
                continue
            if on_disk is None:
                item.on_disk, item.note = None, "no profile on disk"
                continue
            if newer is not None:
                item.compared_with = str(variant(json_path, "new"))
            else:
                newer = journal.document(journal.position_key(position.unit_path, position.title, choice.employee))
                item.compared_with = "last generated" if newer is not None else None
            if newer is None:
                item.note = "nothing to compare with (not generated by this journal)"
                continue
            item.sections = diff_profiles(on_disk, newer, options.template)
            item.sections += _markdown_changes(stem, on_disk, newer, options)
            if not item.sections:
                item.note = "no differences"
    return result


def _markdown_changes(
    stem: Path, on_disk: dict[str, Any], newer: dict[str, Any], options: RenderOptions
) -> list[SectionDiff]:
    """The Markdown on disk against its `.new` file, or against the newer version rendered (hand edits)."""
    md = format_file(stem, "md")
    try:
        text = md.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    new_md = variant(md, "new")
    if new_md.exists():
        other = new_md.read_text(encoding="utf-8")
    else:  # the newer document as it would be rendered for this file (the person's name from the file itself)
        meta = {**(newer.get("meta") or {}), "employee_name": (on_disk.get("meta") or {}).get("employee_name")}
        other = render("md", {**newer, "meta": meta}, options).decode("utf-8")
    return diff_markdown(text, other)


@dataclass(slots=True)
class AcceptResult:
    accepted: list[str] = field(default_factory=list)  # files now holding the new version
    backups: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # .new files removed
    personal: list[str] = field(default_factory=list)


def _new_files(stem: Path) -> list[Path]:
    return sorted(p for p in stem.parent.glob(f"{glob.escape(stem.name)}.new.*") if p.name.count(".new.") == 1)


@contextlib.contextmanager
def _editing(settings: Settings, state_dir: Path, selection: Selection) -> Iterator[tuple[Choice, Journal]]:
    """Both locks, the chosen positions and the journal: what changing files in OUT needs."""
    with StateLock(state_dir), StateLock(settings.out, lock_name=OUT_LOCK):
        choice = choose(settings, selection)
        with Journal(state_dir) as journal:
            yield choice, journal


def accept_new(settings: Settings, state_dir: Path, selection: Selection) -> AcceptResult:
    """Put each pending `.new` file in place; the file it replaces is kept as `.bak`."""
    with _editing(settings, state_dir, selection) as (choice, journal):
        result = AcceptResult(personal=choice.personal)
        for position in choice.positions:
            key = journal.position_key(position.unit_path, position.title, choice.employee)
            record = journal.position(key) or {}
            hashes = known_hashes(record)
            stem = choice.stem(position)
            for new in _new_files(stem):
                main = new.with_name(new.name.replace(".new.", ".", 1))
                if main.exists():
                    backup = variant(main, "bak")
                    os.replace(main, backup)
                    result.backups.append(str(backup))
                digest = file_hash(new)
                os.replace(new, main)
                if digest is not None:
                    hashes.setdefault(suffix_of(stem, main), []).append(digest)
                result.accepted.append(str(main))
            if record:
                journal.update_position(key, file_hashes=hashes, edited_kept=0)
    return result


def reject_new(settings: Settings, state_dir: Path, selection: Selection) -> AcceptResult:
    """Drop pending `.new` files and freeze the positions, so the hand-edited versions stand."""
    with _editing(settings, state_dir, selection) as (choice, journal):
        result = AcceptResult(personal=choice.personal)
        for position in choice.positions:
            files = _new_files(choice.stem(position))
            if not files:
                continue
            for new in files:
                new.unlink()
                result.rejected.append(str(new))
            key = journal.position_key(position.unit_path, position.title, choice.employee)
            journal.update_position(
                key, frozen=True, edited_kept=0, unit_path=list(position.unit_path), title=position.title
            )
    return result
