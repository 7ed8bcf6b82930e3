"""A Word document (.docx) of the company's, read as the Markdown its sections are split from: its headings as
headings (Title and Heading 1–6, Word's Russian style names too), list paragraphs as list items, tables as rows
of cells, and every other paragraph as it is — in the order the document has them."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from profilegen.errors import InputError

if TYPE_CHECKING:
    from docx.text.run import Run

_LEVEL = re.compile(r"^(?:heading|заголовок)\s*(\d)$", re.IGNORECASE)


def word_markdown(path: Path) -> str:
    """The document's text as Markdown; an InputError naming the file when it is not a Word document."""
    import docx
    from docx.opc.exceptions import OpcError
    from docx.table import Table
    from lxml.etree import LxmlError

    try:
        document = docx.Document(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines += [_row(cell.text for cell in row.cells) for row in block.rows]
                lines.append("")
                continue
            style = (block.style.name or "") if block.style is not None else ""
            level = _heading_level(style)
            text = " ".join(_marked(block.runs, heading=level > 0).split())
            if text:
                said = _paragraph(text, style, level)
                if said.startswith("- ") and lines[-2:-1] and lines[-2].startswith("- "):
                    lines.pop()  # a list's items one under the other, not a blank line apart
                lines += [said, ""]
    except OSError as exc:
        raise InputError(f"cannot read the context document ({type(exc).__name__})", source=str(path)) from None
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, LxmlError):
        raise InputError("cannot read the context document (not a Word document)", source=str(path)) from None
    return "\n".join(lines)


def _marked(runs: Sequence[Run], heading: bool) -> str:
    """A paragraph's text with its bold stretches marked as Markdown's `**…**` (a bold-named item, "**1С:ERP** —
    учёт", reads as the Markdown documents' do); a heading's left plain."""
    if heading:
        return "".join(run.text for run in runs)
    parts: list[str] = []
    bold: list[str] = []
    for run in [*runs, None]:
        if run is not None and run.bold and run.text.strip():
            bold.append(run.text)
            continue
        if bold:
            said = "".join(bold)
            start, end = len(said) - len(said.lstrip()), len(said.rstrip())
            parts.append(f"{said[:start]}**{said[start:end]}**{said[end:]}")
            bold = []
        if run is not None:
            parts.append(run.text)
    return "".join(parts)


def _heading_level(style: str) -> int:
    """The Markdown heading level of a paragraph style (Title and Heading 1 alike: 1), 0 for any other style."""
    name = style.strip()
    if name.lower() == "title":
        return 1
    level = _LEVEL.match(name)
    return min(max(int(level.group(1)), 1), 6) if level is not None else 0


def _paragraph(text: str, style: str, level: int) -> str:
    if level:
        return "#" * level + f" {text}"
    return f"- {text}" if style.strip().lower().startswith("list") else text


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(" ".join(c.split()) for c in cells) + " |"
