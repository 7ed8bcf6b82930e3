"""Render a profile document (the canonical JSON) as Markdown, sections in HR's reference order."""

from __future__ import annotations

from typing import Any

LABELS = {
    "ru": {
        "unit": "Подразделение",
        "top_block": "Блок (широкое подразделение)",
        "specific": "Подразделение (конкретное)",
        "category": "Категория должности",
        "manager": "Непосредственный руководитель",
        "subordinates": "Подчиненные",
        "sub_units": "подразделения",
        "sub_people": "человек",
        "activity": "Основная деятельность",
        "areas": "Зоны ответственности и задачи",
        "skills": "Профессиональные навыки",
        "skill": "Навык",
        "level": "Уровень",
        "description": "Описание уровня",
        "competencies": "Корпоративные компетенции",
        "qualities": "Личные качества",
        "education": "Образование и опыт",
        "career": "Карьерная карта",
        "feeders": "Позиции-источники",
        "targets": "Целевые позиции",
        "workplace": "Программное обеспечение и оборудование",
        "software": "ПО",
        "hardware": "Оборудование",
        "kpis": "КПЭ",
        "kpi": "Показатель",
        "target": "Цель",
        "measure": "Ед. изм.",
        "weight": "Вес",
        "period": "Период",
        "conditions": "Условия работы",
        "additional": "Дополнительная информация",
        "meta": "Сведения о генерации",
        "none": "нет",
        "categories": {
            "specialist": "Специалист",
            "line_manager": "Линейный руководитель",
            "middle_manager": "Руководитель среднего звена",
            "senior_manager": "Руководитель высшего звена",
        },
    },
    "en": {
        "unit": "Unit",
        "top_block": "Block (broad unit)",
        "specific": "Unit (specific)",
        "category": "Position category",
        "manager": "Direct manager",
        "subordinates": "Subordinates",
        "sub_units": "units",
        "sub_people": "people",
        "activity": "Primary activity",
        "areas": "Responsibility areas and tasks",
        "skills": "Professional skills",
        "skill": "Skill",
        "level": "Level",
        "description": "Level description",
        "competencies": "Corporate competencies",
        "qualities": "Personal qualities",
        "education": "Education and experience",
        "career": "Career map",
        "feeders": "Feeder positions",
        "targets": "Target positions",
        "workplace": "Software and hardware",
        "software": "Software",
        "hardware": "Hardware",
        "kpis": "KPIs",
        "kpi": "KPI",
        "target": "Target",
        "measure": "Unit",
        "weight": "Weight",
        "period": "Period",
        "conditions": "Working conditions",
        "additional": "Additional information",
        "meta": "Generation details",
        "none": "none",
        "categories": {
            "specialist": "Specialist",
            "line_manager": "Line manager",
            "middle_manager": "Middle manager",
            "senior_manager": "Senior manager",
        },
    },
}


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _bullets(items: list[str], none: str) -> list[str]:
    return [f"- {item}" for item in items] or [f"- {none}"]


def render_markdown(document: dict[str, Any], language: str = "ru") -> str:
    """Markdown for one profile document ``{"schema_version", "profile", "meta"}``."""
    labels: dict[str, Any] = LABELS["en" if language == "en" else "ru"]
    p = document["profile"]
    meta = document.get("meta", {})
    title = p["position_title"]
    if meta.get("employee_name"):
        title += f" ({meta['employee_name']})"
    out = [f"# {title}", ""]
    out += [f"## {labels['unit']}", "", f"- **{labels['top_block']}:** {p['unit']['top_block']}"]
    out += [f"- **{labels['specific']}:** {' / '.join(p['unit']['path'])}", ""]
    out += [f"**{labels['category']}:** {labels['categories'].get(p['category'], p['category'])}", ""]
    out += [f"**{labels['manager']}:** {p['direct_manager'] or labels['none']}", ""]
    subs = p["subordinates"]
    units = ", ".join(subs["units"]) or labels["none"]
    out += [
        f"**{labels['subordinates']}:** {labels['sub_units']}: {units}; {labels['sub_people']}: {subs['people']}",
        "",
    ]
    out += [f"## {labels['activity']}", "", p["primary_activity"], ""]
    out += [f"## {labels['areas']}", ""]
    for area in p["responsibility_areas"]:
        out += [f"### {area['area']}", "", *_bullets(area["tasks"], labels["none"]), ""]
    out += [f"## {labels['skills']}", ""]
    for category in p["professional_skills"]:
        out += [f"### {category['category']}", ""]
        out += [f"| {labels['skill']} | {labels['level']} | {labels['description']} |", "|---|---|---|"]
        out += [f"| {_cell(s['name'])} | {s['level']} | {_cell(s['level_description'])} |" for s in category["skills"]]
        out.append("")
    out += [f"## {labels['competencies']}", "", *_bullets(p["corporate_competencies"], labels["none"]), ""]
    out += [f"## {labels['qualities']}", "", *_bullets(p["personal_qualities"], labels["none"]), ""]
    edu = p["education"]
    out += [f"## {labels['education']}", "", f"- {edu['level']}"]
    out += [f"- {s}" for s in edu["specialities"]]
    out += [f"- {edu['experience']}", *[f"- {a}" for a in edu["additional"]], ""]
    career = p["career"]
    out += [f"## {labels['career']}", "", f"**{labels['feeders']}:**", ""]
    out += _bullets(career["feeder_positions"], labels["none"])
    out += ["", f"**{labels['targets']}:**", ""]
    targets = [f"{t['position']} ({t['unit']}) — {t['rationale']}" for t in career["target_positions"]]
    out += [*_bullets(targets, labels["none"]), ""]
    work = p["workplace"]
    out += [f"## {labels['workplace']}", "", f"**{labels['software']}:** {', '.join(work['software'])}", ""]
    out += [f"**{labels['hardware']}:** {', '.join(work['hardware'])}", ""]
    out += [f"## {labels['kpis']}", ""]
    if p["kpis"]:
        head = [labels[k] for k in ("kpi", "target", "measure", "weight", "period")]
        out += ["| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
        for k in p["kpis"]:
            weight = "" if k["weight"] is None else f"{k['weight']:g}"
            cells = [k["name"], k["target"], k["unit"], weight, k["period"]]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    else:
        out.append(labels["none"])
    out += ["", f"## {labels['conditions']}", "", p["working_conditions"], ""]
    out += [f"## {labels['additional']}", "", p["additional_information"] or labels["none"], ""]
    out += ["---", "", f"*{labels['meta']}:* " + _meta_line(meta), ""]
    return "\n".join(out)


def _meta_line(meta: dict[str, Any]) -> str:
    keys = ("generator", "model", "prompt_version", "kpi_source", "kpi_file", "kpi_scope", "generated_at")
    return "; ".join(f"{k}: {meta[k]}" for k in keys if meta.get(k) not in (None, ""))
