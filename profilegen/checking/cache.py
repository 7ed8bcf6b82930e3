"""What `check` found in each profile file, kept in the state folder for the next check.

A file whose size, modification time and inode are the ones recorded, checked under the same inputs (the
organisation file, the KPI files and workbooks, the company's documents, the template, the settings and
profilegen's own code), is not read again and its position's context is not made: its findings, shingles and
sketch are the recorded ones. The near-duplicate groups are kept for the exact list of files and texts they
were found in (a file touched or written again with the same text finds them still).
A check of 100,000 profiles read every one of them (about a minute); a check after a night that changed a
few reads those few. When an input changed (a KPI file, the org), what only a profile's text decides — its
findings of `CONTENT_RULES`, its shingles and sketch — is still taken from the records for a file unchanged
since (under the same code, template and check settings), and the file is read for its facts alone.
Anything that cannot be read or written here is checked in full, never an error.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from profilegen.checking.findings import Finding
from profilegen.checking.similar import Group, Shingles, Sketch
from profilegen.config import Settings, settings_key
from profilegen.inputs import Inputs
from profilegen.jsontext import payload_digest
from profilegen.template.model import Template

CACHE_FILE = "check-cache.pickle"
CHANGES_FILE = "check-cache-changes.pickle"  # what later checks recorded, beside the whole record
CHANGES_AT_MOST = 8  # changes kept beside the record while they are at most an eighth of it
FORMAT = 6
KEPT_LISTS = 4  # near-duplicate groups kept for this many lists of files
PART = 10_000  # files' rows pickled together
# a file modified this close to the check is not recorded: a write within the file system's clock tick after
# the check, of the same size, would leave the stamp as it was (git's "racily clean" entries, the same way)
SETTLED_NS = 2_000_000_000

Stamp = tuple[int, int, int]  # size, modification time (ns), inode


def settled(stamp: Stamp | None, started_ns: int) -> bool:
    """Whether a stamp can be trusted to change with the file: none, or modified well before ``started_ns``."""
    return stamp is None or stamp[1] <= started_ns - SETTLED_NS


def file_stamp(path: str | bytes | os.PathLike[str]) -> Stamp | None:
    """The file's size, modification time and inode (None when there is no such file)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


@dataclass(frozen=True, slots=True)
class Entry:
    stamp: Stamp
    employee: str | None  # the employee the file names (None: the position's own profile)
    findings: tuple[Finding, ...]
    shingles: Shingles
    sketch: Sketch  # its band keys for near-duplicate candidates
    from_text: int = 0  # how many of the findings (the first) its text alone decides (`CONTENT_RULES`)
    facts: int = 0  # the `facts_key` of its position's context it was checked against (0: not known)
    kpis: int = 0  # and its `kpis_key`


def text_digest(settings: Settings, template: Template, code: str) -> str:
    """The digest of everything what a profile's text alone decides depends on besides the file itself."""
    check = settings.check.model_dump(mode="json")
    return payload_digest({"format": FORMAT, "code": code, "template": template.sha256, "check": check})


def org_digest(settings: Settings, inputs: Inputs, employee: str | None) -> str:
    """The digest of everything a position's context takes neither from its KPI inputs nor from the company's
    documents (whose part of it no fact rule reads): the org, the employee asked for and the other settings."""
    key = settings_key(settings)
    for name in ("kpi_dir", "context", "context_files"):
        key.pop(name, None)
    return payload_digest({"org": inputs.org.sha256, "employee": employee, "settings": key})


def inputs_digest(settings: Settings, inputs: Inputs, template: Template, code: str) -> str:
    """The digest of everything a profile's findings depend on besides the file itself."""
    from profilegen.kpi.mapping import mapping_key

    documents = []
    for path in settings.documents:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        documents += [(str(p), file_stamp(p)) for p in files]
    payload = {
        "format": FORMAT,
        "code": code,
        "org": inputs.org.sha256,
        "kpi": inputs.mapping_key or mapping_key(inputs.org, inputs.catalog),
        "documents": documents,
        "template": template.sha256,
        "settings": settings_key(settings),
    }
    return payload_digest(payload)


@dataclass(slots=True)
class CheckCache:
    """The recorded findings by file path, under one inputs digest; `save` writes what this check added."""

    where: Path
    digest: str
    text: str = ""  # the `text_digest` its entries' texts were checked under
    org: str = ""  # the `org_digest` its entries' facts were made under
    same_org: bool = False  # `texts` made under this very `org_digest`: their `facts_key` still the facts'
    entries: dict[str, Entry] = field(default_factory=dict)
    texts: dict[str, Entry] = field(default_factory=dict)  # entries of other inputs: only what their texts decide
    groups: dict[str, list[Group]] = field(default_factory=dict)  # near-duplicate groups by `files_key`
    changed: bool = False
    base: str | None = None  # the whole record's id (None: none yet under this digest)
    changes: set[str] = field(default_factory=set)  # files recorded since the whole record was written
    started_ns: int = field(default_factory=time.time_ns)
    _files: Any = field(default_factory=hashlib.sha256)  # the digest of the files and texts checked now, in order
    _noted: int = 0

    @classmethod
    def load(cls, state: Path, digest: str, text: str, org: str = "") -> CheckCache:
        """The records in ``state`` when made under ``digest`` (else, made under the same ``text`` digest, what
        their texts decide; else empty ones, to be written anew): the whole record, then what later checks
        changed since it was written (kept beside it, see `save`)."""
        where = state / CACHE_FILE
        try:
            header, entries = _read(where, text)
        except _UNREADABLE:
            header = None
        if header is None:
            return cls(where, digest, text, org, changed=True)
        groups: dict[str, list[Group]] = header.get("groups") or {}
        try:  # changes that cannot be read: their files' stamps are not the record's, and they are read again
            later, changes = _read(where.with_name(CHANGES_FILE), text)
        except _UNREADABLE:  # none (FileNotFoundError) among them
            later, changes = None, {}
        if later is not None and later.get("base") == header.get("id"):  # changes made to this very record
            entries.update(changes)
            groups = later["groups"]
        else:
            changes = {}
        if header.get("digest") != digest:  # other inputs: the facts of every file are read again
            same_org = bool(org) and header.get("org") == org
            # the near-duplicate groups as well: a text's alone, kept for its exact list of files, owners and texts
            return cls(where, digest, text, org, same_org, texts=entries, groups=groups, changed=True)
        return cls(
            where, digest, text, org, entries=entries, groups=groups, base=header.get("id"), changes=set(changes)
        )

    def get(self, path: str, stamp: Stamp | None) -> Entry | None:
        return _unchanged(self.entries.get(path), stamp)

    def text_of(self, path: str, stamp: Stamp | None) -> Entry | None:
        """The entry of a file unchanged since, checked under other inputs: what its text decides."""
        return _unchanged(self.texts.get(path), stamp)

    def put(self, path: str, entry: Entry) -> None:
        """Recorded unless the file was modified too recently to trust its stamp (then the next check reads it)."""
        if not settled(entry.stamp, self.started_ns):
            self.entries.pop(path, None)
            self.changes.discard(path)  # the whole record's entry, if any, no longer matches the file's stamp
            return
        self.entries[path] = entry
        self.changes.add(path)
        self.changed = True

    def note(self, path: str, owner: tuple[tuple[str, ...], str], text: Shingles, found: Entry | None) -> None:
        """A file checked in this check, with its owner (unit path and title: the near-duplicates' label) and its
        text's shingles (``found``: read now rather than taken from here, to be recorded unless too fresh)."""
        # a digest, not a list: 100,000 noted took 20 MB
        unit = "\x1f".join(owner[0])
        self._files.update(f"{path}\0{unit}\0{owner[1]}\0{len(text)}\0".encode())
        self._files.update(text.astype(np.uint32, copy=False).data)
        self._noted += 1
        if found is not None:
            self.put(path, found)

    def files_key(self, threshold: float, checked: int) -> str | None:
        """The digest of the exact list of files and their texts (in order) near-duplicates are looked for in;
        None when some file was not noted."""
        if self._noted != checked:
            return None
        return hashlib.sha256(f"{threshold!r}\0{self._files.hexdigest()}".encode()).hexdigest()

    def near_duplicates(self, key: str) -> list[Group] | None:
        return self.groups.get(key)

    def keep_near_duplicates(self, key: str, groups: list[Group]) -> None:
        """Kept for the files of ``key`` (the latest few lists: a check with `--unapproved` beside one without)."""
        self.groups.pop(key, None)
        self.groups[key] = groups
        while len(self.groups) > KEPT_LISTS:
            del self.groups[next(iter(self.groups))]
        self.changed = True

    def save(self) -> None:
        """What changed since the whole record was written, beside it, while that is a small part of it (100,000
        files' records took half a second to write again for one changed); else the whole record anew, renamed
        into place. A folder that cannot take it leaves the next check slower."""
        if not self.changed:
            return
        changes = self.where.with_name(CHANGES_FILE)
        header = {"digest": self.digest, "text": self.text, "org": self.org, "groups": self.groups}
        try:
            if self.base is not None and len(self.changes) * CHANGES_AT_MOST <= len(self.entries):
                _write(changes, header | {"base": self.base}, {path: self.entries[path] for path in self.changes})
                return
            _write(self.where, header | {"id": os.urandom(16).hex()}, self.entries)
            changes.unlink(missing_ok=True)
        except OSError:
            return


def _unchanged(entry: Entry | None, stamp: Stamp | None) -> Entry | None:
    """The entry when the file still has the stamp it was recorded with."""
    return entry if entry is not None and stamp is not None and entry.stamp == stamp else None


_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError, KeyError)


def _read(where: Path, text: str) -> tuple[dict[str, Any] | None, dict[str, Entry]]:
    """A record's header and its files' entries (no header when made under another `text_digest`): a pickled
    header, the files' rows a part at a time, then every file's shingles back to back, read as one array
    (100,000 small arrays pickled one by one took seconds each way and a copy of them all)."""
    entries: dict[str, Entry] = {}
    with where.open("rb") as handle:
        header: dict[str, Any] = pickle.load(handle)
        if not isinstance(header, dict) or header.get("text") != text:  # another code, template or check settings
            return None, entries
        parts = []
        while (part := pickle.load(handle)) is not None:
            parts.append(part)
        everything = np.frombuffer(handle.read(), dtype=np.uint32)
    start = 0
    for paths, rows, sizes in parts:
        for path, row, size in zip(paths, rows, sizes.tolist(), strict=True):
            stamp, employee, findings, sketch, own, facts, kpis = row
            name = employee.decode() if employee is not None else None
            shingles = everything[start : start + size]
            entries[path.decode()] = Entry(stamp, name, findings, shingles, sketch, own, facts, kpis)
            start += size
    if start != len(everything):
        raise ValueError(f"{where}: shingles do not add up")
    return header, entries


def _write(where: Path, header: dict[str, Any], entries: dict[str, Entry]) -> None:
    """The record `_read` reads, written whole and renamed into place (nothing left behind on failure)."""
    temporary = where.with_name(f".{where.name}.{os.getpid()}.tmp")
    paths = list(entries)
    try:
        with temporary.open("wb") as handle:
            dump = functools.partial(pickle.dump, file=handle, protocol=pickle.HIGHEST_PROTOCOL)
            dump(header)
            # a part at a time (one pickle's memo of it all took 30 MB), texts as UTF-8 bytes (pickling a
            # str keeps its UTF-8 form on it for as long as it lives: 20 MB for 100,000 paths)
            for start in range(0, len(paths), PART):
                chosen = [entries[path] for path in paths[start : start + PART]]
                rows = [
                    (e.stamp, _encoded(e.employee), e.findings, e.sketch, e.from_text, e.facts, e.kpis) for e in chosen
                ]
                sizes = np.fromiter((len(e.shingles) for e in chosen), dtype=np.int64, count=len(chosen))
                dump(([path.encode() for path in paths[start : start + PART]], rows, sizes))
            dump(None)
            for entry in entries.values():
                handle.write(entry.shingles.astype(np.uint32, copy=False).data)
        os.replace(temporary, where)
    except BaseException:  # a disk error, or a second Ctrl-C while the first one's records are written
        temporary.unlink(missing_ok=True)
        raise


def _encoded(text: str | None) -> bytes | None:
    return text.encode() if text else None
