"""What a written field of a profile holds against its kind's shape: a field edited by hand into another shape (a
text where the template has groups of rows, an object where a list belongs) is said as such, not read as its
kind (a text read as groups was a group per letter)."""

from __future__ import annotations

from typing import Any

from profilegen.template.model import FieldSpec

# what each kind of written field holds, as a finding says it
_SHAPES = {
    "text": "a text belongs",
    "choice": "one of its values belongs",
    "number": "a number belongs",
    "list": "a list of items belongs",
    "table": "rows belong",
    "areas": "groups of items belong",
}


def _what(value: Any) -> str:
    if isinstance(value, bool):
        return "a yes or no"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, dict):
        return "an object"
    return "a list" if isinstance(value, list) else "an empty value" if value is None else type(value).__name__


def misshapen(spec: FieldSpec, value: Any) -> str | None:
    """What belongs in the field and what it holds instead (None: a value of its kind's shape)."""
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
    instead = _what(wrong) if wrong is value else f"{_what(wrong)} among them"
    return f"{_SHAPES[spec.kind]} here, not {instead}"
