"""Document assembly: the template's facts filled from the inputs, the model's written fields, and
profilegen's own record of whose profile it is and how it was made."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from profilegen.company.grounding import ground, vocabulary
from profilegen.generation.context import PositionContext
from profilegen.generation.facts import kpi_source
from profilegen.generation.providers.base import ProviderResult
from profilegen.generation.versions import SCHEMA_VERSION
from profilegen.kpi.workbook import TOLERANCE
from profilegen.template.model import FieldSpec, Template


@dataclass(frozen=True, slots=True)
class Form:
    """The template a run fills, with what the config adds to its facts."""

    template: Template
    prepared_by: str = ""


def kpi_origin(context: PositionContext, texts: dict[str, str]) -> str:
    """Where the position's KPIs came from, in the template's words: HR's card, a unit file, a template."""
    kind = kpi_source(context)
    if kind == "position":
        kind = "card" if context.kpi_source == "card" else "position"
    return texts[f"kpi_{kind}"].format(file=context.kpi_file or "?")


def _kpi_rows(spec: FieldSpec, context: PositionContext, gate: str) -> list[dict[str, Any]]:
    keys = [c.key for c in spec.columns]
    rows = []
    for k in context.kpis:
        row = {"name": k.name, "target": k.target, "unit": k.unit, "weight": gate if k.trigger else k.weight}
        row["period"] = k.period
        rows.append({key: row[key] for key in keys})
    return rows


_Fact = Callable[[FieldSpec, PositionContext, Form, str], Any]

# each fact worked out only when asked for (a profile has a dozen fact fields; check asks for each of 100,000)
_FACTS: dict[str, _Fact] = {
    "position_title": lambda spec, c, form, date: c.title,
    "employee": lambda spec, c, form, date: c.employee_name,
    "unit_top_block": lambda spec, c, form, date: c.unit_path[0],
    "unit_path": lambda spec, c, form, date: " / ".join(c.unit_path),
    "unit_name": lambda spec, c, form, date: c.unit_path[-1],
    "category": lambda spec, c, form, date: c.category_label or spec.codes.get(c.category) or c.category,
    "manager": lambda spec, c, form, date: c.direct_manager or None,
    "deputy_of": lambda spec, c, form, date: c.deputy_of,
    "subordinate_units": lambda spec, c, form, date: len(c.subordinate_units),
    "subordinate_unit_names": lambda spec, c, form, date: list(c.subordinate_units),
    "direct_reports": lambda spec, c, form, date: c.subordinate_people,
    "headcount_below": lambda spec, c, form, date: c.headcount_below,
    "competencies": lambda spec, c, form, date: list(c.competencies),
    "feeders": lambda spec, c, form, date: [x.label for x in c.feeders],
    "targets": lambda spec, c, form, date: [
        f"{x.label} — {form.template.texts.get(f'track_{x.track}', x.track)}" for x in c.targets
    ],
    "kpi_source": lambda spec, c, form, date: kpi_origin(c, form.template.texts),
    "prepared_by": lambda spec, c, form, date: form.prepared_by or None,
    "date": lambda spec, c, form, date: date,
}


def fact_value(spec: FieldSpec, context: PositionContext, form: Form, date: str) -> Any:
    """The value profilegen gives a fact field (None where its inputs say nothing)."""
    if spec.fact == "kpis":
        return _kpi_rows(spec, context, form.template.texts["gate"])
    return _FACTS[str(spec.fact)](spec, context, form, date)


def _date(language: str) -> str:
    return time.strftime("%d.%m.%Y" if language == "ru" else "%Y-%m-%d")


def fill(
    written: dict[str, Any], context: PositionContext, form: Form, notes: list[str] | None = None
) -> dict[str, Any]:
    """The profile in the template's order: facts from the inputs, written fields from the answer (a list's
    `start_with` items first; a `source: documents` field only with what the company's documents say, what
    it said beyond them added to `notes`)."""
    date = _date(form.template.language)
    profile: dict[str, Any] = {}
    known: frozenset[str] | None = None
    for spec in form.template.fields:
        if spec.fact:
            profile[spec.key] = fact_value(spec, context, form, date)
            continue
        value = written.get(spec.key)
        if spec.source == "documents":
            if known is None:
                career = (c.title for c in (*context.feeders, *context.targets))
                known = vocabulary((*context.company_shared, *context.company_sections), career)
            value, dropped = ground(value, known, form.template.texts["missing"])
            if notes is not None:
                notes += [f"not_in_documents: {spec.label}: {item}" for item in dropped]
        if spec.start_with and isinstance(value, list):
            seen = {str(v).casefold() for v in spec.start_with}
            value = [*spec.start_with, *(v for v in value if str(v).casefold() not in seen)]
        profile[spec.key] = value
    return profile


def _card_notes(context: PositionContext) -> list[str]:
    """HR's card whose weights do not sum to 1 is shown as HR made it, and the profile says so."""
    if context.kpi_source != "card":
        return []
    weights = [float(k.weight) for k in context.kpis if not k.trigger and isinstance(k.weight, int | float)]
    total = sum(weights)
    if not weights or abs(total - 1) <= TOLERANCE:
        return []
    return [f"card_inconsistent: {context.kpi_file or '?'}: weights sum to {total:.3g}, not 1 — for HR to fix the card"]


def assemble(
    context: PositionContext,
    result: ProviderResult,
    *,
    form: Form,
    generator: str,
    prompt_version: str,
    fingerprint: str,
    duration: float,
) -> dict[str, Any]:
    """`{schema_version, template, profile, meta}` for a position; `meta.position` is the identity every
    command reads."""
    notes: list[str] = []
    profile = fill(result.profile, context, form, notes)
    notes += _card_notes(context)
    meta = {
        "position": {"unit_path": list(context.unit_path), "title": context.title},
        "generator": generator,
        "model": result.model,
        "prompt_version": prompt_version,
        "kpi_source": context.kpi_source,
        "kpi_file": context.kpi_file,
        "kpi_scope": context.kpi_scope,
        "input_fingerprint": fingerprint,
        "tokens_in": result.tokens_in,
        "tokens_out": result.tokens_out,
        "cost_usd": result.cost_usd,
        "duration_s": duration,
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "employee_name": context.employee_name,
        "warnings": [*result.warnings, *notes],
        "language": form.template.language,
        "attempts": result.attempts,
        "kpi_gates": [k.name for k in context.kpis if k.trigger],
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "template": form.template.identity(),
        "profile": profile,
        "meta": meta,
    }
