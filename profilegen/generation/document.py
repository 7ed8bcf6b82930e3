"""Document assembly: a validated profile plus profilegen's own record of whose it is and how it was made."""

from __future__ import annotations

import time
from typing import Any

from profilegen.generation.context import PositionContext
from profilegen.generation.providers.base import ProviderResult
from profilegen.generation.versions import SCHEMA_VERSION


def with_facts(profile: dict[str, Any], context: PositionContext) -> dict[str, Any]:
    """The profile with its identity and org facts set from the inputs: the model's spelling never counts."""
    unit = dict(profile.get("unit") or {})
    unit.update(top_block=context.unit_path[0], path=list(context.unit_path))
    subordinates = {
        "units": list(context.subordinate_units),
        "people": context.subordinate_people,
        "headcount_below": context.headcount_below,
    }
    competencies = list(context.competencies) or profile.get("corporate_competencies") or []
    career = dict(profile.get("career") or {})
    career["feeder_positions"] = [c.label for c in context.feeders]  # the candidates the model was given
    return {
        **profile,
        "career": career,
        "corporate_competencies": competencies,  # the company's rule decides them, not the model
        "position_title": context.title,
        "unit": unit,
        "category": context.category,
        "direct_manager": context.direct_manager,
        "subordinates": subordinates,
    }


def assemble(
    context: PositionContext,
    result: ProviderResult,
    *,
    generator: str,
    prompt_version: str,
    fingerprint: str,
    language: str,
    duration: float,
) -> dict[str, Any]:
    """`{schema_version, profile, meta}` for a position; `meta.position` is the identity every command reads."""
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
        "warnings": result.warnings,
        "language": language,
        "attempts": result.attempts,
        "kpi_gates": [k.name for k in context.kpis if k.trigger],
    }
    profile = with_facts(result.profile.model_dump(mode="json"), context)
    if context.kpi_source == "card":  # HR's card is the position's KPIs, whatever the answer said
        card = [
            {"name": k.name, "target": k.target, "unit": k.unit, "weight": k.weight, "period": k.period}
            for k in context.kpis
        ]
        if profile.get("kpis") != card and context.kpi_scope == "position":
            meta["warnings"] = [*result.warnings, "kpis_overridden: the answer's KPIs differ from HR's card"]
        profile["kpis"] = card
    return {"schema_version": SCHEMA_VERSION, "profile": profile, "meta": meta}
