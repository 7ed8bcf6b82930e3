"""The XLSX workbook: a Summary sheet and one sheet per profile in HR's reference layout."""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

from profilegen.export.atomic import atomic_file
from profilegen.export.documents import StoredProfile
from profilegen.export.sections import title_of
from profilegen.template.documents import readable
from profilegen.template.layout import Bullets, Field, Text, document_sections
from profilegen.template.model import Template
from profilegen.text import xml_safe

MAX_SHEET = 31
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SUMMARY_KEYS = (
    "unit",
    "position",
    "category",
    "kpis",
    "warnings",
    "generator",
    "model",
    "tokens_in",
    "tokens_out",
    "cost",
    "generated",
    "sheet",
)


def _whole_words(text: str, limit: int) -> str:
    """The text cut to ``limit`` characters at a word boundary (a single long word is cut inside)."""
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,.-–—(")
    return cut if 0 < len(cut) <= limit else text[:limit]


def sheet_names(titles: Sequence[str], reserved: str = "Summary") -> list[str]:
    """Unique sheet names (≤ 31 characters, none of []:*?/\\, whole words), one per title, in order; a
    repeated title gets its number: "Руководитель группы (2)"."""
    used: set[str] = {reserved.casefold()}
    # a title's numbers below its last one are all taken (names are only ever added): the next is looked for
    # from there, not from 2 — 5,000 "Специалист" of 100,000 profiles made 12 million tries
    last: dict[str, int] = {}
    names = []
    for title in titles:
        base = " ".join(_BAD_SHEET_CHARS.sub(" ", xml_safe(title)).replace("'", " ").split()) or "Profile"
        name = _whole_words(base, MAX_SHEET)
        if name.casefold() in used:
            counter = last.get(base, 1)
            while name.casefold() in used:
                counter += 1
                suffix = f" ({counter})"
                name = _whole_words(base, MAX_SHEET - len(suffix)) + suffix
            last[base] = counter
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


def _sheet(
    rows: Sequence[str], widths: Sequence[float], frozen: bool = False, tail: str = "", fit: bool = False
) -> str:
    view = '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if frozen else ""
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1))
    fit_page = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fit else ""
    return (
        _HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">{fit_page}'
        f'<sheetViews><sheetView workbookViewId="0">{view}</sheetView></sheetViews>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{tail}</worksheet>"
    )


_PAGE = (
    '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    '<pageSetup paperSize="9" orientation="portrait" fitToWidth="1" fitToHeight="0"/>'
)  # A4 portrait, as wide as the page


_NUMBER = re.compile(r"(0|[1-9]\d{0,8})(\.\d{1,6})?")


def _number(text: str) -> str | int | float:
    """A value that is a number (a level, a count, a target, a weight) as a number, so a spreadsheet sums and
    sorts it; codes with a leading zero stay text."""
    if not _NUMBER.fullmatch(text):
        return text
    return float(text) if "." in text else int(text)


def _profile_sheet(document: dict[str, Any], template: Template) -> str:
    """HR's layout: the section's label in column A, its values from column B on (a field's label in B and
    its value in C; numbered areas with "-" tasks; tables with a column per column)."""
    grid: list[list[tuple[int, Any, int]]] = [[(1, title_of(document), TITLE)], []]
    for section in document_sections(document, template):
        lines: list[list[tuple[int, Any, int]]] = []
        for block in section.blocks:
            if isinstance(block, Text):
                lines.append([(2, block.text, WRAP)])
            elif isinstance(block, Field):
                lines.append([(2, block.label, WRAP), (3, _number(block.value), WRAP)])
            else:
                if block.heading:
                    lines.append([(2, block.heading, BOLD_WRAP)])
                if isinstance(block, Bullets):
                    lines += [[(2, f"- {item}", WRAP)] for item in block.items]
                else:
                    lines.append([(c, h, BOLD_WRAP) for c, h in enumerate(block.headers, start=2)])
                    lines += [[(c, _number(v), WRAP) for c, v in enumerate(cells, start=2)] for cells in block.rows]
        lines = lines or [[]]
        lines[0] = [(1, section.title, BOLD_WRAP), *lines[0]]
        grid += [*lines, []]
    rows = [_row(n, [_cell(n, c, v, style) for c, v, style in cells]) for n, cells in enumerate(grid, start=1) if cells]
    return _sheet(rows, (34, 60, 16, 60, 10, 12), tail=_PAGE, fit=True)


def _summary_value(document: dict[str, Any], template: Template, fact: str) -> Any:
    spec = template.fact_field(fact)
    return (document.get("profile") or {}).get(spec.key) if spec is not None else None


def write_workbook(target: Path, profiles: Sequence[StoredProfile], template: Template) -> None:
    """The workbook, written part by part into a zip beside ``target`` and then put in its place: time and
    memory grow with one profile at a time (each profile's file is read when its sheet is written; the
    Summary's rows wait in a temporary file). A spreadsheet library would keep every sheet in memory and
    check each new sheet's name against all the others. The Summary sheet speaks the template's language;
    each profile is read with its own template."""
    texts = template.texts
    headers = tuple(texts[f"summary_{key}"] for key in SUMMARY_KEYS)
    summary = texts["summary"]
    names = sheet_names([title_of(p.document) for p in profiles], summary)
    last = len(profiles) + 1
    with atomic_file(target) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as book:
        with (
            tempfile.TemporaryFile("w+", encoding="utf-8") as rows,
            tempfile.TemporaryFile("w+", encoding="utf-8") as links,
        ):
            for row, (profile, name) in enumerate(zip(profiles, names, strict=True), start=2):
                doc, own = readable(profile.full().document, template)
                book.writestr(f"xl/worksheets/sheet{row}.xml", _profile_sheet(doc, own))
                meta = doc.get("meta") or {}
                values = (
                    " / ".join(profile.unit_path),
                    title_of(doc),
                    _summary_value(doc, own, "category"),
                    _summary_value(doc, own, "kpi_source"),
                    len(meta.get("warnings") or []),
                    meta.get("generator"),
                    meta.get("model"),
                    meta.get("tokens_in"),
                    meta.get("tokens_out"),
                    meta.get("cost_usd"),
                    meta.get("generated_at"),
                )
                cells = [_cell(row, c, v) for c, v in enumerate(values, start=1)]
                rows.write(_row(row, [*cells, _cell(row, len(headers), name, LINK)]))
                location = "'{}'!A1".format(name.replace("'", "''"))
                ref = f"{_column(len(headers))}{row}"
                links.write(f'<hyperlink ref="{ref}" location={quoteattr(location)} display={quoteattr(name)}/>')
            widths = (60, 40, 30, 40, 10, 10, 24, 10, 10, 10, 24, 32)
            header_row = _row(1, [_cell(1, c, h, BOLD) for c, h in enumerate(headers, start=1)])
            head, tail = _sheet([header_row, _ROWS], widths, frozen=True).split(_ROWS)
            filter_ref = f"A1:{_column(len(headers))}{last}"
            with book.open("xl/worksheets/sheet1.xml", "w") as entry:
                entry.write(head.encode("utf-8"))
                _copy(rows, entry)
                entry.write(tail[: -len("</worksheet>")].encode("utf-8"))
                entry.write(f'<autoFilter ref="{filter_ref}"/>'.encode())
                if profiles:
                    entry.write(b"<hyperlinks>")
                    _copy(links, entry)
                    entry.write(b"</hyperlinks>")
                entry.write(b"</worksheet>")
        sheets = [summary, *names]
        book.writestr(
            "xl/workbook.xml",
            _HEAD
            + f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            + "".join(
                f'<sheet name={quoteattr(xml_safe(n))} sheetId="{i}" r:id="rId{i}"/>' for i, n in enumerate(sheets, 1)
            )
            + '</sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
            + f"'{summary}'!$A$1:${_column(len(headers))}${last}</definedName></definedNames></workbook>",
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
            "<dc:creator>profilegen</dc:creator></cp:coreProperties>",
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


_ROWS = "\x00rows\x00"  # where the Summary's rows go in its sheet (never in XML text)


def _copy(source: IO[str], entry: IO[bytes]) -> None:
    source.seek(0)
    while chunk := source.read(1 << 20):
        entry.write(chunk.encode("utf-8"))
