"""Render a profile document as DOCX (python-docx): headings and tables in HR's order, real properties."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from profilegen.export.sections import meta_line, title_of
from profilegen.template.layout import Bullets, Field, Table, Text, document_sections
from profilegen.template.model import Template
from profilegen.text import xml_safe

MAX_PROPERTY = 255


def _xml_safe(value: Any) -> Any:
    """The document with every string made XML-safe (control characters from odd org files)."""
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return value


def generated_at(document: dict[str, Any]) -> datetime:
    """The generation time of a document (UTC, naive as DOCX properties want it); now if unknown."""
    raw = str((document.get("meta") or {}).get("generated_at") or "")
    try:
        when = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        when = datetime.now(UTC)
    return when.astimezone(UTC).replace(tzinfo=None)


def _prepared_by(document: dict[str, Any], template: Template) -> str:
    spec = template.fact_field("prepared_by")
    value = (document.get("profile") or {}).get(spec.key) if spec is not None else None
    return str(value or "")


def render_docx(document: dict[str, Any], template: Template) -> bytes:
    """A4 portrait, the template's sections in order, the review notes last. python-docx makes the package once a
    process (its styles, settings and page, `_package`); each document's body is written as WordprocessingML text,
    as python-docx's own calls would have built it element by element, and its properties through python-docx
    (36 ms a profile through its object model and its saving, most of it in those calls and in compressing the
    same 800 KB of styles again)."""
    document = _xml_safe(document)
    prepared_by = _prepared_by(document, template)
    skeleton, head, tail, core, width, ids = _package()
    body: list[str] = []

    def styled(text: str, style: str) -> None:
        body.append(_paragraph(_run(text), ids[style]))

    title = title_of(document)
    styled(title, "Title")
    for section in document_sections(document, template):
        styled(section.title, "Heading 1")
        for block in section.blocks:
            if isinstance(block, Field):
                body.append(_paragraph(_run(f"{block.label}: ", "<w:b/>") + (_run(block.value) or "<w:r/>")))
            elif isinstance(block, Text):
                body.append(_paragraph(_run(block.text)))
            elif isinstance(block, Bullets):
                if block.heading:
                    styled(block.heading, "Heading 2")
                for item in block.items:
                    styled(item, "List Bullet")
            elif isinstance(block, Table):
                if block.heading:
                    styled(block.heading, "Heading 2")
                body.append(_table(block, ids["Table Grid"], width))
    body.append(_paragraph(_run(f"{template.texts['generated']}: {meta_line(document)}", "<w:i/>")))
    buffer = io.BytesIO(skeleton)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:  # the rest of the package as it was made
        package.writestr(_DOCUMENT, head + "".join(body).encode() + tail)
        package.writestr(_CORE, _properties(core, document, title, prepared_by))
    return buffer.getvalue()


_DOCUMENT, _CORE = "word/document.xml", "docProps/core.xml"


@functools.cache
def _package() -> tuple[bytes, bytes, bytes, bytes, int, dict[str, str]]:
    """A blank A4 document as python-docx makes it, saved once: the package without its document and properties
    (zipped), its document's text before and after the body's content, its properties, the width a table's
    columns share (EMU), and the ids of the styles the profile uses."""
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    page = doc.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(20)
    page.top_margin = page.bottom_margin = Mm(20)
    width = int(page.page_width - page.left_margin - page.right_margin)
    ids = {name: doc.styles[name].style_id for name in ("Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid")}
    saved = io.BytesIO()
    doc.save(saved)
    skeleton = io.BytesIO()
    with zipfile.ZipFile(saved) as made, zipfile.ZipFile(skeleton, "w", zipfile.ZIP_DEFLATED) as rest:
        for info in made.infolist():
            if info.filename not in (_DOCUMENT, _CORE):
                rest.writestr(info, made.read(info))
        text, core = made.read(_DOCUMENT), made.read(_CORE)
    at = text.rindex(b"<w:sectPr")  # the body holds only its page settings: the content goes before them
    return skeleton.getvalue(), text[:at], text[at:], core, width, ids


def _properties(core: bytes, document: dict[str, Any], title: str, prepared_by: str) -> bytes:
    """The package's properties (title, author, dates, the unit) set through python-docx on its blank ones."""
    from docx.opc.coreprops import CoreProperties
    from docx.opc.oxml import serialize_part_xml
    from docx.oxml.parser import parse_xml

    element = parse_xml(core)
    props = CoreProperties(element)
    when = generated_at(document)
    props.title = title[:MAX_PROPERTY]  # document properties hold at most 255 characters
    props.author = prepared_by[:MAX_PROPERTY]
    props.last_modified_by = prepared_by[:MAX_PROPERTY]
    props.created = when
    props.modified = when
    unit_path = ((document.get("meta") or {}).get("position") or {}).get("unit_path") or []
    props.subject = " / ".join(unit_path)[:MAX_PROPERTY]
    return bytes(serialize_part_xml(element))


_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_BREAKS = re.compile(r"(\t|\r|\n)")
_TABLE_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1"'
    ' w:val="04A0"/>'
)


def _run(text: str, properties: str = "") -> str:
    """A run of text as python-docx writes one: a tab as `w:tab`, a line break as `w:br`, the rest in `w:t`
    (its spaces kept where it starts or ends with one); nothing for no text."""
    content = []
    for piece in _BREAKS.split(text):
        if piece == "\t":
            content.append("<w:tab/>")
        elif piece in ("\r", "\n"):
            content.append("<w:br/>")
        elif piece:
            space = ' xml:space="preserve"' if len(piece.strip()) < len(piece) else ""
            content.append(f"<w:t{space}>{escape(piece)}</w:t>")
    said = "".join(content)
    if not said and not properties:
        return ""
    return f"<w:r>{f'<w:rPr>{properties}</w:rPr>' if properties else ''}{said}</w:r>"


def _paragraph(runs: str, style: str | None = None) -> str:
    styled = f'<w:pPr><w:pStyle w:val="{escape(style)}"/></w:pPr>' if style else ""
    return f"<w:p>{styled}{runs}</w:p>"


def _table(block: Table, style: str, width: int) -> str:
    """A table as python-docx's `add_table` and `add_row` make it: the width shared evenly by its columns, the
    header row bold."""
    columns = len(block.headers)
    twips = round(width // columns / 635) if columns else 0  # EMU to twips, as python-docx's `Length.twips`
    cell = f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{twips}"/></w:tcPr>'
    head = "".join(f"{cell}{_paragraph(_run(h, '<w:b/>') or '<w:r/>')}</w:tc>" for h in block.headers)
    rows = "".join(
        "<w:tr>" + "".join(f"{cell}{_paragraph(_run(v) or '<w:r/>')}</w:tc>" for v in row) + "</w:tr>"
        for row in block.rows
    )
    grid = f'<w:gridCol w:w="{twips}"/>' * columns
    properties = f'<w:tblPr><w:tblStyle w:val="{escape(style)}"/><w:tblW w:type="auto" w:w="0"/>{_TABLE_LOOK}</w:tblPr>'
    return f"<w:tbl>{properties}<w:tblGrid>{grid}</w:tblGrid><w:tr>{head}</w:tr>{rows}</w:tbl>"
