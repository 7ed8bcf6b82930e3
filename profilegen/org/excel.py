"""Read an org structure from a workbook (.xlsx, .xlsm, .xls) with python-calamine (fast, Rust)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from profilegen.errors import InputError
from profilegen.org import tabular
from profilegen.org.model import OrgStructure
from profilegen.org.problems import Problem

_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")


def _what_it_is(data: bytes) -> str:
    """A guess at what a file that is neither a zip nor an OLE2 workbook really is, for the message."""
    head = data[:4096]
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
    if text and "\x00" not in text and "\n" in text and any(sep in text for sep in (";", ",", "\t")):
        return "it looks like CSV text; name it .csv"
    return "the file is neither a zip archive nor a legacy .xls workbook"


def load_workbook(
    path: Path, sheet: str | None, columns: Mapping[str, object] | None, data: bytes
) -> tuple[OrgStructure, list[Problem]]:
    """Load the first sheet with a recognisable header (or the named sheet); ``data``: the file's bytes."""
    from python_calamine import CalamineError, CalamineWorkbook

    if not data.startswith(_OLE2) and not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputError(f"not a workbook: {_what_it_is(data)}", source=str(path))
    try:  # by content, not extension: a renamed .xls still reads
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})", source=str(path)) from None
    names = list(workbook.sheet_names)
    if sheet is not None:
        matching = [n for n in names if n == sheet] or [n for n in names if n.casefold() == sheet.strip().casefold()]
        if not matching:
            raise InputError(f"no sheet '{sheet}' (sheets: {', '.join(names)})", source=str(path))
        names = matching[:1]  # "штатное расписание" finds "Штатное расписание"
    first_error: InputError | None = None
    for name in names:
        try:
            rows = workbook.get_sheet_by_name(name).iter_rows()
            return tabular.build(rows, str(path), columns, sheet=name)
        except CalamineError as exc:
            raise InputError(f"cannot read sheet '{name}' ({exc})", source=str(path)) from None
        except InputError as exc:
            if sheet is not None or ("no header row" not in str(exc) and "is empty" not in str(exc)):
                raise
            first_error = first_error or exc
    assert first_error is not None
    raise first_error
