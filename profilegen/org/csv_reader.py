"""Read an org structure from CSV as accounting systems export it: UTF-8 (BOM or not) or Windows-1251,
`;` or `,` (or tab) between fields, detected from the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

from profilegen.errors import InputError
from profilegen.org import tabular
from profilegen.org.model import OrgStructure
from profilegen.org.problems import Problem

DELIMITERS = (";", ",", "\t")


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1251 (the usual Russian export)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def delimiter_of(text: str) -> str:
    """The delimiter that splits the first lines most consistently (and most often)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ";", (-1, -1)
    for candidate in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        if not counts or max(counts) < 2:
            continue
        score = (sum(1 for c in counts if c == counts[0]), counts[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def load_csv(path: Path, columns: Mapping[str, object] | None = None) -> tuple[OrgStructure, list[Problem]]:
    text = decode(path.read_bytes())
    if "\x00" in text:
        raise InputError("not a text file (NUL bytes inside): is it a workbook named .csv?", source=str(path))
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    try:
        return tabular.build(rows, str(path), columns)
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", source=str(path)) from None
