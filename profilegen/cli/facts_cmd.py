"""`profilegen facts`: every fact profilegen has for the selected positions, with reasons — no model called."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import Any

from profilegen.cli.options import (
    AllOption,
    DepartmentOption,
    EmployeeOption,
    JsonOption,
    KpiDirOption,
    NoSubunitsOption,
    OrgOption,
    PositionOption,
    SheetOption,
    selection,
)
from profilegen.cli.output import emit_encoded_lines_list, warn
from profilegen.cli.state import OPTIONS
from profilegen.kpi.model import target_text
from profilegen.org.model import format_path
from profilegen.text import counted

EPILOG = """Examples:
  profilegen facts -d "Группа архитекторов №1"
  profilegen facts --all --json > facts.json"""

LABELS = {
    "ru": {
        "language": "ru",  # whose word forms a count takes
        "head": "руководитель подразделения",
        "category": "Категория",
        "manager": "Руководитель",
        "deputy": "Замещает",
        "subordinates": "Подчиненные",
        "feeders": "Карьера — откуда приходят",
        "targets": "Карьера — куда растут",
        "competencies": "Компетенции",
        "kpis": "КПЭ",
        "weight": "вес",
        "none": "нет",
        "context": "Документы компании",
        "no_context": "нет (context.documents в настройках)",
        "cut": "сокращён по бюджету",
        "left_out": "не вошёл в бюджет",
        "sub": "подразделений {units}, прямых подчиненных {direct_reports}, всего в подчинении {headcount_below}",
    },
    "en": {
        "language": "en",
        "head": "heads the unit",
        "category": "Category",
        "manager": "Manager",
        "deputy": "Deputises",
        "subordinates": "Subordinates",
        "feeders": "Career — comes from",
        "targets": "Career — grows to",
        "competencies": "Competencies",
        "kpis": "KPIs",
        "weight": "weight",
        "none": "none",
        "context": "Company documents",
        "no_context": "none (context.documents in the settings)",
        "cut": "cut to the budget",
        "left_out": "left out by the budget",
        "sub": "units {units}, direct reports {direct_reports}, headcount below {headcount_below}",
    },
}


def facts(
    department: DepartmentOption = None,
    all_units: AllOption = False,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    kpi_dir: KpiDirOption = None,
    no_subunits: NoSubunitsOption = False,
    as_json: JsonOption = False,
) -> None:
    """Every fact the model will be told about each selected position, with the reason it was chosen."""
    from profilegen.company.documents import unread_notices
    from profilegen.forking import in_two
    from profilegen.generation.facts import position_facts
    from profilegen.inputs import ContextMaker, iter_contexts, load_inputs, positions_for
    from profilegen.jsontext import compact
    from profilegen.org.model import Position
    from profilegen.workspace import state_dir

    chosen = selection(department, all_units, position, employee_name, no_subunits)
    settings = OPTIONS.with_org(org=org, sheet=sheet, kpi_dir=kpi_dir)
    state = state_dir(settings)  # a project's OUT keeps the org as last parsed (100,000 rows: 2–3 s to parse)
    inputs = load_inputs(settings, remember_in=state if state.is_dir() else None)
    for message in unread_notices(settings.documents):
        warn(message)
    positions, employee = positions_for(inputs, chosen)
    # one per process, its memos kept from one stretch of the list to the next
    maker = functools.cache(lambda: ContextMaker(inputs, settings, employee))

    def found(part: Sequence[Position]) -> Iterator[dict[str, Any]]:
        return (position_facts(c) for c in iter_contexts(inputs, chosen, settings, (list(part), employee), maker()))

    if as_json:  # written as they are made (memory of one position's facts); a long list on two cores
        emit_encoded_lines_list(in_two(positions, lambda part: (compact(item) for item in found(part))))
        return
    from profilegen.template.loader import load_template

    labels = LABELS["en" if settings.language == "en" else "ru"]
    texts = load_template(settings.template, settings.language).texts  # a career move's track in the form's words
    labels = labels | {k: v for k, v in texts.items() if k.startswith("track_")}
    for item in in_two(positions, found):
        print(_block(item, labels))


def _block(item: dict[str, Any], labels: dict[str, str]) -> str:
    position = item["position"]
    lines = [f"{position['title']} — {format_path(tuple(position['unit_path']))}"]
    if item["is_head"]:
        lines.append(f"  ({labels['head']}: {item['head_reason']})")
    lines.append(f"  {labels['category']}: {item['category']['label']} — {item['category']['reason']}")
    manager = item["manager"]
    if manager is not None:
        where = format_path(tuple(manager["unit_path"]))
        lines.append(f"  {labels['manager']}: {manager['title']} ({where}) — {manager['reason']}")
    if item["deputy_of"]:
        lines.append(f"  {labels['deputy']}: {item['deputy_of']}")
    lines.append(f"  {labels['subordinates']}: {labels['sub'].format(**item['subordinates'])}")
    for kind in ("feeders", "targets"):
        candidates = item["career"][kind]
        lines.append(f"  {labels[kind]}:" + ("" if candidates else f" {labels['none']}"))
        lines += [
            f"    - {c['title']} ({format_path(tuple(c['unit_path'][-2:]))}) "
            f"[{labels.get('track_' + c['track'], c['track'])}] — {c['reason']}"
            for c in candidates
        ]
    lines.append(f"  {labels['competencies']}: {', '.join(item['competencies'])}")
    kpis = item["kpis"]
    lines.append(f"  {labels['kpis']}: {kpis['source']}, {len(kpis['items'])} ({kpis['file'] or labels['none']})")
    lines += [f"    - {_kpi(kpi, labels)}" for kpi in kpis["items"]]
    lines += [f"    {note}" for note in kpis["notes"]]
    sections = item.get("context") or []
    lines.append(f"  {labels['context']}:" + ("" if sections else f" {labels['no_context']}"))
    lines += [f"    - {c['file']}: {c['section']} — {_sent(c, labels)}" for c in sections]
    return "\n".join(lines) + "\n"


def _sent(section: dict[str, Any], labels: dict[str, str]) -> str:
    """What a request carries of a section: its tokens, cut to the budget, or nothing."""
    if not section["tokens"]:
        return labels["left_out"]
    said = counted(labels["language"], section["tokens"], ("token", "tokens"), ("токен", "токена", "токенов"))
    return said + (f", {labels['cut']}" if section["cut"] else "")


def _kpi(kpi: dict[str, Any], labels: dict[str, str]) -> str:
    """One KPI as a line: its name, then its target with its unit, its period and its weight, where it has them."""
    target = target_text(str(kpi.get("target") or ""), str(kpi.get("unit") or ""))
    weight = f"{labels['weight']} {kpi['weight']:g}" if isinstance(kpi.get("weight"), int | float) else ""
    said = ", ".join(part for part in (target, kpi.get("period") or "", weight) if part)
    line = f"{kpi['name']} — {said}" if said else str(kpi["name"])
    return " ".join(line.split())  # a target HR wrote over several lines, on one
