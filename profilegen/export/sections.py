"""What every human-readable format shares: the document's heading, its generation line, blocks as lines."""

from __future__ import annotations

from typing import Any

from profilegen.template.layout import Block, Bullets, Field, Text

META_KEYS = ("generator", "model", "prompt_version", "kpi_source", "kpi_file", "kpi_scope", "generated_at")


def title_of(document: dict[str, Any]) -> str:
    """The document's heading: the position, with the employee's name for a personal profile."""
    meta = document.get("meta") or {}
    position = meta.get("position") or {}
    title = str(position.get("title") or (document.get("profile") or {}).get("position_title") or "")
    employee = meta.get("employee_name")
    return f"{title} ({employee})" if employee else title


def meta_line(document: dict[str, Any]) -> str:
    meta = document.get("meta") or {}
    return "; ".join(f"{k}: {meta[k]}" for k in META_KEYS if meta.get(k) not in (None, ""))


def block_lines(block: Block) -> list[str]:
    """A block as plain lines (for spreadsheet cells): HR's "-" before each task."""
    if isinstance(block, Field):
        return [f"{block.label}: {block.value}"]
    if isinstance(block, Text):
        return [block.text]
    if isinstance(block, Bullets):
        head = [block.heading] if block.heading else []
        return [*head, *(f"- {item}" for item in block.items)]
    head = [block.heading] if block.heading else []
    return [*head, *(" | ".join(cell for cell in row if cell) for row in block.rows)]
