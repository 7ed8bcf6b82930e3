"""What a written field of a profile holds against its kind's shape: a field edited by hand into another shape (a
text where the template has groups of rows, an object where a list belongs) is said as such, not read as its
kind (a text read as groups was a group per letter)."""

from __future__ import annotations

from typing import Any

from profilegen.checking.said import say
from profilegen.template.model import FieldSpec


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
