"""Re-render stored profiles into another format, with the same hand-edit protection as `generate`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from profilegen.export.documents import StoredProfile
from profilegen.export.render import RenderOptions
from profilegen.export.writer import FileHashes, is_edited, known_hashes, plan_outputs
from profilegen.journal import Journal


def rerender(
    state_dir: Path,
    profiles: Sequence[StoredProfile],
    fmt: str,
    options: RenderOptions,
    advance: Callable[[], None] = lambda: None,
) -> list[str]:
    """Write ``fmt`` beside each profile's JSON (``advance`` called after each); returns the files kept
    because they were edited by hand."""
    kept: list[str] = []
    with Journal(state_dir) as journal:
        for profile in profiles:
            key = journal.position_key(profile.unit_path, profile.title, profile.employee_name)
            record = journal.position(key) or {}

            def record_hashes(hashes: FileHashes, key: str = key) -> None:
                journal.update_position(key, file_hashes=hashes)

            stem = profile.path.with_suffix("")
            planned = plan_outputs(stem, profile.full().document, [fmt], options, known_hashes(record), record_hashes)
            written = planned.written()
            kept += written.kept
            advance()
    return kept


def edited_elsewhere(state_dir: Path, profiles: Sequence[StoredProfile], formats: Sequence[str]) -> list[Path]:
    """Files of ``formats`` beside the profiles that were edited by hand: an export rendered from the JSON
    does not carry those edits, so the user is told which ones differ."""
    found: list[Path] = []
    with Journal(state_dir) as journal:
        for profile in profiles:
            stem = profile.path.with_suffix("")
            paths = [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats]
            if not any(path.exists() for path in paths):
                continue
            record = journal.position(journal.position_key(profile.unit_path, profile.title, profile.employee_name))
            hashes = known_hashes(record or {})
            found += [path for path in paths if is_edited(stem, path, hashes)]
    return found
