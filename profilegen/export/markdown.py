"""Render a profile document (the canonical JSON) as Markdown."""

from __future__ import annotations

from typing import Any

from profilegen.export.sections import Bullets, Field, Table, Text, labels_for, meta_line, profile_sections, title_of


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(document: dict[str, Any], language: str = "ru") -> str:
    """Markdown for one profile document ``{"schema_version", "profile", "meta"}``."""
    out = [f"# {title_of(document)}", ""]
    for section in profile_sections(document, language):
        out += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Field):
                out += [f"- **{block.label}:** {block.value}"]
            elif isinstance(block, Text):
                out += [block.text, ""]
            elif isinstance(block, Bullets):
                if block.heading:
                    out += [f"### {block.heading}", ""]
                out += [*(f"- {item}" for item in block.items), ""]
            elif isinstance(block, Table):
                if block.heading:
                    out += [f"### {block.heading}", ""]
                out += ["| " + " | ".join(block.headers) + " |", "|" + "---|" * len(block.headers)]
                out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
                out.append("")
        if out[-1] != "":
            out.append("")
    out += ["---", "", f"*{labels_for(language)['meta']}:* {meta_line(document)}", ""]
    return "\n".join(out)
