"""The library entry points the CLI calls: load inputs, map KPIs, plan and run a generation."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from profilegen.config import Settings, api_key
from profilegen.errors import InputError, SelectionError
from profilegen.export.layout import OutputLayout
from profilegen.generation.context import PositionContext, build_context
from profilegen.generation.engine import Engine, EventSink, RunReport, Task
from profilegen.generation.provider import OfflineProvider, Provider
from profilegen.journal import Journal, StateLock
from profilegen.kpi.catalog import KpiCatalog, load_catalog
from profilegen.kpi.mapping import Assignment, KpiMapper
from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure, UnitPath
from profilegen.org.selection import select_positions

MAX_EMPLOYEE_NAME = 100


@dataclass(slots=True)
class Inputs:
    """The org, its KPI catalog and every unit's KPI assignment."""

    org: OrgStructure
    catalog: KpiCatalog
    assignments: dict[UnitPath, Assignment]


@dataclass(slots=True)
class Selection:
    departments: list[str] | None = None  # None: the whole org
    position: str | None = None
    subunits: bool = True
    employee_name: str | None = None


@dataclass(slots=True)
class GenerateOptions:
    provider: str = "auto"
    force: bool = False
    dry_run: bool = False
    formats: list[str] = field(default_factory=lambda: ["json", "md"])


@dataclass(slots=True)
class GenerateResult:
    provider: str
    tasks: list[Task]
    report: RunReport | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def to_generate(self) -> list[Task]:
        return [t for t in self.tasks if t.action == "generate"]


def load_org_from_settings(settings: Settings) -> OrgStructure:
    return load_org(settings.resolved_org(), settings.excel.sheet, settings.excel.columns)


def load_inputs(settings: Settings) -> Inputs:
    org = load_org_from_settings(settings)
    catalog = load_catalog(settings.resolved_kpi_dir())
    return Inputs(org, catalog, KpiMapper(catalog).map_org(org))


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


def contexts_for(inputs: Inputs, selection: Selection, settings: Settings) -> list[PositionContext]:
    positions = select_positions(
        inputs.org, selection.departments, position=selection.position, subunits=selection.subunits
    )
    employee = check_employee_name(selection.employee_name)
    if employee and len(positions) != 1:
        raise SelectionError(f"--employee-name needs exactly one position, the selection has {len(positions)}")
    contexts = []
    for position in positions:
        assignment = inputs.assignments[position.unit_path]
        kpi_file = inputs.catalog.by_name(assignment.file) if assignment.file else None
        contexts.append(build_context(inputs.org, position, assignment, kpi_file, settings.head_titles, employee))
    return contexts


def choose_provider(settings: Settings, requested: str) -> tuple[Provider, list[str]]:
    """The provider to use and what to tell the user about the choice."""
    name = settings.provider if requested == "auto" and settings.provider != "auto" else requested
    if name == "auto":
        name = "openai" if api_key() else "offline"
        notice = [f"provider: {name} ({'API key found' if name == 'openai' else 'no API key set'})"]
    else:
        notice = []
    if name == "offline":
        return OfflineProvider(settings.language), notice
    raise InputError("the openai provider is not built yet; use --provider offline")


def generate(
    settings: Settings, selection: Selection, options: GenerateOptions, on_event: EventSink | None = None
) -> GenerateResult:
    """Take the state lock, plan the selection, and generate what is not up to date."""
    with StateLock(settings.state_dir) as lock:
        notices = [lock.taken_over] if lock.taken_over else []
        inputs = load_inputs(settings)
        contexts = contexts_for(inputs, selection, settings)
        provider, provider_notices = choose_provider(settings, options.provider)
        notices += provider_notices
        with Journal(settings.state_dir) as journal:
            recovered = journal.recover()
            if recovered:
                notices.append(f"{recovered} position(s) left running by an earlier run will be retried")
            layout = OutputLayout(inputs.org, settings.out)
            engine = Engine(
                provider,
                journal,
                layout,
                formats=options.formats,
                language=settings.language,
                concurrency=settings.concurrency,
                force=options.force,
                on_event=on_event,
            )
            tasks = engine.plan(contexts)
            result = GenerateResult(provider.name, tasks, notices=notices)
            if options.dry_run:
                return result
            run_id = journal.start_run(selection=_describe_selection(selection), provider=provider.name)
            if on_event:
                on_event("run_started", {"run_id": run_id, "positions": len(tasks), "provider": provider.name})
            try:
                result.report = asyncio.run(engine.run(tasks, run_id))
            except KeyboardInterrupt:
                journal.finish_run(run_id, outcome="interrupted")
                raise
            report = result.report
            outcome = "failed" if report.counts()["failed"] else "completed"
            journal.finish_run(run_id, outcome=outcome, counts=report.counts(), **report.totals())
            if on_event:
                on_event("run_finished", {"run_id": run_id, "outcome": outcome, **report.counts(), **report.totals()})
            return result


def _describe_selection(selection: Selection) -> dict[str, Any]:
    return {
        "departments": selection.departments,
        "position": selection.position,
        "subunits": selection.subunits,
        "employee": bool(selection.employee_name),
    }
