"""The one place output paths are built: safe names, stable collision suffixes, always inside OUT."""

from __future__ import annotations

import bisect
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

from profilegen.errors import InputError

MAX_PART = 80
MIN_SHORT = 12
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


def _suffix(original: str) -> str:
    return hashlib.sha256(original.encode("utf-8")).hexdigest()[:6]


@lru_cache(maxsize=1 << 16)
def safe_part(name: str) -> str:
    """A file-name-safe form of one name: keeps its script, drops separators and control characters."""
    text = name.replace('"', "'")
    text = _FORBIDDEN.sub("_", text)
    text = _SPACES.sub(" ", text).strip().rstrip(". ")
    text = text.lstrip("-") or "_"
    if set(text) <= {".", "_", " "} and text != "_":
        text = "_" * len(text)
    if text.startswith("."):  # a hidden file or folder is one that HR's file manager does not show
        text = "_" + text.lstrip(".")
    if _RESERVED.match(text):
        text = f"_{text}"
    if len(text) > MAX_PART:
        text = f"{text[: MAX_PART - 7].rstrip()}~{_suffix(name)}"
    return text


def shorten(name: str, original: str, room: int) -> str:
    """``name`` cut to ``room`` characters (never below MIN_SHORT), ending in a hash of ``original``."""
    if len(name) <= room:
        return name
    keep = max(MIN_SHORT, room) - 7
    return f"{name[:keep].rstrip()}~{_suffix(original)}"


def folder_names(names: Iterable[str]) -> dict[str, str]:
    """Safe, unique names for everything in one folder (unique even on case-insensitive disks).

    Where safe forms clash, a name keeps its plain form only if the safe form is the name itself
    (and, among names differing only by case, it sorts first); the others get a suffix from the
    hash of their own original, so a suffix never depends on which other names exist.
    """
    slugs = {name: safe_part(name) for name in names}  # a name's safe form, each name once
    by_slug: dict[str, list[str]] = {}
    for name, slug in slugs.items():
        by_slug.setdefault(slug.casefold(), []).append(name)
    if len(by_slug) == len(slugs):  # no clash (a layout asks this of each of 30,000 folders): every name its slug
        return slugs
    result: dict[str, str] = {}
    for name, slug in slugs.items():
        group = by_slug[slug.casefold()]
        plain = min((n for n in group if slugs[n] == n), default=None)
        result[name] = slug if len(group) == 1 or name == plain else f"{slug}~{_suffix(name)}"
    return result


def inside(root: Path, candidate: Path) -> Path:
    """``candidate`` resolved, or InputError if it escapes ``root`` (``..``, absolute parts, symlinks)."""
    resolved_root = root.resolve()
    resolved = candidate.resolve()
    if resolved != resolved_root and resolved_root not in resolved.parents:
        raise InputError(f"refusing to write outside the output folder: {candidate}", source=str(root))
    return resolved


def format_name(stem: Path | str, fmt: str) -> str:
    """The file name of one format of a position: `<stem>.<fmt>` (a stem may itself hold dots);
    ``stem`` is the stem's path or already its name."""
    return f"{stem if isinstance(stem, str) else stem.name}.{fmt}"


def format_file(stem: Path, fmt: str) -> Path:
    """The file of one format of a position, beside its stem."""
    return stem.with_name(format_name(stem, fmt))


FOLDERS_KEPT = 256

Key = TypeVar("Key")
Value = TypeVar("Value")


class Recent(Generic[Key, Value]):
    """A memo for readers that go unit by unit: what was worked out lately, forgotten all at once when it
    holds ``limit`` entries (held for 100,000 positions, such memos took tens of MB each)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._found: dict[Key, Value] = {}

    def get(self, key: Key, make: Callable[[], Value]) -> Value:
        found = self._found.get(key)
        if found is None:
            if len(self._found) >= self.limit:
                self._found.clear()
            found = self._found[key] = make()
        return found


class Listing:
    """The names in OUT's folders, each folder listed once: a reader walking many positions of a unit asks
    its folder once instead of once per position (a glob per position was quadratic in the folder's size).
    Only the recent folders are kept: readers and planning go unit by unit."""

    def __init__(self) -> None:
        self._names: Recent[str, tuple[list[str], frozenset[str]]] = Recent(FOLDERS_KEPT)

    def _listed(self, folder: str) -> tuple[list[str], frozenset[str]]:
        """The folder's names in order and as a set (none when it cannot be listed); kept by the folder's path
        as text (a `Path` made per question and hashed anew took a third of a check that read no profile)."""
        return self._names.get(folder, lambda: _names_in(folder))

    def names(self, folder: Path) -> frozenset[str]:
        """The names in the folder."""
        return self._listed(str(folder))[1]

    def personal_files(self, stem: Path, neighbours: Iterable[str] = ()) -> list[Path]:
        """The JSON files of a position's personal profiles (`<stem> (<employee>).json`), in name order.
        ``neighbours``: the file stems of the other positions in the folder — «Специалист (по охране труда)»'s
        files are its own, not a personal profile of «Специалист»."""
        return [stem.parent / name for name in self.personal_names(str(stem.parent), stem.name, neighbours)]

    def personal_names(self, folder: str, stem: str, neighbours: Iterable[str] = ()) -> list[str]:
        """`personal_files` as names in ``folder`` (given as text) of the position whose file stem is ``stem``."""
        names = self._listed(folder)[0]
        prefix, end = f"{stem} (", ").json"
        at = bisect.bisect_left(names, prefix)
        if at == len(names) or not names[at].startswith(prefix):  # most positions: no file of a person's
            return []
        theirs = tuple(n for n in neighbours if n.startswith(prefix))
        found = []
        for name in names[at:]:
            if not name.startswith(prefix):
                break
            if any(name == f"{n}.json" or name.startswith(f"{n} (") for n in theirs):
                continue
            if name.endswith(end) and len(name) >= len(prefix) + len(end):
                found.append(name)
        return found


def _names_in(folder: str) -> tuple[list[str], frozenset[str]]:
    try:
        names = sorted(os.listdir(folder))  # names alone: no DirEntry made per name
    except OSError:
        names = []
    return names, frozenset(names)
