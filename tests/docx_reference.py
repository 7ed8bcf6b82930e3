"""The DOCX body as python-docx's own calls build it, element by element: the reference `render_docx`'s
WordprocessingML text must match (a test compares them; `bench.docx_render` times both)."""

from __future__ import annotations

import io
from typing import Any

from profilegen.export.docx_writer import _prepared_by, _xml_safe, generated_at
from profilegen.export.sections import meta_line, title_of
from profilegen.template.layout import Bullets, Field, Table, Text, document_sections
from profilegen.template.model import Template


def reference_docx(document: dict[str, Any], template: Template) -> bytes:
    """profilegen's DOCX renderer as it was until 2026-12-08, through python-docx's object model."""
    from docx import Document
    from docx.shared import Mm

    document = _xml_safe(document)
    prepared_by = _prepared_by(document, template)
    doc = Document()
    page = doc.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.left_margin = page.right_margin = Mm(20)
    page.top_margin = page.bottom_margin = Mm(20)
    ids = {name: doc.styles[name].style_id for name in ("Title", "Heading 1", "Heading 2", "List Bullet", "Table Grid")}

    def styled(text: str, style: str) -> None:
        doc.add_paragraph(text)._p.style = ids[style]

    title = title_of(document)
    styled(title, "Title")
    for section in document_sections(document, template):
        styled(section.title, "Heading 1")
        for block in section.blocks:
            if isinstance(block, Field):
                paragraph = doc.add_paragraph()
                paragraph.add_run(f"{block.label}: ").bold = True
                paragraph.add_run(block.value)
            elif isinstance(block, Text):
                doc.add_paragraph(block.text)
            elif isinstance(block, Bullets):
                if block.heading:
                    styled(block.heading, "Heading 2")
                for item in block.items:
                    styled(item, "List Bullet")
            elif isinstance(block, Table):
                if block.heading:
                    styled(block.heading, "Heading 2")
                table = doc.add_table(rows=1, cols=len(block.headers))
                table._tbl.tblStyle_val = ids["Table Grid"]
                for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                    cell.text = header
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
    when = generated_at(document)
    doc.add_paragraph(f"{template.texts['generated']}: {meta_line(document)}").runs[0].italic = True
    props = doc.core_properties
    props.title = title[:255]
    props.author = prepared_by[:255]
    props.last_modified_by = prepared_by[:255]
    props.created = when
    props.modified = when
    unit_path = ((document.get("meta") or {}).get("position") or {}).get("unit_path") or []
    props.subject = " / ".join(unit_path)[:255]
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def body_xml(data: bytes) -> bytes:
    """A DOCX file's body, canonical XML (what Word reads of the text, tables and styles)."""
    import docx
    from lxml import etree

    return bytes(etree.tostring(docx.Document(io.BytesIO(data)).element.body, method="c14n"))


def properties(data: bytes) -> tuple[Any, ...]:
    import docx

    props = docx.Document(io.BytesIO(data)).core_properties
    return (props.title, props.author, props.last_modified_by, props.created, props.modified, props.subject)
