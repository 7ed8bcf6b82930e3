"""Everything that shapes one position's profile, gathered from the org and its KPIs.

The context is the single input of every provider and of the fingerprint: what is not here cannot
change a profile, and everything here does.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from profilegen.company.choosing import Chooser, Picked
from profilegen.kpi.filtering import PositionKpi, PositionKpis, card_kpis, kpis_for_position
from profilegen.kpi.mapping import Assignment
from profilegen.kpi.model import KpiFile
from profilegen.kpi.workbook import Card
from profilegen.org.candidates import Candidate
from profilegen.org.facts import OrgFacts
from profilegen.org.model import OrgStructure, Position, UnitPath, format_path

MAX_RELATED_UNITS = 40


@dataclass(frozen=True, slots=True)
class PositionContext:
    """The data a profile is built from."""

    unit_path: UnitPath
    title: str
    headcount: int
    unit_code: str | None
    is_head: bool
    category: str
    direct_manager: str  # "Title (Unit)", as the profile shows it
    subordinate_units: tuple[str, ...]
    subordinate_people: int  # direct reports
    headcount_below: int
    kpi_source: str
    kpi_file: str
    kpi_scope: str
    kpis: tuple[PositionKpi, ...]
    feeders: tuple[Candidate, ...]
    targets: tuple[Candidate, ...]
    unit_headcount: int
    related_units: tuple[str, ...] = ()
    employee_name: str | None = None
    category_label: str = ""
    category_reason: str = ""
    head_reason: str = ""
    manager_title: str | None = None
    manager_path: UnitPath = ()
    manager_reason: str = ""
    deputy_of: str | None = None
    competencies: tuple[str, ...] = ()
    company_sections: tuple[Picked, ...] = ()  # the company's document sections chosen for it, best first
    sibling_units: tuple[tuple[str, str], ...] = ()  # (name, purpose or "") of the units beside its own
    # the company-wide sections every request carries (in the system prompt: a generation input, not a context one)
    company_shared: tuple[Picked, ...] = ()

    @property
    def depth(self) -> int:
        return len(self.unit_path)


def build_context(
    org: OrgStructure,
    position: Position,
    assignment: Assignment,
    kpi_file: KpiFile | None,
    facts: OrgFacts,
    employee_name: str | None = None,
    card: Card | None = None,
    unit_card: Card | None = None,
    company: Chooser | None = None,
) -> PositionContext:
    """Gather one position's context from the org's facts, its own KPI card (if HR gave it one) or else its
    unit's KPI file, and the sections of the company's documents that concern it."""
    path = position.unit_path
    role = facts.roles.role(position)
    career = facts.careers.of(position)
    manager = role.manager_position
    position_kpis, kpi_source, kpi_from = kpis_of(org, position, assignment, kpi_file, card, unit_card)
    return PositionContext(
        unit_path=path,
        title=position.title,
        headcount=position.headcount,
        unit_code=org.units[path].code,
        is_head=role.is_head,
        category=role.category,
        direct_manager=role.manager,
        subordinate_units=role.subordinate_units,
        subordinate_people=role.direct_reports,
        headcount_below=role.headcount_below,
        kpi_source=kpi_source,
        kpi_file=kpi_from,
        kpi_scope=position_kpis.scope,
        kpis=position_kpis.kpis,
        feeders=career.feeders,
        targets=career.targets,
        unit_headcount=org.units[path].headcount,
        related_units=_related_units(org, path),
        employee_name=employee_name,
        category_label=facts.roles.category_label(role.category),
        category_reason=role.category_reason,
        head_reason=role.head_reason,
        manager_title=manager.title if manager is not None else None,
        manager_path=manager.unit_path if manager is not None else (),
        manager_reason=role.manager_reason,
        deputy_of=role.deputy_of.title if role.deputy_of is not None else None,
        competencies=facts.competencies(position),
        company_sections=company.choose(path, position.title) if company is not None else (),
        company_shared=company.shared if company is not None else (),
        sibling_units=_sibling_units(org, path, company),
    )


def kpis_of(
    org: OrgStructure,
    position: Position,
    assignment: Assignment,
    kpi_file: KpiFile | None,
    card: Card | None = None,
    unit_card: Card | None = None,
) -> tuple[PositionKpis, str, str]:
    """A position's KPIs, their source (`card` or the unit's mapping source) and where they came from: its
    own card; else its unit's KPIs from a card of its unit (labelled as the unit's); else its unit's file."""
    if card is None and unit_card is not None:
        return card_kpis(unit_card, _period(unit_card.file), own=False), "card", _card_name(unit_card)
    if card is not None:
        return card_kpis(card, _period(card.file)), "card", _card_name(card)
    return _position_kpis(org, kpi_file, position.title), assignment.source.value, assignment.file


def _card_name(card: Card) -> str:
    return f"{card.file} / {card.sheet} / {card.column}"


def _period(file_name: str) -> str:
    """The year a workbook is for ("КПЭ 2025_ДИТ.xlsx" → 2025), else "год"."""
    found = re.search(r"20\d\d", file_name)
    return found.group(0) if found else "год"


def _position_kpis(org: OrgStructure, kpi_file: KpiFile | None, title: str) -> PositionKpis:
    """A title's KPIs in a file, worked out once (many units share a file, many a title)."""
    key = ("kpis", kpi_file.name if kpi_file else None, kpi_file.text_hash if kpi_file else None, title)
    if key not in org.memo:
        org.memo[key] = kpis_for_position(kpi_file, title)
    found: PositionKpis = org.memo[key]
    return found


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _fields_of(value: Any) -> dict[str, Any]:
    """A dataclass's fields as a dict, one level deep (JSON encoding calls it for nested ones).

    A position's nearby units are the same for its whole unit and long: they enter as one digest.
    """
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if not hasattr(kind, "__dataclass_fields__"):
            raise TypeError(f"{kind.__name__} is not JSON serialisable")
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    result = {name: getattr(value, name) for name in names}
    if kind is PositionContext:
        result["related_units"] = _digest(result["related_units"])
        result["company_sections"] = _sections(result["company_sections"])
        del result["company_shared"]
    return result


def _sections(picks: tuple[Picked, ...]) -> list[tuple[str, str, str, int, bool]]:
    """The chosen sections as a fingerprint sees them: which, their content's digest, how much was sent."""
    return [(p.section.file, p.section.heading, p.section.digest, p.tokens, p.cut) for p in picks]


_CONTEXT_FIELDS = tuple(f.name for f in fields(PositionContext) if f.name != "company_shared")


@lru_cache(maxsize=4096)
def _digest(names: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(names).encode("utf-8")).hexdigest()


def _related_units(org: OrgStructure, path: UnitPath) -> tuple[str, ...]:
    """Units above and below this one, named by path, so the model need not invent any."""
    key = ("related", path)
    if key not in org.memo:
        related: list[UnitPath] = [path[:i] for i in range(1, len(path))]
        related += org.units[path].children
        org.memo[key] = tuple(_path_name(org, p) for p in related[:MAX_RELATED_UNITS])
    names: tuple[str, ...] = org.memo[key]
    return names


def _path_name(org: OrgStructure, path: UnitPath) -> str:
    """A unit's path as text, made once (each unit's children and those under them name it again)."""
    key = ("path name", path)
    name: str | None = org.memo.get(key)
    if name is None:
        name = org.memo[key] = format_path(path)
    return name


def _sibling_units(org: OrgStructure, path: UnitPath, company: Chooser | None) -> tuple[tuple[str, str], ...]:
    """The units beside this one — work that is not this position's — with their purpose where a document
    says it."""
    key = ("siblings", path, id(company))
    if key not in org.memo:
        siblings = [s for s in org.units[path[:-1]].children if s != path] if len(path) > 1 else []
        org.memo[key] = tuple(
            (s[-1], (company.purpose(s[-1]) if company is not None else None) or "")
            for s in siblings[:MAX_RELATED_UNITS]
        )
    found: tuple[tuple[str, str], ...] = org.memo[key]
    return found


def fingerprint(context: PositionContext, generation: dict[str, Any]) -> str:
    """sha256 of canonical JSON of the context and the generation settings: stable under key order.

    The context is flattened by hand (KPIs and career candidates as arrays of their fields), so the C
    encoder does all the work, and the generation settings (the same for a whole run) are encoded once:
    a nightly run fingerprints every position of the organisation. The text is exactly
    ``json.dumps({"context": …, "generation": …}, sort_keys=True, separators=(",", ":"))``.
    """
    fields_ = {name: getattr(context, name) for name in _CONTEXT_FIELDS}
    fields_["related_units"] = _digest(context.related_units)
    fields_["company_sections"] = _sections(context.company_sections)
    fields_["kpis"] = [
        (k.name, k.target, k.unit, k.period, k.weight, k.section, k.min, k.max, k.method, k.source, k.type, k.trigger)
        for k in context.kpis
    ]
    # a candidate told apart from another of the same name carries where (the rest read as before: unchanged)
    fields_["feeders"] = [(c.title, c.unit_path, c.track, c.reason, *_where(c)) for c in context.feeders]
    fields_["targets"] = [(c.title, c.unit_path, c.track, c.reason, *_where(c)) for c in context.targets]
    body = _canonical(fields_)
    return hashlib.sha256(f'{{"context":{body},"generation":{_generation_json(generation)}}}'.encode()).hexdigest()


def _where(candidate: Candidate) -> tuple[str, ...]:
    return (candidate.where,) if candidate.where else ()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_last_generation: list[tuple[dict[str, Any], dict[str, Any], str]] = []  # (the dict, a copy, its JSON)


def _generation_json(generation: dict[str, Any]) -> str:
    """The generation settings' JSON, remembered for the dict a run passes for every position."""
    if _last_generation:
        same, kept, text = _last_generation[0]
        if same is generation and kept == generation:
            return text
    text = _canonical(generation)
    _last_generation[:] = [(generation, copy.deepcopy(generation), text)]
    return text


# What a dry run names as the reason a position must be regenerated.
_PARTS: dict[str, tuple[str, ...]] = {
    "org data": (
        "unit_path",
        "title",
        "headcount",
        "unit_code",
        "is_head",
        "category",
        "direct_manager",
        "subordinate_units",
        "subordinate_people",
        "headcount_below",
        "feeders",
        "targets",
        "unit_headcount",
        "related_units",
        "category_label",
        "category_reason",
        "head_reason",
        "manager_title",
        "manager_path",
        "manager_reason",
        "deputy_of",
        "competencies",
    ),
    "KPI file": ("kpi_source", "kpi_file", "kpi_scope", "kpis"),
    "employee": ("employee_name",),
    "company documents": ("company_sections", "sibling_units"),
}
_GENERATION_PARTS: dict[str, tuple[str, ...]] = {
    "prompt version": ("prompt_version", "schema_version"),
    "model": ("provider", "model"),
    "template": ("template",),
}


def fingerprint_parts(context: PositionContext, generation: dict[str, Any]) -> dict[str, str]:
    """Short hashes of each kind of input, so a changed fingerprint can say what changed."""

    def digest(value: Any) -> str:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=_fields_of)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    fields = _fields_of(context)
    parts = {name: digest({k: fields[k] for k in keys}) for name, keys in _PARTS.items()}
    claimed = {k for keys in _GENERATION_PARTS.values() for k in keys}
    parts.update({name: digest({k: generation.get(k) for k in keys}) for name, keys in _GENERATION_PARTS.items()})
    parts["settings"] = digest({k: v for k, v in generation.items() if k not in claimed})
    return parts


def changed_parts(old: dict[str, str] | None, new: dict[str, str]) -> list[str]:
    """Names of the input kinds whose hashes differ (all of them when nothing was recorded)."""
    if not old:
        return []
    return [name for name, value in new.items() if old.get(name) != value]


def describe(context: PositionContext) -> str:
    """A short human label: 'Unit / Path — Title'."""
    return label(context.unit_path, context.title)


def label(unit_path: UnitPath, title: str) -> str:
    return f"{format_path(unit_path)} — {title}"
