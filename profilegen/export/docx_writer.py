"""Render a profile document as DOCX (python-docx): headings and tables in HR's order, real properties."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from profilegen.export.sections import Bullets, Field, Table, Text, labels_for, meta_line, profile_sections, title_of


def generated_at(document: dict[str, Any]) -> datetime:
    """The generation time of a document (UTC, naive as DOCX properties want it); now if unknown."""
    raw = str((document.get("meta") or {}).get("generated_at") or "")
    try:
        when = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        when = datetime.now(UTC)
    return when.astimezone(UTC).replace(tzinfo=None)


def render_docx(document: dict[str, Any], language: str = "ru", prepared_by: str = "profilegen") -> bytes:
    from docx import Document

    doc = Document()
    title = title_of(document)
    doc.add_heading(title, level=0)
    for section in profile_sections(document, language):
        doc.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, Field):
                paragraph = doc.add_paragraph()
                paragraph.add_run(f"{block.label}: ").bold = True
                paragraph.add_run(block.value)
            elif isinstance(block, Text):
                doc.add_paragraph(block.text)
            elif isinstance(block, Bullets):
                if block.heading:
                    doc.add_heading(block.heading, level=2)
                for item in block.items:
                    doc.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Table):
                if block.heading:
                    doc.add_heading(block.heading, level=2)
                table = doc.add_table(rows=1, cols=len(block.headers))
                table.style = "Table Grid"
                for cell, header in zip(table.rows[0].cells, block.headers, strict=True):
                    cell.text = header
                    for run in cell.paragraphs[0].runs:
                        run.bold = True
                for row in block.rows:
                    for cell, value in zip(table.add_row().cells, row, strict=True):
                        cell.text = value
    labels = labels_for(language)
    when = generated_at(document)
    doc.add_paragraph(f"{labels['prepared']}: {prepared_by}; {labels['date']}: {when:%Y-%m-%d}")
    doc.add_paragraph(f"{labels['meta']}: {meta_line(document)}").runs[0].italic = True
    props = doc.core_properties
    props.title = title
    props.author = prepared_by
    props.last_modified_by = prepared_by
    props.created = when
    props.modified = when
    props.subject = " / ".join(document["profile"]["unit"]["path"])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
