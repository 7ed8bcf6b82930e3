"""What a written field of a profile holds against what its template asks: empty where it is required, fewer items
than its least, or edited by hand into another shape (a text where the template has groups of rows, an object
where a list belongs: said as such, not read as its kind — a text read as groups was a group per letter)."""

from __future__ import annotations

from typing import Any, Protocol

from profilegen.checking.findings import ERROR, WARNING, Finding
from profilegen.checking.said import count, say
from profilegen.config import CheckSettings
from profilegen.generation.document import Form
from profilegen.template.model import FieldSpec


class Written(Protocol):
    """What a profile's shape is read from: its written fields (a check's `rules.Profile`)."""

    @property
    def profile(self) -> dict[str, Any]: ...


def _what(value: Any, language: str) -> str:
    if isinstance(value, bool):
        return say(language, "yes_no")
    if isinstance(value, int | float):
        return say(language, "number")
    if isinstance(value, str):
        return say(language, "text")
    if isinstance(value, dict):
        return say(language, "object")
    if isinstance(value, list):
        return say(language, "a_list")
    return say(language, "empty") if value is None else type(value).__name__


def misshapen(spec: FieldSpec, value: Any, language: str = "en") -> str | None:
    """What belongs in the field and what it holds instead, in the language (None: a value of its kind's shape)."""
    if spec.kind in ("text", "choice"):
        wrong = None if isinstance(value, str) else value
    elif spec.kind == "number":
        wrong = None if isinstance(value, int | float) and not isinstance(value, bool) else value
    elif not isinstance(value, list):
        wrong = value
    elif spec.kind == "list":
        wrong = next((v for v in value if isinstance(v, bool) or not isinstance(v, str | int | float)), None)
    elif spec.kind == "table":
        wrong = next((v for v in value if not isinstance(v, dict)), None)
    else:  # areas: groups, each with its list of items
        wrong = next((a for a in value if not isinstance(a, dict) or not isinstance(a.get("items", []), list)), None)
    if wrong is None:
        return None
    instead = _what(wrong, language)
    if wrong is not value:
        instead = say(language, "among", what=instead)
    return say(language, "malformed_section", belongs=say(language, f"belongs_{spec.kind}"), instead=instead)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def sections(item: Written, form: Form, settings: CheckSettings) -> list[Finding]:
    """A written field the template requires that is empty, or has fewer items than its minimum, or one edited
    out of its kind's shape (a text where groups of rows belong)."""
    found = []
    language = form.template.language
    for spec in form.template.written:
        value = item.profile.get(spec.key)
        required = spec.kind in ("text", "choice") or (spec.min or 0) > 0
        if _empty(value):
            if required:
                found.append(Finding("empty_section", ERROR, say(language, "empty_section", label=spec.label)))
            continue
        said = misshapen(spec, value, language)
        if said is not None:
            found.append(Finding("malformed_section", ERROR, f"«{spec.label}»: {said}"))
            continue
        if isinstance(value, list) and spec.kind != "number" and spec.min and len(value) < spec.min:
            items = count(language, len(value), "item")
            detail = say(language, "thin_section", label=spec.label, count=items, least=spec.min)
            found.append(Finding("thin_section", WARNING, detail))
        if spec.kind == "areas" and spec.items_min and isinstance(value, list):
            for area in value:
                tasks = area.get("items") if isinstance(area, dict) else None
                if isinstance(tasks, list) and len(tasks) < spec.items_min:
                    label = f"{spec.label}» / «{area.get('name') or '?'}"
                    items = count(language, len(tasks), "item")
                    detail = say(language, "thin_section", label=label, count=items, least=spec.items_min)
                    found.append(Finding("thin_section", WARNING, detail))
    return found
