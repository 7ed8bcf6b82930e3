"""Read an org structure from an .xlsx workbook, streaming (openpyxl read-only mode)."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from profilegen.errors import InputError
from profilegen.org import tabular
from profilegen.org.model import OrgStructure
from profilegen.org.problems import Problem

_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")


def _what_it_is(path: Path) -> str:
    """A guess at what a file that is not a zip archive really is, for the error message."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(_OLE2):
        return "it is a legacy .xls workbook; save it as .xlsx"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1251")
        except UnicodeDecodeError:
            text = ""
    if text and "\x00" not in text and "\n" in text and any(sep in text for sep in (";", ",", "\t")):
        return "it looks like CSV text; save it as .xlsx"
    return "the file is not a zip archive"


def load_xlsx(
    path: Path, sheet: str | None = None, columns: Mapping[str, object] | None = None
) -> tuple[OrgStructure, list[Problem]]:
    """Load the first sheet with a recognisable header (or the named sheet)."""
    import openpyxl  # heavy: imported only when an xlsx is read

    if not zipfile.is_zipfile(path):
        raise InputError(f"not an .xlsx workbook: {_what_it_is(path)}", source=str(path))
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"cannot read the workbook ({type(exc).__name__})", source=str(path)) from exc
    try:
        names = list(workbook.sheetnames)
        if sheet is not None:
            if sheet not in names:
                raise InputError(f"no sheet '{sheet}' (sheets: {', '.join(names)})", source=str(path))
            names = [sheet]
        first_error: InputError | None = None
        for name in names:
            rows = workbook[name].iter_rows(values_only=True)
            try:
                return tabular.build(rows, str(path), columns, sheet=name)
            except InputError as exc:
                if sheet is not None or ("no header row" not in str(exc) and "is empty" not in str(exc)):
                    raise
                first_error = first_error or exc
        assert first_error is not None
        raise first_error
    finally:
        workbook.close()
