"""The profile as people read it: the template's sections as blocks (fields, bullets, tables, text) that
every human-readable format renders the same way. No field is known here by name: kinds and labels only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from profilegen.template.model import FieldSpec, Template


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    text: str


Block = Field | Bullets | Table | Text


@dataclass(slots=True)
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def cell(value: Any) -> str:
    """A value as a table cell or a line: numbers without a trailing .0, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _headers(spec: FieldSpec) -> tuple[str, ...]:
    headers: list[str] = []
    for column in spec.columns:
        headers.append(column.label)
        if column.kind == "level" and column.scale_label:
            headers.append(column.scale_label)
    return tuple(headers)


def _row(spec: FieldSpec, row: Any) -> tuple[str, ...]:
    if not isinstance(row, dict):  # edited by hand into something else: in the first cell, as many as the columns
        return (cell(row), *[""] * (len(_headers(spec)) - 1))
    cells: list[str] = []
    for column in spec.columns:
        value = row.get(column.key)
        cells.append(cell(value))
        if column.kind == "level" and column.scale_label:
            cells.append(column.scale.get(value, "") if isinstance(value, int) else "")
    return tuple(cells)


def field_blocks(spec: FieldSpec, value: Any, texts: dict[str, str], section: str, alone: bool) -> list[Block]:
    """One field's blocks; `alone`: the only field of its section (its label is the section's title)."""
    missing = texts["missing"] if spec.fact else texts["none"]  # a fact nobody gave, or a field left empty
    heading = None if alone or spec.label == section else spec.label
    if spec.kind in ("text", "choice", "number"):
        shown = missing if value is None or value == "" else cell(value)
        return [Text(shown)] if alone else [Field(spec.label, shown)]
    if value is not None and not isinstance(value, list):  # edited by hand out of its shape: shown as written
        shown = "; ".join(f"{k}: {cell(v)}" for k, v in value.items()) if isinstance(value, dict) else cell(value)
        return [Text(shown)] if alone else [Field(spec.label, shown)]
    items = list(value or [])
    if spec.kind in ("list", "table") and not items:
        # under its own heading, as when it has items: a bold line after a headed list read as an item of that list
        if heading is not None:
            return [Bullets((missing,), heading)]
        return [Text(missing)] if alone else [Field(spec.label, missing)]
    if spec.kind == "list":
        return [Bullets(tuple(cell(i) for i in items), heading)]
    if spec.kind == "table":
        return [Table(_headers(spec), tuple(_row(spec, r) for r in items), heading)]
    blocks: list[Block] = [] if heading is None or not items else [Text(spec.label)]
    for number, area in enumerate(items, start=1):
        title = f"{number}. {area.get('name', '')}" if isinstance(area, dict) else f"{number}. {cell(area)}"
        rows = area.get("items", []) if isinstance(area, dict) else []
        if spec.columns:
            blocks.append(Table(_headers(spec), tuple(_row(spec, r) for r in rows), title))
        else:
            blocks.append(Bullets(tuple(cell(r) for r in rows), title))
    return blocks or [Text(missing)]


def document_sections(document: dict[str, Any], template: Template) -> list[Section]:
    """The profile's sections in the template's order, then the review notes (quality warnings), if any."""
    profile = document.get("profile") or {}
    sections = []
    for section in template.sections:
        alone = len(section.fields) == 1 and section.fields[0].label == section.label
        blocks: list[Block] = []
        for spec in section.fields:
            blocks += field_blocks(spec, profile.get(spec.key), template.texts, section.label, alone)
        sections.append(Section(section.label, blocks))
    warnings = (document.get("meta") or {}).get("warnings") or []
    if warnings:
        sections.append(Section(template.texts["warnings"], [Bullets(tuple(str(w) for w in warnings))]))
    return sections
