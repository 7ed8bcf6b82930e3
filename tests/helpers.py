"""Small writers for real input files used by tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], sheet: str = "Лист1", extra_sheets: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for i in range(extra_sheets):
        workbook.create_sheet(f"extra{i}")
    workbook.save(path)
    return path
