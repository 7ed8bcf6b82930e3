"""Render a profile document (the canonical JSON) as Markdown."""

from __future__ import annotations

from typing import Any

from profilegen.export.sections import meta_line, title_of
from profilegen.template.layout import Bullets, Field, Table, Text, document_sections
from profilegen.template.model import Template


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(document: dict[str, Any], template: Template) -> str:
    """Markdown for one profile document ``{"schema_version", "template", "profile", "meta"}``."""
    out = [f"# {title_of(document)}", ""]
    for section in document_sections(document, template):
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Field):
                out += [f"- **{block.label}:** {block.value}"]
            elif isinstance(block, Text):
                out += [block.text, ""] if not out[-1] else ["", block.text, ""]
            elif isinstance(block, Bullets):
                if block.heading:
                    out += ["", f"### {block.heading}", ""] if out[-1] else [f"### {block.heading}", ""]
                out += [*(f"- {item}" for item in block.items), ""]
            elif isinstance(block, Table):
                if block.heading:
                    out += ["", f"### {block.heading}", ""] if out[-1] else [f"### {block.heading}", ""]
                out += ["| " + " | ".join(block.headers) + " |", "|" + "---|" * len(block.headers)]
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
                out.append("")
        if out[-1] != "":
            out.append("")
    out += ["---", "", f"*{template.texts['generated']}:* {meta_line(document)}", ""]
    return "\n".join(out)
