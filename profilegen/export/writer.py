"""Writing a position's files without ever destroying a person's edits.

Every file profilegen writes has its hash recorded (before the write, so a crash cannot orphan it).
A file on disk whose hash is not among the recorded ones was changed by someone else: it is left
alone and the new version goes beside it as `<name>.new.<ext>` — unless told to overwrite, in which
case the edited file is kept as `<name>.bak.<ext>` first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.export.atomic import StagedFiles, write_bytes_atomic
from profilegen.export.paths import format_file
from profilegen.export.render import RenderOptions, render

# Keyed by the file's name after the position's stem (".json", ".md", ".new.md"...): independent of where
# OUT lives, and free of the names in the path (an employee's name is personal data).
FileHashes = dict[str, list[str]]
MAX_HASHES_PER_FILE = 5


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str | None:
    try:
        return sha256_bytes(path.read_bytes())
    except OSError:
        return None


def variant(path: Path, kind: str) -> Path:
    """`Аналитик.md` → `Аналитик.new.md` / `Аналитик.bak.md`."""
    return path.with_name(f"{path.stem}.{kind}{path.suffix}")


def suffix_of(stem: Path, path: Path) -> str:
    """`…/Аналитик` and `…/Аналитик.new.md` → `.new.md`."""
    return path.name[len(stem.name) :]


def known_hashes(record: dict[str, Any]) -> FileHashes:
    """The recorded hashes per file."""
    raw = record.get("file_hashes") or {}
    return {name: ([value] if isinstance(value, str) else list(value)) for name, value in raw.items()}


def is_edited(stem: Path, path: Path, hashes: FileHashes) -> bool:
    """A file exists and is not one profilegen wrote."""
    return _not_ours(file_hash(path), suffix_of(stem, path), hashes)


def _not_ours(current: str | None, name: str, hashes: FileHashes) -> bool:
    """A file whose hash ``current`` (None: no file) is not among those recorded for ``name``."""
    return current is not None and current not in hashes.get(name, [])


@dataclass(slots=True)
class WriteResult:
    stem: Path
    paths: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by hand, left untouched (a .new beside it)
    backups: list[str] = field(default_factory=list)
    hashes: FileHashes = field(default_factory=dict)

    @property
    def suffixes(self) -> list[str]:
        """What the journal records as outputs: suffixes after the stem, no names."""
        return [suffix_of(self.stem, Path(p)) for p in self.paths]


@dataclass(slots=True)
class PlannedWrite:
    """What ``plan_outputs`` decided: the result to report and the files still to write."""

    result: WriteResult
    files: list[tuple[Path, bytes]]
    formats: Sequence[str]

    def write(self) -> None:
        """Write the planned files (atomically) and drop any stale `.new` an accepted edit leaves."""
        for path, data in self.files:
            write_bytes_atomic(path, data)
        self.settle()

    def stage(self, files: StagedFiles, owner: Hashable) -> None:
        """Stage the planned files in a batch (`settle` once the batch is committed)."""
        files.write_all(self.files, owner)

    def settle(self) -> None:
        """The files are in place: drop any stale `.new` an accepted edit leaves."""
        for fmt in self.formats:
            main = format_file(self.result.stem, fmt)
            if str(main) not in self.result.kept:
                variant(main, "new").unlink(missing_ok=True)

    def written(self) -> WriteResult:
        """Write now; what was written."""
        self.write()
        return self.result


def plan_outputs(
    stem: Path,
    document: dict[str, Any],
    formats: Sequence[str],
    options: RenderOptions,
    hashes: FileHashes,
    record_hashes: Callable[[FileHashes], None],
    overwrite_edited: bool = False,
) -> PlannedWrite:
    """Render ``formats`` for the files beside ``stem`` and record their hashes, protecting hand edits;
    the files themselves are written by ``PlannedWrite.write`` (after the record: whatever a crash leaves
    is recognisably ours)."""
    result = WriteResult(stem, hashes={k: list(v) for k, v in hashes.items()})
    planned: list[tuple[Path, bytes]] = []
    for fmt in formats:
        path = format_file(stem, fmt)
        data = render(fmt, document, options)
        digest = sha256_bytes(data)
        current = file_hash(path)
        if current == digest:  # already there, byte for byte
            _remember(result.hashes, suffix_of(stem, path), digest)
            result.paths.append(str(path))
            continue
        if _not_ours(current, suffix_of(stem, path), hashes):  # edited by hand
            if overwrite_edited:
                backup = variant(path, "bak")
                planned.append((backup, path.read_bytes()))
                result.backups.append(str(backup))
            else:
                path = variant(path, "new")
                result.kept.append(str(format_file(stem, fmt)))
        _remember(result.hashes, suffix_of(stem, path), digest)
        planned.append((path, data))
        result.paths.append(str(path))
    record_hashes(result.hashes)
    return PlannedWrite(result, planned, formats)


def _remember(hashes: FileHashes, name: str, digest: str) -> None:
    seen = [h for h in hashes.get(name, []) if h != digest]
    hashes[name] = [*seen, digest][-MAX_HASHES_PER_FILE:]
