"""What differs between two versions of a profile, section by section (items, not characters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from profilegen.template.documents import readable
from profilegen.template.layout import cell
from profilegen.template.model import FieldSpec, Template


@dataclass(slots=True)
class SectionDiff:
    section: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _lines(spec: FieldSpec, value: Any) -> list[str]:
    """A field's value as comparable lines: list items, table rows, "area: item" for numbered areas."""
    if spec.kind in ("text", "choice", "number"):
        return [] if value is None else [cell(value)]
    if value is not None and not isinstance(value, list):  # edited by hand out of its shape: one line as written
        return [_flat(spec, value)]
    lines: list[str] = []
    for item in value or []:
        if spec.kind == "areas" and isinstance(item, dict):
            rows = item.get("items") or []
            rows = rows if isinstance(rows, list) else [rows]
            lines += [f"{item.get('name')}: {_flat(spec, row)}" for row in rows]
        else:
            lines.append(_flat(spec, item))
    return lines


def _flat(spec: FieldSpec, item: Any) -> str:
    if isinstance(item, dict):
        return " | ".join(cell(item.get(c.key)) for c in spec.columns) if spec.columns else str(item)
    return cell(item)


def diff_profiles(old: dict[str, Any], new: dict[str, Any], template: Template) -> list[SectionDiff]:
    """Field by field, from the ``old`` document (say, the file on disk) to the ``new`` one; each is read with
    its own template, and a field's label names its difference."""
    old, old_template = readable(old, template)
    new, new_template = readable(new, template)
    before, after = old.get("profile") or {}, new.get("profile") or {}
    specs = {spec.key: spec for spec in [*old_template.fields, *new_template.fields]}
    result = []
    for key, spec in specs.items():
        if before.get(key) == after.get(key):
            continue
        if spec.kind in ("text", "choice", "number"):
            result.append(SectionDiff(spec.label, changed=[f"{before.get(key)!r} → {after.get(key)!r}"]))
            continue
        old_lines, new_lines = _lines(spec, before.get(key)), _lines(spec, after.get(key))
        old_set, new_set = set(old_lines), set(new_lines)
        result.append(
            SectionDiff(
                spec.label, [x for x in new_lines if x not in old_set], [x for x in old_lines if x not in new_set]
            )
        )
    return [d for d in result if d]


def _md_sections(text: str) -> dict[str, list[str]]:
    """Markdown split at its headings: heading → the section's non-blank lines."""
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            current = stripped.lstrip("#").strip()
            sections.setdefault(current, [])
        elif stripped:
            sections.setdefault(current, []).append(stripped)
    return sections


def diff_markdown(on_disk: str, newer: str) -> list[SectionDiff]:
    """Section by section (by heading), the lines one Markdown text has and the other lacks."""
    old, new = _md_sections(on_disk), _md_sections(newer)
    result = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name, []), new.get(name, [])
        section = SectionDiff(
            f"markdown: {name or '(top)'}",
            added=[line for line in after if line not in before],
            removed=[line for line in before if line not in after],
        )
        if section:
            result.append(section)
    return result
