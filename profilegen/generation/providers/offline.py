"""The offline drafter: a deterministic profile from the position's data alone, no network.

It fills the template's written fields: a field's `draft` names the recipe (responsibilities, skills,
software …); a field without one (a company's own) gets its kind's skeleton, marked for HR to fill.
Every draft is fitted to the template's limits and choices and checked like a model's answer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from profilegen.company.choosing import STOP_WORDS
from profilegen.generation.context import PositionContext
from profilegen.kpi.model import target_text
from profilegen.template.model import FieldSpec, Template
from profilegen.template.schema import answer_model
from profilegen.text import normalize, plural, ru_plural, words
from profilegen.words.lexicon import forms_of

_SYSTEM_ITEM = re.compile(r"^[*+-]\s+\*\*(.+?)\*\*")  # "- **Сметная система** - расчет стоимости"
_SYSTEM_WORDS = frozenset({"система", "системы", "систем", "systems", "system", "software"})


_CORE_WORDS = ("продаж", "строител", "проект", "девелоп", "клиент", "архитект", "маркет", "объект", "bim", "смет")


@dataclass(frozen=True, slots=True)
class Phrases:
    """The fixed wording of offline drafts in one language."""

    hardware: tuple[str, ...]
    management: str
    management_tasks: tuple[str, ...]
    core: str
    core_tasks: tuple[str, ...]
    kpi_task: str
    kpi_target: str  # the target after the task, when the KPI has one
    kpi_area: str
    interaction: str
    interaction_tasks: tuple[str, ...]
    purpose: str
    skills_prof: str
    skills_mgmt: str
    skills_tools: str
    skill_domain: str
    skill_regs: str
    skill_plan: str
    skill_people: str
    qualities: tuple[str, ...]
    speciality: str
    experience_previous: str
    experience_total: str
    promotion_conditions: str
    promotion_decision: str
    requirements: tuple[str, ...]


_TEXT = {
    "ru": Phrases(
        hardware=(),
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
        ),
        kpi_task="Обеспечивать достижение показателя «{name}»",
        kpi_target=" (цель: {target})",
        kpi_area="Достижение ключевых показателей",
        interaction="Взаимодействие и регламенты",
        interaction_tasks=(
            "Взаимодействовать со смежными подразделениями по задачам должности",
            "Соблюдать внутренние регламенты и стандарты компании",
        ),
        purpose="Обеспечение результатов подразделения «{unit}» в роли «{title}»",
        skills_prof="Знания и умения в области деятельности подразделения",
        skills_mgmt="Знания и умения в области управления",
        skills_tools="Знания и умения в области программного обеспечения",
        skill_domain="Предметная область подразделения «{unit}»",
        skill_regs="Внутренние регламенты компании",
        skill_plan="Планирование и постановка задач",
        skill_people="Развитие команды и обратная связь",
        qualities=("ответственность", "организованность", "внимательность к деталям", "коммуникабельность"),
        speciality="Профильное образование по направлению подразделения",
        experience_previous="Опыт работы по направлению не менее {years}",
        experience_total="Не менее {years}",
        promotion_conditions="Выполнение КПЭ должности и готовность к задачам целевой позиции; требует уточнения HR",
        promotion_decision="Непосредственный руководитель по согласованию с HR",
        requirements=(),
    ),
    "en": Phrases(
        hardware=(),
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
        ),
        kpi_task="Achieve the KPI '{name}'",
        kpi_target=" (target: {target})",
        kpi_area="Key performance indicators",
        interaction="Cooperation and rules",
        interaction_tasks=(
            "Work with adjacent units on the position's tasks",
            "Follow the company's internal rules and standards",
        ),
        purpose="Delivering the results of the unit '{unit}' as '{title}'",
        skills_prof="Professional knowledge",
        skills_mgmt="Management skills",
        skills_tools="Tools",
        skill_domain="Knowledge of the subject area of '{unit}'",
        skill_regs="Knowledge of internal company regulations",
        skill_plan="Planning and setting tasks",
        skill_people="Team development and feedback",
        qualities=("responsibility", "organisation", "attention to detail"),
        speciality="A degree in the unit's field",
        experience_previous="At least {years} in the field",
        experience_total="At least {years}",
        promotion_conditions="Meets the position's KPIs and is ready for the target position; HR to specify",
        promotion_decision="The line manager, agreed with HR",
        requirements=("Higher education in the unit's field", "At least {years} of experience in the field"),
    ),
}
_LEVEL = {"specialist": 2, "line_manager": 3, "middle_manager": 3, "senior_manager": 4}
_YEARS = {"specialist": 1, "line_manager": 3, "middle_manager": 5, "senior_manager": 7}


@dataclass(frozen=True, slots=True)
class _Draft:
    context: PositionContext
    text: Phrases
    language: str

    @property
    def unit(self) -> str:
        return self.context.unit_path[-1]

    @property
    def manager(self) -> bool:
        return self.context.category != "specialist"

    def years(self, extra: int = 0) -> str:
        years = _YEARS.get(self.context.category, 1) + extra
        return plural(years, "year") if self.language == "en" else ru_plural(years, "года", "лет", "лет")

    def areas(self) -> list[tuple[str, list[str]]]:
        text = self.text
        areas = [(text.management, list(text.management_tasks))] if self.manager else []
        areas.append((text.core, [t.format(unit=self.unit) for t in text.core_tasks]))
        areas.append((text.interaction, list(text.interaction_tasks)))
        said = [(k.name, target_text(k.target, k.unit)) for k in self.context.kpis]
        kpi_tasks = list(  # each once, in order: HR's card may list a KPI twice (ДПУ's does)
            dict.fromkeys(
                text.kpi_task.format(name=name) + (text.kpi_target.format(target=target) if target else "")
                for name, target in said
            )
        )
        if kpi_tasks:
            areas.append((text.kpi_area, kpi_tasks))
        return areas

    def software(self) -> list[str]:
        """The systems the company's documents list for the position's function, best-matching sections first:
        the items of sections about systems (`### 1. Закупки и снабжение` under `Цифровые системы …`)."""
        own = {f for w in words(self.context.title) if w not in STOP_WORDS for f in forms_of(w)}
        # a section whose heading names the position's own trade ("… на Базе 1С" for a 1С programmer) first
        picks = sorted(self.context.company_sections, key=lambda p: own.isdisjoint(p.section.heading_words))
        found: list[str] = []
        for pick in picks:
            section = pick.section
            if not pick.sent or _SYSTEM_WORDS.isdisjoint(section.heading_words | section.path_words):
                continue
            for line in pick.text.split("\n"):
                match = _SYSTEM_ITEM.match(line)
                name = match.group(1).strip(" :`") if match else ""
                if name and name not in found:
                    found.append(name)
        return found

    def skills(self) -> list[tuple[str, list[tuple[str, int]]]]:
        text, level = self.text, _LEVEL.get(self.context.category, 2)
        skills = [(text.skills_prof, [(text.skill_domain.format(unit=self.unit), level), (text.skill_regs, 2)])]
        if self.manager:
            skills.append((text.skills_mgmt, [(text.skill_plan, level), (text.skill_people, max(1, level - 1))]))
        tools = self.software()
        if tools:
            skills.append((text.skills_tools, [(t, 2) for t in tools]))
        return skills

    def recipe(self, spec: FieldSpec) -> Any:
        text = self.text
        recipes: dict[str, Callable[[], Any]] = {
            "activity": lambda: spec.choices[0 if self._core() else min(1, len(spec.choices) - 1)],
            "responsibilities": lambda: [{"name": n, "items": items} for n, items in self.areas()],
            "tasks": lambda: [t for _, items in self.areas() for t in items],
            "skills": lambda: [
                {"name": n, "items": [self._row(spec, name, lvl) for name, lvl in items]} for n, items in self.skills()
            ],
            "qualities": lambda: [q for q in text.qualities if not spec.choices or q in spec.choices],
            "education_level": lambda: spec.choices[0],
            "speciality": lambda: [text.speciality],
            "additional_education": lambda: [],
            "experience_previous": lambda: text.experience_previous.format(years=self.years()),
            "experience_total": lambda: text.experience_total.format(years=self.years(2)),
            "software": self.software,
            "hardware": lambda: list(text.hardware),
            "promotion_conditions": lambda: text.promotion_conditions,
            "promotion_decision": lambda: text.promotion_decision,
            "purpose": lambda: text.purpose.format(unit=self.unit, title=self.context.title),
            "requirements": lambda: [r.format(years=self.years()) for r in text.requirements],
        }
        make = recipes.get(spec.draft)
        return make() if make is not None else None

    def _core(self) -> bool:
        # each name alone: names repeat across positions, a position's whole path does not (it filled normalize's
        # cache — 65,536 entries of long strings, ~50 MB at 100,000 positions — with text never asked for again)
        parts = (*self.context.unit_path, self.context.title)
        return any(word in normalize(part) for part in parts for word in _CORE_WORDS)

    @staticmethod
    def _row(spec: FieldSpec, name: str, level: int) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for column in spec.columns:
            if column.kind == "level":
                row[column.key] = min(level, max(column.scale))
            elif column.kind == "number":
                row[column.key] = 0
            elif column.kind == "choice":
                row[column.key] = column.choices[0]
            else:
                row[column.key] = name
        return row


def _fit(spec: FieldSpec, value: Any, missing: str) -> Any:
    """A draft value within the field's kind, limits and choices (a company's own field: marked for HR)."""
    if spec.kind == "text":
        return value or f"{missing}"
    if spec.kind == "number":
        return max(spec.min or 0, min(int(value or 0), spec.max if spec.max is not None else 10**9))
    if spec.kind == "choice":
        return value if value in spec.choices else spec.choices[0]
    items = list(value or [])
    low, high = (1 if spec.min is None else spec.min), spec.max
    if spec.kind == "list":
        if spec.choices:
            items = [i for i in items if i in spec.choices]
            items += [c for c in spec.choices if c not in items][: max(0, low - len(items))]
        items += _placeholders(missing, low - len(items), items)
    elif spec.kind == "table":
        items += [_Draft._row(spec, said, 1) for said in _placeholders(missing, low - len(items), _said(items))]
    else:  # a group short of its fewest items is filled with placeholders, each one HR's to fill
        items += [{"name": name, "items": []} for name in _placeholders(spec.label, low - len(items))]
        fewest = 1 if spec.items_min is None else spec.items_min
        for area in items:
            kept = area["items"][: spec.items_max]
            added = _placeholders(missing, fewest - len(kept), _said(kept))
            area["items"] = kept + [_Draft._row(spec, said, 1) if spec.columns else said for said in added]
    return items[:high] if high is not None else items


def _said(items: Sequence[Any]) -> list[Any]:
    """What a list's items say: the items, or a row's cells."""
    return [cell for item in items for cell in (item.values() if isinstance(item, dict) else [item])]


def _placeholders(missing: str, count: int, taken: Sequence[Any] = ()) -> list[str]:
    """``count`` placeholders for HR to fill, none said twice nor as one of the items ``taken``: one alone as it
    is, several numbered from 1."""
    if count <= 0:
        return []
    if count == 1 and missing not in taken:
        return [missing]
    numbered = (f"{missing} ({n})" for n in itertools.count(1))
    return list(itertools.islice((said for said in numbered if said not in taken), count))


def draft_profile(context: PositionContext, template: Template) -> dict[str, Any]:
    """The template's written fields, built only from the context; same input, same output."""
    draft = _Draft(context, _TEXT["en" if template.language == "en" else "ru"], template.language)
    missing = template.texts["missing"]
    written = {
        spec.key: missing
        if spec.source == "documents" and spec.kind == "text"
        else _fit(spec, draft.recipe(spec), missing)
        for spec in template.written
    }
    return answer_model(template).model_validate(written).model_dump(mode="json")
