"""The offline drafter: a deterministic profile from the position's data alone, no network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from profilegen.generation.context import PositionContext
from profilegen.generation.schema import (
    LEVEL_DESCRIPTIONS,
    MAX_UNITS_LISTED,
    CareerMap,
    CareerTarget,
    Category,
    Education,
    Profile,
    ProfileKpi,
    ResponsibilityArea,
    Skill,
    SkillCategory,
    Subordinates,
    UnitInfo,
    Workplace,
)
from profilegen.text import normalize, plural, ru_plural

_SOFTWARE_BY_WORD: dict[str, tuple[str, ...]] = {
    "разработ": ("IDE (VS Code / IntelliJ IDEA)", "Git", "Jira"),
    "тестиров": ("Jira", "Postman", "TestRail"),
    "аналит": ("Power BI", "SQL-клиент"),
    "данн": ("Python", "SQL-клиент", "Apache Airflow"),
    "бухгалтер": ("1С:Бухгалтерия",),
    "казнач": ("1С:Управление холдингом", "Клиент-банк"),
    "финанс": ("1С:Управление холдингом", "Power BI"),
    "закуп": ("Электронные торговые площадки", "1С:ERP"),
    "тендер": ("Электронные торговые площадки",),
    "продаж": ("CRM-система",),
    "клиент": ("CRM-система",),
    "маркет": ("Системы веб-аналитики", "CRM-система"),
    "дизайн": ("Adobe Creative Cloud", "Figma"),
    "bim": ("Autodesk Revit", "Navisworks"),
    "проектиров": ("AutoCAD", "Autodesk Revit"),
    "архитект": ("AutoCAD", "Autodesk Revit"),
    "смет": ("Гранд-Смета",),
    "кадр": ("1С:ЗУП",),
    "персонал": ("1С:ЗУП", "HR-портал"),
    "юри": ("КонсультантПлюс", "Система электронного документооборота"),
    "администратор": ("Системы мониторинга", "Консоль управления серверами"),
}


@dataclass(frozen=True, slots=True)
class Phrases:
    """The fixed wording of offline drafts in one language."""

    office: tuple[str, ...]
    hardware: tuple[str, ...]
    management: str
    management_tasks: tuple[str, ...]
    core: str
    core_tasks: tuple[str, ...]
    kpi_task: str
    kpi_area: str
    activity: str
    skills_prof: str
    skills_mgmt: str
    skills_tools: str
    skill_domain: str
    skill_regs: str
    skill_plan: str
    skill_people: str
    competencies: tuple[str, ...]
    qualities: tuple[str, ...]
    education: str
    education_spec: str
    experience: str
    conditions: str
    additional: str
    rationale: dict[str, str]


_TEXT = {
    "ru": Phrases(
        office=("MS Office / Р7-Офис", "Корпоративная почта", "Система электронного документооборота"),
        hardware=("Персональный компьютер или ноутбук", "Корпоративный телефон"),
        management="Управление подразделением",
        management_tasks=(
            "Планировать работу подразделения и распределять задачи",
            "Контролировать выполнение показателей подразделения",
            "Развивать и оценивать сотрудников",
        ),
        core="Выполнение функций подразделения",
        core_tasks=(
            "Выполнять задачи подразделения «{unit}» в рамках должности",
            "Готовить отчеты и материалы по своему направлению",
            "Взаимодействовать со смежными подразделениями",
        ),
        kpi_task="Обеспечивать достижение показателя «{name}» (цель: {target})",
        kpi_area="Достижение ключевых показателей",
        activity="Обеспечение результатов подразделения «{unit}» в роли «{title}»",
        skills_prof="Профессиональные знания",
        skills_mgmt="Управленческие навыки",
        skills_tools="Работа с инструментами",
        skill_domain="Знание предметной области подразделения «{unit}»",
        skill_regs="Знание внутренних регламентов компании",
        skill_plan="Планирование и постановка задач",
        skill_people="Развитие команды и обратная связь",
        competencies=(
            "Ориентация на результат",
            "Клиентоориентированность",
            "Командная работа",
            "Ответственность",
        ),
        qualities=("Организованность", "Внимательность к деталям", "Коммуникабельность"),
        education="Высшее образование",
        education_spec="Профильное образование по направлению подразделения",
        experience="Опыт работы по направлению не менее {years}",
        conditions="Офис, пятидневная рабочая неделя, нормированный рабочий день",
        additional="Черновик подготовлен автоматически по данным оргструктуры и КПЭ; требует проверки HR.",
        rationale={
            "vertical": "Рост по вертикали",
            "horizontal": "Горизонтальный переход",
            "expert": "Экспертный трек",
        },
    ),
    "en": Phrases(
        office=("MS Office", "Corporate e-mail", "Document management system"),
        hardware=("Desktop or laptop computer", "Corporate phone"),
        management="Unit management",
        management_tasks=(
            "Plan the unit's work and assign tasks",
            "Monitor the unit's performance indicators",
            "Develop and appraise staff",
        ),
        core="Unit functions",
        core_tasks=(
            "Carry out the tasks of the unit '{unit}' within the role",
            "Prepare reports and materials in own area",
            "Work with adjacent units",
        ),
        kpi_task="Achieve the KPI '{name}' (target: {target})",
        kpi_area="Key performance indicators",
        activity="Delivering the results of the unit '{unit}' as '{title}'",
        skills_prof="Professional knowledge",
        skills_mgmt="Management skills",
        skills_tools="Tools",
        skill_domain="Knowledge of the subject area of '{unit}'",
        skill_regs="Knowledge of internal company regulations",
        skill_plan="Planning and setting tasks",
        skill_people="Team development and feedback",
        competencies=("Result orientation", "Customer focus", "Teamwork", "Accountability"),
        qualities=("Well organised", "Attention to detail", "Communication"),
        education="Higher education",
        education_spec="A degree in the unit's field",
        experience="At least {years} of experience in the field",
        conditions="Office, five-day week, regular hours",
        additional="Draft made automatically from org data and KPIs; HR review required.",
        rationale={
            "vertical": "A step up",
            "horizontal": "A move across",
            "expert": "The expert track",
        },
    ),
}


def draft_profile(context: PositionContext, language: str = "ru") -> Profile:
    """A complete, valid profile built only from the context; same input, same output."""
    text = _TEXT["en" if language == "en" else "ru"]
    levels = LEVEL_DESCRIPTIONS["en" if language == "en" else "ru"]
    unit_name = context.unit_path[-1]
    category = cast(Category, context.category)
    manager = category != "specialist"
    level = {"specialist": 2, "line_manager": 3, "middle_manager": 3, "senior_manager": 4}[category]

    areas: list[ResponsibilityArea] = []
    if manager:
        areas.append(ResponsibilityArea(area=text.management, tasks=list(text.management_tasks)))
    areas.append(ResponsibilityArea(area=text.core, tasks=[t.format(unit=unit_name) for t in text.core_tasks]))
    kpi_tasks = [
        text.kpi_task.format(name=k.name, target=" ".join(filter(None, (k.target, k.unit)))) for k in context.kpis
    ]
    if kpi_tasks:
        areas.append(ResponsibilityArea(area=text.kpi_area, tasks=kpi_tasks[:12]))

    def skill(name: str, lvl: int) -> Skill:
        return Skill(name=name, level=lvl, level_description=levels[lvl])

    skills = [
        SkillCategory(
            category=text.skills_prof,
            skills=[skill(text.skill_domain.format(unit=unit_name), level), skill(text.skill_regs, 2)],
        )
    ]
    if manager:
        skills.append(
            SkillCategory(
                category=text.skills_mgmt,
                skills=[skill(text.skill_plan, level), skill(text.skill_people, level - 1)],
            )
        )
    software = _software(context.title, unit_name, text.office)
    skills.append(SkillCategory(category=text.skills_tools, skills=[skill(s, 2) for s in software[:6]]))

    years = {"specialist": 1, "line_manager": 3, "middle_manager": 5, "senior_manager": 7}[category]
    rationale = text.rationale
    return Profile(
        position_title=context.title,
        unit=UnitInfo(top_block=context.unit_path[0], path=list(context.unit_path)),
        category=category,
        direct_manager=context.direct_manager,
        subordinates=Subordinates(
            units=list(context.subordinate_units)[:MAX_UNITS_LISTED],  # the document lists all, from the facts
            people=context.subordinate_people,
            headcount_below=context.headcount_below,
        ),
        primary_activity=text.activity.format(unit=unit_name, title=context.title),
        responsibility_areas=areas,
        professional_skills=skills,
        corporate_competencies=list(context.competencies or text.competencies),
        personal_qualities=list(text.qualities),
        education=Education(
            level=text.education,
            specialities=[text.education_spec],
            experience_years=years,
            experience=text.experience.format(
                years=ru_plural(years, "года", "лет", "лет") if language != "en" else plural(years, "year")
            ),
            additional=[],
        ),
        career=CareerMap(
            feeder_positions=[c.label for c in context.feeders],
            target_positions=[
                CareerTarget(position=c.title, unit=c.unit_path[-1], rationale=rationale[c.track])
                for c in context.targets
            ],
        ),
        workplace=Workplace(software=software, hardware=list(text.hardware)),
        kpis=[
            ProfileKpi(name=k.name, target=k.target, unit=k.unit, weight=k.weight, period=k.period)
            for k in context.kpis
        ],
        working_conditions=text.conditions,
        additional_information=text.additional,
    )


def _software(title: str, unit: str, office: tuple[str, ...]) -> list[str]:
    haystack = normalize(f"{title} {unit}")
    found: list[str] = list(office)
    for stem, tools in _SOFTWARE_BY_WORD.items():
        if stem in haystack:
            found += [t for t in tools if t not in found]
    return found[:25]
