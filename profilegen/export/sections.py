"""A profile document as ordered sections (HR's reference order), shared by every human-readable format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from profilegen.org.categories import DEFAULT_CATEGORY_LABELS

LABELS: dict[str, dict[str, Any]] = {
    "ru": {
        "unit": "Подразделение",
        "top_block": "Блок (широкое подразделение)",
        "specific": "Подразделение (конкретное)",
        "category": "Категория должности",
        "manager": "Непосредственный руководитель",
        "subordinates": "Подчиненные",
        "sub_units": "Подразделения",
        "sub_people": "Человек",
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
        "gate": "триггер (условие, вне весов)",
        "period": "Период",
        "conditions": "Условия работы",
        "additional": "Дополнительная информация",
        "prepared": "Подготовил",
        "date": "Дата",
        "meta": "Сведения о генерации",
        "none": "нет",
        "categories": DEFAULT_CATEGORY_LABELS,  # the company's scale (A101's by default)
    },
    "en": {
        "unit": "Unit",
        "top_block": "Block (broad unit)",
        "specific": "Unit (specific)",
        "category": "Position category",
        "manager": "Direct manager",
        "subordinates": "Subordinates",
        "sub_units": "Units",
        "sub_people": "People",
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
        "gate": "trigger (a gate, outside the weights)",
        "period": "Period",
        "conditions": "Working conditions",
        "additional": "Additional information",
        "prepared": "Prepared by",
        "date": "Date",
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

META_KEYS = ("generator", "model", "prompt_version", "kpi_source", "kpi_file", "kpi_scope", "generated_at")


@dataclass(frozen=True, slots=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class Text:
    text: str


Block = Field | Bullets | Table | Text


@dataclass(slots=True)
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def labels_for(language: str) -> dict[str, Any]:
    return LABELS["en" if language == "en" else "ru"]


def title_of(document: dict[str, Any]) -> str:
    """The document's heading: the position, with the employee's name for a personal profile."""
    title = str(document["profile"]["position_title"])
    employee = (document.get("meta") or {}).get("employee_name")
    return f"{title} ({employee})" if employee else title


def _weight(kpi: dict[str, Any], gates: Any, gate: str) -> str:
    """A KPI's weight, or the gate label for a card's trigger (its weight 1 is not part of the sum)."""
    if kpi["name"] in gates:
        return gate
    return "" if kpi["weight"] is None else f"{kpi['weight']:g}"


KPI_LABELS = {
    "ru": {
        "card": "Карта КПЭ должности, утвержденная HR ({file})",
        "position": "КПЭ должности из файла КПЭ подразделения ({file})",
        "department": "КПЭ должности не установлены; показаны КПЭ подразделения ({file}), не карта должности",
        "template": "Шаблон КПЭ ({file}): не утвержден HR, требует проверки",
        "none": "КПЭ должности не установлены",
    },
    "en": {
        "card": "The position's KPI card set by HR ({file})",
        "position": "The position's KPIs from its unit's KPI file ({file})",
        "department": "No KPIs set for the position; the unit's KPIs ({file}) are shown, not a card of its own",
        "template": "KPI template ({file}): not set by HR, needs review",
        "none": "No KPIs set for the position",
    },
}


def kpi_label(document: dict[str, Any], language: str = "ru") -> str:
    """Where a profile's KPIs came from, said in every format: HR's card, a unit file, or a template."""
    meta = document.get("meta") or {}
    source, scope = meta.get("kpi_source"), meta.get("kpi_scope")
    if not (document.get("profile") or {}).get("kpis"):
        kind = "none"
    elif source == "template":
        kind = source
    elif scope != "position":
        kind = "department"
    else:
        kind = "card" if source == "card" else "position"
    return KPI_LABELS["en" if language == "en" else "ru"][kind].format(file=meta.get("kpi_file") or "?")


def profile_sections(document: dict[str, Any], language: str = "ru") -> list[Section]:
    """The profile's sections in the order of HR's reference profiles."""
    lab = labels_for(language)
    p = document["profile"]
    none = lab["none"]
    subs = p["subordinates"]
    edu = p["education"]
    career = p["career"]
    work = p["workplace"]
    gates = (document.get("meta") or {}).get("kpi_gates") or ()
    sections = [
        Section(
            lab["unit"],
            [Field(lab["top_block"], p["unit"]["top_block"]), Field(lab["specific"], " / ".join(p["unit"]["path"]))],
        ),
        Section(lab["category"], [Text(lab["categories"].get(p["category"], p["category"]))]),
        Section(lab["manager"], [Text(p["direct_manager"] or none)]),
        Section(
            lab["subordinates"],
            [Field(lab["sub_units"], ", ".join(subs["units"]) or none), Field(lab["sub_people"], str(subs["people"]))],
        ),
        Section(lab["activity"], [Text(p["primary_activity"])]),
        Section(lab["areas"], [Bullets(tuple(a["tasks"]), a["area"]) for a in p["responsibility_areas"]]),
        Section(
            lab["skills"],
            [
                Table(
                    (lab["skill"], lab["level"], lab["description"]),
                    tuple((s["name"], str(s["level"]), s["level_description"]) for s in c["skills"]),
                    c["category"],
                )
                for c in p["professional_skills"]
            ],
        ),
        Section(lab["competencies"], [Bullets(tuple(p["corporate_competencies"]))]),
        Section(lab["qualities"], [Bullets(tuple(p["personal_qualities"]))]),
        Section(
            lab["education"], [Bullets((edu["level"], *edu["specialities"], edu["experience"], *edu["additional"]))]
        ),
        Section(
            lab["career"],
            [
                Bullets(tuple(career["feeder_positions"]) or (none,), lab["feeders"]),
                Bullets(
                    tuple(f"{t['position']} ({t['unit']}) — {t['rationale']}" for t in career["target_positions"])
                    or (none,),
                    lab["targets"],
                ),
            ],
        ),
        Section(
            lab["workplace"],
            [
                Field(lab["software"], ", ".join(work["software"]) or none),
                Field(lab["hardware"], ", ".join(work["hardware"]) or none),
            ],
        ),
        Section(
            lab["kpis"],
            [
                Text(kpi_label(document, language)),
                Table(
                    (lab["kpi"], lab["target"], lab["measure"], lab["weight"], lab["period"]),
                    tuple(
                        (k["name"], k["target"], k["unit"], _weight(k, gates, lab["gate"]), k["period"])
                        for k in p["kpis"]
                    ),
                )
                if p["kpis"]
                else Text(none),
            ],
        ),
        Section(lab["conditions"], [Text(p["working_conditions"] or none)]),
        Section(lab["additional"], [Text(p["additional_information"] or none)]),
    ]
    return sections


def meta_line(document: dict[str, Any]) -> str:
    meta = document.get("meta") or {}
    return "; ".join(f"{k}: {meta[k]}" for k in META_KEYS if meta.get(k) not in (None, ""))


def block_lines(block: Block) -> list[str]:
    """A block as plain lines (for spreadsheet cells)."""
    if isinstance(block, Field):
        return [f"{block.label}: {block.value}"]
    if isinstance(block, Text):
        return [block.text]
    if isinstance(block, Bullets):
        head = [f"{block.heading}:"] if block.heading else []
        return [*head, *(f"• {item}" for item in block.items)]
    head = [f"{block.heading}:"] if block.heading else []
    return [*head, *(" | ".join(cell for cell in row if cell) for row in block.rows)]
