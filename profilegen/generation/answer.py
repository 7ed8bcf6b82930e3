"""Reading a model's answer: strip code fences, parse, validate, and check the content's quality."""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from profilegen.generation.context import PositionContext
from profilegen.generation.providers.base import ProviderResult
from profilegen.generation.schema import Profile
from profilegen.text import normalize

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


def parse_answer(content: str) -> Profile:
    """The profile in an answer, or InvalidAnswer naming what is wrong."""
    text = strip_fences(content)
    try:
        # strict=False: a raw control character inside a string (a tab, a newline) is unambiguous JSON
        # all the same; small local models and some grammars write them
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        reason = exc.msg.removesuffix(" at")  # "Invalid control character at" + our own "at line"
        raise InvalidAnswer(f"not valid JSON: {reason} at line {exc.lineno}, column {exc.colno}") from None
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"{'.'.join(str(p) for p in error['loc']) or '(root)'}: {error['msg']}"
            for error in exc.errors()[:MAX_ERRORS_SHOWN]
        ]
        if exc.error_count() > MAX_ERRORS_SHOWN:
            lines.append(f"... and {exc.error_count() - MAX_ERRORS_SHOWN} more")
        raise InvalidAnswer("\n".join(lines)) from None


def journaled_result(record: dict[str, Any], default_model: str) -> ProviderResult:
    """A journaled raw answer as a provider result (exported without a new request), or InvalidAnswer."""
    return ProviderResult(
        profile=parse_answer(str(record["raw_answer"])),
        raw=str(record["raw_answer"]),
        model=str(record.get("model") or default_model),
        tokens_in=record.get("tokens_in"),
        tokens_out=record.get("tokens_out"),
        cost_usd=record.get("cost_usd"),
        attempts=int(record.get("attempts") or 1),
    )


class KnownUnits:
    """The org's unit names, normalised once (an answer's career units are checked against them)."""

    def __init__(self, names: Collection[str]) -> None:
        self.normalized = frozenset(normalize(name) for name in names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize(name) in self.normalized


def quality_warnings(profile: Profile, context: PositionContext, known_units: KnownUnits) -> list[str]:
    """Content problems that validation cannot see; recorded in `meta.warnings`, never fatal."""
    warnings: list[str] = []
    empty = [
        name
        for name, value in (
            ("responsibility_areas", profile.responsibility_areas),
            ("professional_skills", profile.professional_skills),
            ("corporate_competencies", profile.corporate_competencies),
            ("personal_qualities", profile.personal_qualities),
            ("primary_activity", profile.primary_activity.strip()),
            ("working_conditions", profile.working_conditions.strip()),
        )
        if not value
    ]
    if context.kpis and not profile.kpis:
        empty.append("kpis")
    warnings += [f"empty_section: {name}" for name in empty]
    source = {normalize(k.name) for k in context.kpis}
    warnings += [f"unknown_kpi: {k.name}" for k in profile.kpis if normalize(k.name) not in source]
    warnings += [
        f"unknown_career_unit: {t.position} ({t.unit})"
        for t in profile.career.target_positions
        if t.unit not in known_units
    ]
    return warnings
