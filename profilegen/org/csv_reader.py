"""Read an org structure from CSV or text as accounting systems and Excel export it: UTF-8 (BOM or not),
UTF-16 ("Unicode text") or Windows-1251, `;`, `,` or tab between fields, detected from the file."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from pathlib import Path

from profilegen.errors import InputError
from profilegen.org import tabular
from profilegen.org.model import OrgStructure
from profilegen.org.problems import Problem

DELIMITERS = (";", ",", "\t")


_WORKBOOKS = {b"PK\x03\x04": "an Excel workbook (.xlsx)", b"\xd0\xcf\x11\xe0": "a legacy Excel workbook (.xls)"}


def decode(raw: bytes, source: str = "") -> str:
    """Text as exports write it: UTF-16 with a BOM (Excel's "Unicode text"), UTF-8 (with or without BOM),
    else Windows-1251 (the usual Russian export). A workbook under a text name is said to be one."""
    for magic, kind in _WORKBOOKS.items():
        if raw.startswith(magic):
            raise InputError(f"this is {kind}, not CSV or text: give it its real extension", source=source)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("damaged UTF-16 text", source=source) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1251")
    except UnicodeDecodeError:
        raise InputError("not text in UTF-8, UTF-16 or Windows-1251", source=source) from None


def delimiter_of(text: str) -> str:
    """The delimiter that splits the first lines most consistently (and most often)."""
    lines = [line for line in _head(text, 20).splitlines()[:20] if line.strip()]
    best, best_score = ";", (-1, -1)
    for candidate in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        if not counts or max(counts) < 2:
            continue
        score = (sum(1 for c in counts if c == counts[0]), counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def _head(text: str, count: int) -> str:
    """The text up to its ``count``-th line end (all of it when shorter): its first lines are the text's own,
    without splitting 100,000 rows to look at twenty."""
    for end in ("\n", "\r"):
        stop = -1
        for _ in range(count):
            stop = text.find(end, stop + 1)
            if stop < 0:
                break
        else:
            return text[: stop + 1]
    return text


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their ends, one at a time (a StringIO of it would hold the text again at four
    bytes a character: 60 MB for a 15 MB file); old Mac files end lines with a bare carriage return."""
    end = "\n" if "\n" in text or "\r" not in text else "\r"
    start = 0
    while start < len(text):
        stop = text.find(end, start)
        stop = len(text) if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def load_csv(path: Path, columns: Mapping[str, object] | None, data: bytes) -> tuple[OrgStructure, list[Problem]]:
    text = decode(data, str(path))
    if "\x00" in text:
        raise InputError("not a text file (NUL bytes inside): is it a workbook named .csv?", source=str(path))
    rows = csv.reader(_lines(text), delimiter=delimiter_of(text))
    try:
        return tabular.build(rows, str(path), columns)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=str(path)) from None
