"""The XLSX workbook: a Summary sheet and one sheet per profile in HR's reference layout."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from profilegen.export.documents import StoredProfile
from profilegen.export.sections import block_lines, kpi_label, labels_for, profile_sections, title_of
from profilegen.text import xml_safe

MAX_SHEET = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUMMARY_HEADERS = (
    "Unit path",
    "Position",
    "Category",
    "KPIs",
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


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# cell styles: plain, bold, title, link, wrapped, bold wrapped; the same six again with a quote prefix
PLAIN, BOLD, TITLE, LINK, WRAP, BOLD_WRAP = range(6)
_QUOTED = 6
_STYLES = (
    _HEAD + f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font>'
    '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="12">'
    + "".join(
        f'<xf numFmtId="0" fontId="{font}" fillId="0" borderId="0" xfId="0"'
        + (' applyFont="1"' if font else "")
        + (' quotePrefix="1"' if quoted else "")
        + (' applyAlignment="1"><alignment wrapText="1" vertical="top"/></xf>' if wrap else "/>")
        for quoted in (False, True)
        for font, wrap in ((0, False), (1, False), (2, False), (3, False), (0, True), (1, True))
    )
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell(row: int, column: int, value: Any, style: int = PLAIN) -> str:
    """One cell's XML: text inline (never a formula: text a spreadsheet would run gets a quote prefix),
    numbers as numbers, nothing for None."""
    if value is None:
        return ""
    ref = f"{_column(column)}{row}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = xml_safe(str(value))
        style += _QUOTED if text.startswith(_FORMULA_START) else 0
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
    return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'


def _row(row: int, cells: Sequence[str]) -> str:
    return f'<row r="{row}">{"".join(cells)}</row>'


def _sheet(rows: Sequence[str], widths: Sequence[float], frozen: bool = False, tail: str = "") -> str:
    view = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if frozen else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    return (
        _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">{view}'
        f"</sheetView></sheetViews><cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{tail}</worksheet>"
    )


def _profile_sheet(profile: StoredProfile, language: str, prepared_by: str) -> str:
    doc, meta = profile.document, profile.document.get("meta") or {}
    lab = labels_for(language)
    rows = [_row(1, [_cell(1, 1, title_of(doc), TITLE)])]
    line = 3
    for section in profile_sections(doc, language):
        text = "\n".join(t for block in section.blocks for t in block_lines(block))
        rows.append(_row(line, [_cell(line, 1, section.title, BOLD_WRAP), _cell(line, 2, text, WRAP)]))
        line += 1
    rows.append(_row(line + 1, [_cell(line + 1, 1, lab["prepared"], BOLD), _cell(line + 1, 2, prepared_by)]))
    date = str(meta.get("generated_at", ""))[:10]
    rows.append(_row(line + 2, [_cell(line + 2, 1, lab["date"], BOLD), _cell(line + 2, 2, date)]))
    return _sheet(rows, (34, 100))


def render_workbook(profiles: Sequence[StoredProfile], language: str = "ru", prepared_by: str = "profilegen") -> bytes:
    """The workbook, written part by part into a zip: time and memory grow with the profiles, one at a time
    (a spreadsheet library keeps every sheet and checks each new sheet's name against all the others)."""
    names = sheet_names([title_of(p.document) for p in profiles])
    categories = labels_for(language)["categories"]
    last = len(profiles) + 1
    rows = [_row(1, [_cell(1, c, h, BOLD) for c, h in enumerate(SUMMARY_HEADERS, start=1)])]
    links = []
    for row, (profile, name) in enumerate(zip(profiles, names, strict=True), start=2):
        doc, meta = profile.document, profile.document.get("meta") or {}
        values = (
            " / ".join(profile.unit_path),
            title_of(doc),
            categories.get(doc["profile"].get("category"), doc["profile"].get("category")),
            kpi_label(doc, language),
            meta.get("generator"),
            meta.get("model"),
            meta.get("tokens_in"),
            meta.get("tokens_out"),
            meta.get("cost_usd"),
            meta.get("generated_at"),
        )
        cells = [_cell(row, c, v) for c, v in enumerate(values, start=1)]
        rows.append(_row(row, [*cells, _cell(row, len(SUMMARY_HEADERS), name, LINK)]))
        location = "'{}'!A1".format(name.replace("'", "''"))
        ref = f"{_column(len(SUMMARY_HEADERS))}{row}"
        links.append(f'<hyperlink ref="{ref}" location={quoteattr(location)} display={quoteattr(name)}/>')
    filter_ref = f"A1:{_column(len(SUMMARY_HEADERS))}{last}"
    tail = f'<autoFilter ref="{filter_ref}"/>' + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
    widths = (60, 40, 18, 40, 10, 24, 10, 10, 10, 24, 32)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", _sheet(rows, widths, frozen=True, tail=tail))
        for number, profile in enumerate(profiles, start=2):
            book.writestr(f"xl/worksheets/sheet{number}.xml", _profile_sheet(profile, language, prepared_by))
        sheets = ["Summary", *names]
        book.writestr(
            "xl/workbook.xml",
            _HEAD
            + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(xml_safe(n))} sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1)
            )
            + '</sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            + f"'Summary'!$A$1:${_column(len(SUMMARY_HEADERS))}${last}</definedName></definedNames></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            _HEAD
            + f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(sheets) + 1)
            )
            + f'<Relationship Id="rIdStyles" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr(
            "_rels/.rels",
            _HEAD + f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>',
        )
        book.writestr(
            "docProps/core.xml",
            _HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:creator>{escape(xml_safe(prepared_by))}</dc:creator></cp:coreProperties>",
        )
        book.writestr(
            "[Content_Types].xml",
            _HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}"/>'
                for i in range(1, len(sheets) + 1)
            )
            + "</Types>",
        )
    return buffer.getvalue()
