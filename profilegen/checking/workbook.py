"""The exceptions workbook of `check --xlsx`: a row per finding, filters, a frozen header, the form's language."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from profilegen.checking.findings import Located
from profilegen.export.atomic import write_bytes_atomic
from profilegen.text import xml_safe

HEADERS = {
    "ru": ("Подразделение", "Должность", "Сотрудник", "Правило", "Важность", "Описание"),
    "en": ("Unit", "Position", "Employee", "Rule", "Severity", "Detail"),
}
SEVERITY = {"ru": {"error": "ошибка", "warning": "предупреждение"}, "en": {"error": "error", "warning": "warning"}}
SHEET = {"ru": "Замечания", "en": "Findings"}
WIDTHS = (60, 40, 24, 22, 16, 100)


def write_findings(path: Path, findings: Sequence[Located], language: str) -> None:
    language = "en" if language == "en" else "ru"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET[language]
    sheet.append(HEADERS[language])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in findings:
        f = item.finding
        values = (
            " / ".join(item.unit_path),
            item.title,
            item.employee,
            f.rule,
            SEVERITY[language][f.severity],
            f.detail,
        )
        sheet.append([None if v is None else xml_safe(v) for v in values])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s" if cell.value is not None else cell.data_type  # text, never a formula
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(65 + index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:F{max(1, sheet.max_row)}"
    buffer = io.BytesIO()
    book.save(buffer)
    write_bytes_atomic(path, buffer.getvalue())
