"""The XLSX workbook: a Summary sheet and one sheet per profile in HR's reference layout."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from profilegen.export.documents import StoredProfile
from profilegen.export.sections import block_lines, labels_for, profile_sections, title_of
from profilegen.text import xml_safe

MAX_SHEET = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUMMARY_HEADERS = (
    "Unit path",
    "Position",
    "Category",
    "KPI source",
    "Generator",
    "Model",
    "Tokens in",
    "Tokens out",
    "Cost USD",
    "Generated at",
    "Sheet",
)


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Unique sheet names (≤ 31 characters, none of []:*?/\\), one per title, in order."""
    used: set[str] = {"summary"}
    names = []
    for title in titles:
        base = _BAD_SHEET_CHARS.sub("_", xml_safe(title)).strip().strip("'") or "Profile"
        name = base[:MAX_SHEET]
        counter = 1
        while name.casefold() in used:
            counter += 1
            suffix = f"~{counter}"
            name = base[: MAX_SHEET - len(suffix)] + suffix
        used.add(name.casefold())
        names.append(name)
    return names


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write a cell; text that a spreadsheet would run as a formula stays text."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = xml_safe(value)
    cell.value = value
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def render_workbook(profiles: Sequence[StoredProfile], language: str = "ru", prepared_by: str = "profilegen") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Summary"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column, header in enumerate(SUMMARY_HEADERS, start=1):
        _put(summary, 1, column, header).font = bold
    names = sheet_names([title_of(p.document) for p in profiles])
    lab = labels_for(language)
    for row, (profile, name) in enumerate(zip(profiles, names, strict=True), start=2):
        doc, meta = profile.document, profile.document.get("meta") or {}
        values = (
            " / ".join(profile.unit_path),
            title_of(doc),
            doc["profile"].get("category"),
            meta.get("kpi_source"),
            meta.get("generator"),
            meta.get("model"),
            meta.get("tokens_in"),
            meta.get("tokens_out"),
            meta.get("cost_usd"),
            meta.get("generated_at"),
        )
        for column, value in enumerate(values, start=1):
            _put(summary, row, column, value)
        link = _put(summary, row, len(SUMMARY_HEADERS), name)
        quoted = name.replace("'", "''")
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{quoted}'!A1", display=name)
        link.font = Font(color="0563C1", underline="single")
        sheet = workbook.create_sheet(name)
        _put(sheet, 1, 1, title_of(doc)).font = Font(bold=True, size=14)
        line = 3
        for section in profile_sections(doc, language):
            _put(sheet, line, 1, section.title).font = bold
            text = "\n".join(t for block in section.blocks for t in block_lines(block))
            _put(sheet, line, 2, text).alignment = wrap
            sheet.cell(row=line, column=1).alignment = wrap
            line += 1
        _put(sheet, line + 1, 1, lab["prepared"]).font = bold
        _put(sheet, line + 1, 2, prepared_by)
        _put(sheet, line + 2, 1, lab["date"]).font = bold
        _put(sheet, line + 2, 2, str(meta.get("generated_at", ""))[:10])
        sheet.column_dimensions["A"].width = 34
        sheet.column_dimensions["B"].width = 100
    summary.freeze_panes = "A2"
    summary.auto_filter.ref = f"A1:{summary.cell(row=1, column=len(SUMMARY_HEADERS)).column_letter}{len(profiles) + 1}"
    for letter, width in zip("ABCDEFGHIJK", (60, 40, 18, 12, 10, 24, 10, 10, 10, 24, 32), strict=True):
        summary.column_dimensions[letter].width = width
    workbook.properties.creator = prepared_by
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
