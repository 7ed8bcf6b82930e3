"""The company's own documents (Markdown), split by headings into sections a prompt can carry.

A section is a heading's own text, up to the next heading of any level; the headings above it are its
path. A long section made of bold-named items (`*   **Блок директора по развитию** …`, `**I. Подготовка**`)
is split once more, an item a section, so that one block of a 40,000-character org description is not
all or nothing. Each section knows its words (for choosing) and its size in tokens (for the budget).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from profilegen.errors import InputError
from profilegen.text import words

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_ITEM = re.compile(r"^(?:[*+-]\s+)?\*\*(.+?)\*\*")  # a bold-named item at the margin
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*\s*$")  # a bold line of its own: a heading in all but name
_NESTED = re.compile(r"^(\s+)[*+-]\s+")  # a list item some way in
_EMPHASIS = re.compile(r"[*_`]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]+")
SPLIT_TOKENS = 1000  # a section longer than this is split into its bold-named items…
ITEM_TOKENS = 60  # …when they are this long on average (a glossary of one-liners stays whole)
DOCUMENT_SUFFIXES = (".md", ".markdown", ".txt", ".docx")  # what a folder of documents is read for
# documents HR keeps that profilegen cannot read: named when a folder holds them (images and the like are not)
UNREADABLE_SUFFIXES = frozenset(
    (".doc", ".pdf", ".rtf", ".odt", ".pages", ".ppt", ".pptx", ".odp", ".xls", ".xlsx", ".ods", ".htm", ".html")
)


def count_tokens(text: str) -> int:
    """A rough token count (about 4 characters a token for Latin, 2.5 for Cyrillic), as the run's estimate."""
    cyrillic = sum(map(len, _CYRILLIC.findall(text)))
    return int(cyrillic / 2.5 + (len(text) - cyrillic) / 4)


@dataclass(frozen=True, slots=True)
class Section:
    """One heading's text in a document."""

    file: str
    heading: str  # its own heading, without Markdown emphasis ("1. Закупки и снабжение")
    path: tuple[str, ...]  # the headings above it, outermost first
    text: str
    line: int  # where its heading is (1-based; 1 for text before the first heading)
    tokens: int = field(init=False)
    digest: str = field(init=False)
    heading_words: frozenset[str] = field(init=False)
    path_words: frozenset[str] = field(init=False)
    counts: Counter[str] = field(init=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        rendered = self.rendered
        object.__setattr__(self, "tokens", count_tokens(rendered))
        object.__setattr__(self, "digest", hashlib.sha256(rendered.encode("utf-8")).hexdigest()[:16])
        object.__setattr__(self, "heading_words", frozenset(words(self.heading)))
        object.__setattr__(self, "path_words", frozenset(w for h in self.path for w in words(h)))
        object.__setattr__(self, "counts", Counter(words(self.text)))

    @property
    def rendered(self) -> str:
        """The section as a prompt carries it: a heading line naming where it is from, then its text."""
        where = " / ".join((*self.path, self.heading))
        return f"#### {self.file}: {where}\n{self.text}"

    def cut_to(self, tokens: int) -> str:
        """Its rendered text, whole lines only, within `tokens` (the heading line at least)."""
        lines = self.rendered.split("\n")
        kept = [lines[0]]
        used = count_tokens(lines[0])
        for line in lines[1:]:
            size = count_tokens(line) + 1
            if used + size > tokens:
                break
            kept.append(line)
            used += size
        return "\n".join(kept)


def _plain(heading: str) -> str:
    return _EMPHASIS.sub("", heading).strip().rstrip(":").strip()


def split_markdown(name: str, text: str) -> list[Section]:
    """A document's sections in order (headings with no text of their own give only their name to a path)."""
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []  # (level, heading) of the open headings
    heading, level, start = name.rsplit(".", 1)[0], 0, 1
    body: list[str] = []
    fenced = False

    def close() -> None:
        content = "\n".join(body).strip()
        if content:
            path = tuple(h for lv, h in stack if lv < level)
            sections.extend(_items(Section(name, heading, path, content, start)))

    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
        match = None if fenced else _HEADING.match(line)
        if match is None:
            body.append(line)
            continue
        close()
        level, heading, start, body = len(match.group(1)), _plain(match.group(2)), number, []
        stack = [(lv, h) for lv, h in stack if lv < level]
        stack.append((level, heading))
    close()
    return sections


def _items(section: Section) -> list[Section]:
    """The section, or its intro and its bold-named items when it is long and made of them."""
    if section.tokens <= SPLIT_TOKENS:
        return [section]
    lines = section.text.split("\n")
    starts = [i for i, line in enumerate(lines) if _BOLD_LINE.match(line)]  # bold lines over the items under them
    if len(starts) < 2:
        starts = [i for i, line in enumerate(lines) if _ITEM.match(line)]
    if len(starts) < 2 or section.tokens / len(starts) < ITEM_TOKENS:
        return [section]
    parts: list[Section] = []
    intro = "\n".join(lines[: starts[0]]).strip()
    if intro:
        parts.append(Section(section.file, section.heading, section.path, intro, section.line))
    for first, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        match = _ITEM.match(lines[first])
        assert match is not None
        text = "\n".join(lines[first:end]).strip()
        path = (*section.path, section.heading)
        item = Section(section.file, _name(match.group(1)), path, text, section.line + first + 1)
        parts.extend(_nested(item))
    return parts


def _name(text: str) -> str:
    """An item's name: its text without emphasis, counts and notes (`Отдел закупок (12 сотрудников) - …`)."""
    return _plain(re.split(r"\s+\(|\s+-\s+|:", _plain(text), maxsplit=1)[0])


def _nested(item: Section) -> list[Section]:
    """A long item, and its list items one level in as sections of their own (so on while they are long)."""
    if item.tokens <= SPLIT_TOKENS:
        return [item]
    lines = item.text.split("\n")
    indents = [len(m.group(1)) for line in lines[1:] if (m := _NESTED.match(line))]
    if not indents:
        return [item]
    level = min(indents)
    starts = [i for i, line in enumerate(lines) if i and (m := _NESTED.match(line)) and len(m.group(1)) == level]
    if len(starts) < 2:
        return [item]
    head = Section(item.file, item.heading, item.path, "\n".join(lines[: starts[0]]).strip(), item.line)
    parts = [head]
    for first, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        body = "\n".join(line[level:] for line in lines[first:end]).strip()
        name = _name(_NESTED.sub("", lines[first], count=1))
        parts.extend(_nested(Section(item.file, name, (*item.path, item.heading), body, item.line + first)))
    return parts


@dataclass(frozen=True, slots=True)
class Library:
    """Every section of the configured documents, in order."""

    sections: tuple[Section, ...]
    files: tuple[str, ...]


def document_files(path: Path) -> list[tuple[Path, str]]:
    """The documents a configured path names, each with the name its sections are shown by: the file itself, or
    every document in a folder and its subfolders (by their path in it, sorted; hidden files and Word's `~$` lock
    files left out)."""
    if not path.is_dir():
        return [(path, path.name)]
    found, unread = _documents_in(path)
    if not found:
        names = ", ".join(name for name, _p in unread)
        held = f"; it holds {names}, which profilegen cannot read: save them as .docx, .md or .txt" if unread else ""
        raise InputError(f"no document ({', '.join(DOCUMENT_SUFFIXES)}) in the folder{held}", source=str(path))
    return [(p, name) for name, p in found]


def unread_notices(paths: list[Path]) -> list[str]:
    """A line for each document in the configured folders that is not read, naming what it is and what to do (a
    folder with nothing else in it is an error of its own, `document_files`)."""
    readable = ", ".join(DOCUMENT_SUFFIXES[:-1]) + f" and {DOCUMENT_SUFFIXES[-1]}"
    lines = []
    for given in paths:
        found, unread = _documents_in(given) if given.is_dir() else ([], [])
        if found:
            lines += [
                f"{p}: not read (a {p.suffix.lower()}; profilegen reads {readable}: save it as one of them)"
                for _name, p in unread
            ]
    return lines


def _documents_in(path: Path) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """A folder's documents profilegen reads and those it cannot (a PDF, an old Word .doc), each by its path in the
    folder, sorted; hidden files and Word's lock files left out. One walk of the folder."""
    files = sorted(
        (p.relative_to(path).as_posix(), p)
        for p in path.rglob("*")
        if not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts) and p.is_file()
    )
    found = [(name, p) for name, p in files if p.suffix.lower() in DOCUMENT_SUFFIXES]
    return found, [(name, p) for name, p in files if p.suffix.lower() in UNREADABLE_SUFFIXES]


def load_library(paths: list[Path]) -> Library:
    """The documents' sections (a document read once per content: cached by path, size and time)."""
    sections: list[Section] = []
    names: list[str] = []
    for given in paths:
        for path, name in document_files(given):
            try:
                stat = path.stat()
            except OSError as exc:
                reason = type(exc).__name__
                raise InputError(f"cannot read the context document ({reason})", source=str(path)) from None
            sections.extend(_document(os.fspath(path.resolve()), stat.st_size, stat.st_mtime_ns, name))
            names.append(name)
    return Library(tuple(sections), tuple(names))


@lru_cache(maxsize=64)
def _document(path: str, size: int, mtime: int, name: str) -> tuple[Section, ...]:
    if path.lower().endswith(".docx"):
        from profilegen.company.word import word_markdown

        return tuple(split_markdown(name, word_markdown(Path(path))))
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else type(exc).__name__
        raise InputError(f"cannot read the context document ({reason})", source=path) from None
    return tuple(split_markdown(name, text))
