"""Reading a model's answer: strip code fences, parse, validate, and check the content's quality."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from profilegen import jsontext
from profilegen.generation.providers.base import ProviderResult
from profilegen.template.model import Template
from profilegen.template.schema import answer_model
from profilegen.text import normalize, normalize_all

_FENCE = re.compile(r"^\s*```[\w-]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
MAX_ERRORS_SHOWN = 12


class InvalidAnswer(ValueError):
    """The answer is not a valid profile; ``errors`` is a short text for the re-ask."""

    def __init__(self, errors: str) -> None:
        super().__init__(errors)
        self.errors = errors


def strip_fences(text: str) -> str:
    match = _FENCE.match(text)
    return match.group(1) if match else text.strip()


def parse_answer(content: str, template: Template) -> dict[str, Any]:
    """The written fields in an answer, checked against the template, or InvalidAnswer naming what is wrong."""
    text = strip_fences(content)
    try:
        # strict=False: a raw control character inside a string (a tab, a newline) is unambiguous JSON
        # all the same; small local models and some grammars write them
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        reason = exc.msg.removesuffix(" at")  # "Invalid control character at" + our own "at line"
        raise InvalidAnswer(f"not valid JSON: {reason} at line {exc.lineno}, column {exc.colno}") from None
    try:
        return answer_model(template).model_validate(data).model_dump(mode="json")
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors()[:MAX_ERRORS_SHOWN]
        ]
        if exc.error_count() > MAX_ERRORS_SHOWN:
            lines.append(f"... and {exc.error_count() - MAX_ERRORS_SHOWN} more")
        raise InvalidAnswer("\n".join(lines)) from None


def journaled_result(record: dict[str, Any], default_model: str, template: Template) -> ProviderResult:
    """A journaled raw answer as a provider result (exported without a new request), or InvalidAnswer."""
    return ProviderResult(
        profile=parse_answer(str(record["raw_answer"]), template),
        raw=str(record["raw_answer"]),
        model=str(record.get("model") or default_model),
        tokens_in=record.get("tokens_in"),
        tokens_out=record.get("tokens_out"),
        cost_usd=record.get("cost_usd"),
        attempts=int(record.get("attempts") or 1),
    )


def quality_warnings(profile: dict[str, Any], template: Template) -> list[str]:
    """Content problems that validation cannot see; recorded in `meta.warnings`, never fatal: an item said
    twice in a list (in any letter case). Emptiness and limits are the template's and validation's."""
    warnings: list[str] = []
    for spec in template.written:
        value = profile.get(spec.key)
        if isinstance(value, list) and len(value) > 1 and len(set(_said(value))) < len(value):
            warnings.append(f"duplicate_items: {spec.label}")
        if spec.kind == "areas" and isinstance(value, list):  # and within each of its groups
            for area in value:
                items = area.get("items") if isinstance(area, dict) else None
                if isinstance(items, list) and len(items) > 1 and len(set(_said(items))) < len(items):
                    warnings.append(f"duplicate_items: {spec.label} / {area.get('name') or '?'}")
    return warnings


def _said(items: list[Any]) -> list[tuple[bool, str]]:
    """What each item of a list says: a text as read (its quotes, dashes, spaces and line breaks aside), anything
    else (a row of a table) as its JSON, read the same way."""
    texts = [item for item in items if isinstance(item, str)]
    if len(texts) == len(items):
        return [(True, text) for text in normalize_all(texts)]
    return [(True, normalize(v)) if isinstance(v, str) else (False, normalize(jsontext.sorted_text(v))) for v in items]
