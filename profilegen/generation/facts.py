"""A position's facts as `profilegen facts --json` shows them and as the prompt tells the model: one shape.

Every fact carries the reason it was chosen; nothing here calls a model. `context` lists the sections of
the company's documents a request carries: the company-wide ones (the same for everyone) first, then those
chosen for the position — sent whole, cut short, or left out (`tokens` 0).
"""

from __future__ import annotations

from typing import Any

from profilegen.generation.context import PositionContext
from profilegen.org.candidates import Candidate


def _candidate(candidate: Candidate) -> dict[str, Any]:
    return {
        "title": candidate.title,
        "unit_path": list(candidate.unit_path),
        "track": candidate.track,
        "reason": candidate.reason,
    }


def kpi_source(context: PositionContext) -> str:
    """`position` (its own card, or its own column of a KPI file), `department`, `template` or `none`."""
    return kpi_kind(bool(context.kpis), context.kpi_source, context.kpi_scope)


def kpi_kind(has_kpis: bool, origin: str, scope: str) -> str:
    if not has_kpis:
        return "none"
    if origin == "template":
        return "template"
    return "position" if scope == "position" else "department"


def kpi_facts(context: PositionContext) -> dict[str, Any]:
    card = context.kpi_source == "card"
    file, sheet, column = [*context.kpi_file.split(" / "), "", ""][:3] if card else [context.kpi_file, "", ""]
    items = [
        {
            "name": k.name,
            "target": k.target,
            "unit": k.unit,
            "weight": k.weight,
            "period": k.period,
            "min": k.min,
            "max": k.max,
            "method": k.method,
            "source": k.source,
            "type": k.type,
            "trigger": k.trigger,
            "section": k.section,
            "file": file,
            "sheet": sheet,
            "column": column,
        }
        for k in context.kpis
    ]
    notes = [] if kpi_source(context) == "position" else ["КПЭ должности не установлены"]
    return {
        "source": kpi_source(context),
        "origin": context.kpi_source,
        "file": context.kpi_file,
        "items": items,
        "notes": notes,
    }


def position_facts(context: PositionContext) -> dict[str, Any]:
    """The facts profilegen has for one position (the prompt's and the profile's), with their reasons."""
    manager = None
    if context.manager_title is not None:
        manager = {
            "title": context.manager_title,
            "unit_path": list(context.manager_path),
            "reason": context.manager_reason,
        }
    facts: dict[str, Any] = {
        "position": {"title": context.title, "unit_path": list(context.unit_path)},
        "is_head": context.is_head,
        "head_reason": context.head_reason,
        "category": {"label": context.category_label, "reason": context.category_reason},
        "manager": manager,
        "deputy_of": context.deputy_of,
        "subordinates": {
            "units": len(context.subordinate_units),
            "direct_reports": context.subordinate_people,
            "headcount_below": context.headcount_below,
            "unit_names": list(context.subordinate_units),
        },
        "career": {
            "feeders": [_candidate(c) for c in context.feeders],
            "targets": [_candidate(c) for c in context.targets],
        },
        "competencies": list(context.competencies),
        "kpis": kpi_facts(context),
        "context": [p.fact() for p in (*context.company_shared, *context.company_sections)],
    }
    if context.employee_name:
        facts["employee_name"] = context.employee_name
    return facts
