"""Which template a stored profile is read with, and profiles of earlier versions in today's form.

A profile names its template (name and content hash). It is read with the active template when the
hashes match, with the shipped template of its name when that one matches, and else with the active one
(fields it lacks read as missing; the next run regenerates it). A profile written before templates
(schema 1.x, A101's fields under English keys) is moved into the `a101` form on reading, so export, diff
and the other readers work on it unchanged.
"""

from __future__ import annotations

from typing import Any

from profilegen.template.loader import SHIPPED, load_template
from profilegen.template.model import Template


def readable(document: dict[str, Any], active: Template) -> tuple[dict[str, Any], Template]:
    """The document in a template's form and that template."""
    recorded = document.get("template")
    if not isinstance(recorded, dict):
        a101 = load_template("a101")
        return upgrade(document, a101), a101
    if recorded.get("sha256") == active.sha256:
        return document, active
    name = str(recorded.get("name") or "")
    if name in SHIPPED:
        shipped = load_template(name)
        if shipped.sha256 == recorded.get("sha256"):
            return document, shipped
    return document, active


def _kpi_origin(meta: dict[str, Any], has_kpis: bool, texts: dict[str, str]) -> str:
    source, scope = meta.get("kpi_source"), meta.get("kpi_scope")
    if not has_kpis:
        kind = "none"
    elif source == "template":
        kind = "template"
    elif scope != "position":
        kind = "department"
    else:
        kind = "card" if source == "card" else "position"
    return texts[f"kpi_{kind}"].format(file=meta.get("kpi_file") or "?")


def upgrade(document: dict[str, Any], a101: Template) -> dict[str, Any]:
    """A schema 1.x profile in the `a101` form (what it did not have reads as missing)."""
    old = document.get("profile") or {}
    if "unit" not in old or not isinstance(old.get("unit"), dict):
        return document  # not the old form either: read as it is
    meta = document.get("meta") or {}
    subs, edu, career, work = (old.get(k) or {} for k in ("subordinates", "education", "career", "workplace"))
    codes = (a101.fact_field("category") or a101.fields[0]).codes
    gates = set(meta.get("kpi_gates") or ())
    kpis = [
        {**k, "weight": a101.texts["gate"] if k.get("name") in gates else k.get("weight")}
        for k in old.get("kpis") or []
    ]
    profile = {
        "unit_broad": old["unit"].get("top_block"),
        "unit": " / ".join(old["unit"].get("path") or []),
        "category": codes.get(old.get("category", ""), old.get("category")),
        "manager": old.get("direct_manager") or None,
        "subordinate_units": len(subs.get("units") or []),
        "direct_reports": subs.get("people"),
        "headcount_below": subs.get("headcount_below"),
        "activity": old.get("primary_activity"),
        "responsibilities": [
            {"name": a.get("area"), "items": a.get("tasks") or []} for a in old.get("responsibility_areas") or []
        ],
        "skills": [
            {
                "name": c.get("category"),
                "items": [{"name": s.get("name"), "level": s.get("level")} for s in c["skills"]],
            }
            for c in old.get("professional_skills") or []
        ],
        "competencies": old.get("corporate_competencies") or [],
        "qualities": old.get("personal_qualities") or [],
        "experience_previous": edu.get("experience"),
        "experience_total": None,
        "education_level": edu.get("level"),
        "speciality": edu.get("specialities") or [],
        "additional_education": edu.get("additional") or [],
        "feeders": career.get("feeder_positions") or [],
        "targets": [
            f"{t.get('position')} ({t.get('unit')}) — {t.get('rationale')}"
            for t in career.get("target_positions") or []
        ],
        "software": work.get("software") or [],
        "hardware": work.get("hardware") or [],
        "kpis": kpis,
        "kpi_source": _kpi_origin(meta, bool(kpis), a101.texts),
        "promotion_conditions": None,
        "promotion_decision": None,
        "prepared_by": None,
        "date": str(meta.get("generated_at") or "")[:10] or None,
    }
    if "position" not in meta and old.get("position_title"):
        meta = {**meta, "position": {"unit_path": old["unit"].get("path"), "title": old["position_title"]}}
    return {**document, "template": a101.identity(), "profile": profile, "meta": meta}
