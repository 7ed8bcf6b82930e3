"""What a generation reads: the org, the KPI catalog and mapping, and the contexts of the selected positions."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from profilegen.codebase import code_stamp
from profilegen.company import chooser_for
from profilegen.config import Settings
from profilegen.errors import InputError, SelectionError
from profilegen.generation.context import PositionContext, build_context, kpis_of
from profilegen.journal import Journal
from profilegen.kept import keep, kept
from profilegen.kpi.cards import CardAssignment
from profilegen.kpi.catalog import KpiCatalog, load_catalog
from profilegen.kpi.filtering import PositionKpis
from profilegen.kpi.mapping import (
    Assignment,
    KpiMapper,
    assignments_key,
    mapping_key,
)
from profilegen.kpi.model import KpiFile, KpiSource
from profilegen.kpi.workbook import Card
from profilegen.org.facts import OrgFacts
from profilegen.org.loader import load_org_with_problems
from profilegen.org.model import OrgStructure, Position, UnitPath
from profilegen.org.problems import Problem
from profilegen.org.roles import Roles
from profilegen.org.selection import select_positions

MAX_EMPLOYEE_NAME = 100


@dataclass(slots=True)
class Inputs:
    """The org, its KPI catalog and every unit's KPI assignment."""

    org: OrgStructure
    catalog: KpiCatalog
    assignments: dict[UnitPath, Assignment]
    problems: list[Problem] = field(default_factory=list)
    mapping_key: str = ""  # what the assignments depend on (set when loaded with a journal or a state folder)
    cards: CardAssignment = field(default_factory=CardAssignment)  # HR's workbook cards, by position


@dataclass(slots=True)
class Selection:
    departments: list[str] | None = None  # None: the whole org
    position: str | None = None
    subunits: bool = True
    employee_name: str | None = None


def load_org_from_settings(settings: Settings, remember_in: Path | None = None) -> tuple[OrgStructure, list[Problem]]:
    """The org named by the settings (`workspace.prepare` fills it from OUT's journal when not given);
    ``remember_in``: the state folder keeping the last parse."""
    if settings.org is None:
        raise InputError("no organisation: pass --org FILE or set org: in profilegen.yaml (profilegen config init)")
    return load_org_with_problems(settings.org, settings.excel.sheet, settings.excel.columns, remember_in)


def load_inputs(settings: Settings, journal: Journal | None = None, remember_in: Path | None = None) -> Inputs:
    """The org, the KPI catalog and the mapping; the org as last parsed and the mapping as last worked out kept
    in the journal's state folder, or in ``remember_in`` (a read command's), and taken from there when nothing
    they depend on changed."""
    state = journal.state_dir if journal is not None else remember_in
    org, problems = load_org_from_settings(settings, state)
    catalog = load_catalog(settings.resolved_kpi_dir(), required=settings.kpi_dir is not None)
    cards = assign_cards(org, catalog)
    if state is None:
        return Inputs(org, catalog, KpiMapper(catalog).map_org(org), problems, cards=cards)
    if journal is not None:
        journal.delete_meta("kpi-mapping")  # where runs before 2026-12-07 kept it, as JSON: the record serves now
    mapped = assignments_key(org, catalog)
    key = mapping_key(org, catalog, mapped)
    return Inputs(org, catalog, _kept_mapping(org, catalog, mapped, state), problems, key, cards)


MAPPING_RECORD = "kpi-mapping.pickle"


def _kept_mapping(org: OrgStructure, catalog: KpiCatalog, key: str, folder: Path) -> dict[UnitPath, Assignment]:
    """The units' KPI mapping as last worked out under ``key`` (its `assignments_key`), kept in the state folder
    ``folder``: 32,000 units took about a second to map."""
    record = f"{code_stamp()} {key}"
    assignments: dict[UnitPath, Assignment] | None = kept(folder, MAPPING_RECORD, record)
    if assignments is None:
        assignments = KpiMapper(catalog).map_org(org)
        keep(folder, MAPPING_RECORD, record, assignments)
        return assignments
    return _on_org_paths(assignments, org)


def _on_org_paths(assignments: dict[UnitPath, Assignment], org: OrgStructure) -> dict[UnitPath, Assignment]:
    """Assignments read back, holding the org's own unit paths instead of copies of every one; a path the org
    lacks (none, when both are of the same org) stays as read."""
    units = org.units
    shared = {}
    for path, assignment in assignments.items():
        unit = units.get(path)
        own = unit.path if unit is not None else path
        assignment.path = own
        if assignment.inherited_from is not None and assignment.inherited_from in units:
            assignment.inherited_from = units[assignment.inherited_from].path
        shared[own] = assignment
    return shared


def assign_cards(org: OrgStructure, catalog: KpiCatalog) -> CardAssignment:
    """The workbook cards given to their positions (mapping.yaml's `workbooks:` and `cards:` applied)."""
    if not catalog.workbooks:
        return CardAssignment()
    from profilegen.kpi.cards import CardMapper, CardOverride
    from profilegen.org.selection import UnitIndex

    index = UnitIndex(org)
    where = str(catalog.root / "mapping.yaml")

    def unit(query: str) -> UnitPath:
        try:
            return index.resolve(query)
        except InputError as exc:
            raise InputError(f"KPI card mapping: {exc}", source=where) from None

    sheets = {name: unit(query) for name, query in catalog.workbook_units.items()}
    overrides = [
        CardOverride(e["file"], e.get("sheet") or None, e["column"].upper(), unit(e["unit"]))
        for e in catalog.card_units
    ]
    return CardMapper(org, overrides, sheets).assign(catalog.workbooks)


def check_employee_name(name: str | None) -> str | None:
    """Strip and check an employee name: not blank, at most 100 characters, no control characters."""
    if name is None:
        return None
    cleaned = name.strip()
    if not cleaned:
        raise InputError("--employee-name is blank")
    if len(cleaned) > MAX_EMPLOYEE_NAME:
        raise InputError(f"--employee-name is longer than {MAX_EMPLOYEE_NAME} characters")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in cleaned):
        raise InputError("--employee-name contains control characters")
    return cleaned


def positions_for(inputs: Inputs, selection: Selection) -> tuple[list[Position], str | None]:
    """The selected positions (unknown names are errors with a did-you-mean) and the checked employee name."""
    positions = select_positions(
        inputs.org, selection.departments, position=selection.position, subunits=selection.subunits
    )
    employee = check_employee_name(selection.employee_name)
    if employee and len(positions) != 1:
        raise SelectionError(f"--employee-name needs exactly one position, the selection has {len(positions)}")
    return positions, employee


def contexts_for(
    inputs: Inputs,
    selection: Selection,
    settings: Settings,
    chosen: tuple[list[Position], str | None] | None = None,
) -> list[PositionContext]:
    return list(iter_contexts(inputs, selection, settings, chosen))


def iter_contexts(
    inputs: Inputs,
    selection: Selection,
    settings: Settings,
    chosen: tuple[list[Position], str | None] | None = None,
    make: ContextMaker | None = None,
) -> Iterator[PositionContext]:
    """The selected positions' contexts, one at a time (``make``: the maker to use, its memos warm)."""
    positions, employee = chosen or positions_for(inputs, selection)
    make = make or ContextMaker(inputs, settings, employee)
    # the org, its roles and KPI files live as long as the command: kept out of the collector's full scans
    # while contexts are made (at 100,000 positions those scans took longer than the work itself)
    gc.freeze()
    try:
        for position in positions:
            yield make(position)
    finally:
        gc.unfreeze()


class ContextMaker:
    """A position's context from the inputs and settings (the same each time it is asked: a large run makes
    a position's context again when its turn comes rather than keep 100,000 of them)."""

    def __init__(self, inputs: Inputs, settings: Settings, employee: str | None) -> None:
        self.inputs = inputs
        self.employee = employee
        self.facts = org_facts_for(inputs.org, settings)
        self.company = chooser_for(inputs.org, settings)

    def __call__(self, position: Position) -> PositionContext:
        assignment, kpi_file, card, unit_card = kpi_inputs(self.inputs, position)
        org = self.inputs.org
        return build_context(
            org, position, assignment, kpi_file, self.facts, self.employee, card, unit_card, self.company
        )

    def of(self, unit_path: UnitPath, title: str) -> PositionContext:
        """The context of the position titled ``title`` in the unit at ``unit_path``."""
        return self(next(p for p in self.inputs.org.units[unit_path].positions if p.title == title))


def position_kpis(inputs: Inputs, position: Position) -> tuple[PositionKpis, str, str]:
    """A position's KPIs and where they came from (as its context has them), without the rest of it."""
    assignment, kpi_file, card, unit_card = kpi_inputs(inputs, position)
    return kpis_of(inputs.org, position, assignment, kpi_file, card, unit_card)


def kpi_inputs(inputs: Inputs, position: Position) -> tuple[Assignment, KpiFile | None, Card | None, Card | None]:
    """Its unit's KPI assignment and file, its own card, and (none of its own, a template else) its unit's card."""
    assignment = inputs.assignments[position.unit_path]
    kpi_file = inputs.catalog.by_name(assignment.file) if assignment.file else None
    card = inputs.cards.card_for(position)
    unit_card = None
    if card is None and assignment.source is KpiSource.TEMPLATE:  # HR's workbook beats a template
        unit_card = inputs.cards.unit_card(inputs.org, position)
    return assignment, kpi_file, card, unit_card


def roles_for(org: OrgStructure, settings: Settings) -> Roles:
    """The org's heads, managers and categories under the settings (`head_titles`, `heads`, `unit_kinds`)."""
    from profilegen.org.selection import UnitIndex

    index = UnitIndex(org)
    heads: dict[UnitPath, str | None] = {}
    for query, title in settings.heads.items():
        try:
            path = index.resolve(query)
        except InputError as exc:
            raise InputError(f"setting 'heads': {exc}") from None
        if title and all(p.title != title for p in org.units[path].positions):
            titles = ", ".join(repr(p.title) for p in org.units[path].positions) or "none"
            raise InputError(f"setting 'heads': {' / '.join(path)} has no position {title!r} (its positions: {titles})")
        heads[path] = title or None
    return Roles(
        org,
        settings.head_titles,
        heads,
        settings.unit_kinds,
        {**template_category_labels(settings), **{str(k): v for k, v in settings.category_labels.items()}},
        settings.deputy_category,
    )


def template_category_labels(settings: Settings) -> dict[str, str]:
    """The category names of the active template (A101's scale, or the English one): `category_labels` wins."""
    from profilegen.template.loader import load_template

    spec = load_template(settings.template, settings.language).fact_field("category")
    return dict(spec.codes) if spec is not None else {}


def org_facts_for(org: OrgStructure, settings: Settings) -> OrgFacts:
    """Roles, careers and competencies of the org under the settings (`competencies:` among them)."""
    from profilegen.org.competencies import CompetencyModel

    model = CompetencyModel(**settings.competencies.given())
    return OrgFacts(roles_for(org, settings), model)
