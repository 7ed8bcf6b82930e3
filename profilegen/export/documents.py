"""Profile documents already in OUT: find them, read them, and select them by unit."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from profilegen.errors import InputError
from profilegen.org.model import OrgStructure
from profilegen.org.selection import UnitIndex


@dataclass(frozen=True, slots=True)
class StoredProfile:
    path: Path
    document: dict[str, Any]
    light: bool = False  # the document holds only its identity (``full`` reads the rest)

    @property
    def _identity(self) -> dict[str, Any]:
        """Whose profile this is, as profilegen recorded it (`meta.position`); older files: the profile's fields."""
        recorded = (self.document.get("meta") or {}).get("position")
        if isinstance(recorded, dict) and "unit_path" in recorded and "title" in recorded:
            return recorded
        profile = self.document["profile"]
        return {"unit_path": profile["unit"]["path"], "title": profile["position_title"]}

    @property
    def unit_path(self) -> tuple[str, ...]:
        return tuple(self._identity["unit_path"])

    @property
    def title(self) -> str:
        return str(self._identity["title"])

    @property
    def employee_name(self) -> str | None:
        name = (self.document.get("meta") or {}).get("employee_name")
        return str(name) if name else None

    def identity(self) -> StoredProfile:
        """Its identity alone (whose profile, in which file): what listing, sorting and selecting need, a
        few hundred bytes instead of the whole document — an export of 100,000 profiles holds only these."""
        position = {"unit_path": list(self.unit_path), "title": self.title}
        meta: dict[str, Any] = {"position": position, "employee_name": self.employee_name}
        return StoredProfile(self.path, {"meta": meta, "profile": {}}, light=True)

    def full(self) -> StoredProfile:
        """The whole document (read again from its file when this is a light copy)."""
        if not self.light:
            return self
        try:
            document = read_profile(self.path)
        except UnreadableProfile as exc:
            raise InputError(f"changed while it was read: {exc}") from None
        if document is None:
            raise InputError("removed while profiles were read", source=str(self.path))
        return StoredProfile(self.path, document)


def _is_profile_file(name: str) -> bool:
    return name.endswith(".json") and not name.startswith(".") and ".new." not in name and ".bak." not in name


def profile_paths(out: Path) -> Iterator[Path]:
    """Every profile JSON's path under OUT (hidden folders such as `.archive`, and `.new`/`.bak` copies, skipped)."""
    for path in profile_files(out):
        yield Path(path)


def profile_files(out: Path) -> Iterator[str]:
    """`profile_paths` as text, each path normalised (a `Path` made for each of 100,000 files took seconds)."""
    for folder, dirs, files in os.walk(os.path.normpath(out)):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if _is_profile_file(name):
                yield os.path.join(folder, name)


def pending_new_count(out: Path) -> int:
    """Profiles with a `.new` version waiting for review (`accept` / `reject`)."""
    count = 0
    for _folder, dirs, files in os.walk(out):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        count += len({name.rsplit(".new.", 1)[0] for name in files if ".new." in name})
    return count


class UnreadableProfile(Exception):
    """A file where a profile should be that is not one (the message names the file)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: unreadable profile JSON: {reason}")
        self.path = path


# an integer of 19 digits or more (beyond 64 bits, or close): every digit byte made "0" and the rest ".",
# then a run of 19 noughts looked for — `re.search(rb"\d{19}")`, some twenty times faster on a profile
# (the regex cost six times orjson's parse: 17 s of a cold check's CPU at 100,000 profiles)
_DIGITS = bytes(ord("0") if chr(code).isdigit() and code < 128 else ord(".") for code in range(256))
_LONG_RUN = b"0" * 19


def has_long_number(raw: bytes) -> bool:
    """Whether the bytes hold 19 ASCII digits in a row."""
    return _LONG_RUN in raw.translate(_DIGITS)


def read_profile(path: Path) -> dict[str, Any] | None:
    """A profile document, or None when the file is missing; UnreadableProfile when it is not one."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UnreadableProfile(path, exc.strerror or str(exc)) from None
    # orjson reads UTF-8 bytes at a fraction of decoding them and the standard parser (100,000 files a check);
    # the standard library reads what orjson refuses, naming the fault as always, and integers beyond 64 bits
    # (orjson makes them floats)
    try:
        data = _standard(path, raw) if has_long_number(raw) else orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = _standard(path, raw)
    if not isinstance(data, dict) or not isinstance(data.get("profile"), dict):
        raise UnreadableProfile(path, "not a profile file (no 'profile' object)")
    if not isinstance(data.get("meta") or {}, dict):
        raise UnreadableProfile(path, "its 'meta' is not an object")
    return data


def _standard(path: Path, raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise UnreadableProfile(path, str(exc)) from None
    except ValueError as exc:
        raise UnreadableProfile(path, f"not JSON ({exc})") from None


def find_profiles(out: Path, unreadable: list[Path] | None = None, light: bool = False) -> Iterator[StoredProfile]:
    """Every profile under OUT (see ``profile_paths``); files that are not readable profiles, with their
    identity, are added to ``unreadable``. ``light``: identities only (``StoredProfile.full`` reads the rest)."""
    for path in profile_paths(out):
        profile = stored_profile(path)
        if profile is not None:
            yield profile.identity() if light else profile
        elif unreadable is not None:
            unreadable.append(path)


def stored_profile(path: Path) -> StoredProfile | None:
    """The profile in ``path`` with its identity, or None when the file is not a readable profile."""
    try:
        document = read_profile(path)
    except UnreadableProfile:
        return None
    return StoredProfile(path, document) if document is not None and _has_identity(document) else None


def _has_identity(document: dict[str, Any] | None) -> bool:
    if document is None or "meta" not in document:
        return False
    try:
        StoredProfile(Path(), document).unit_path  # noqa: B018 - the identity must be readable
    except (KeyError, TypeError):
        return False
    return True


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
