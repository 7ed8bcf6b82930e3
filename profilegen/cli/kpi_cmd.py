"""`profilegen kpi map|explain`: which KPI file every unit gets, and why."""

from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any

import typer

from profilegen.cli.options import JsonOption, KpiDirOption, OrgOption, SheetOption
from profilegen.cli.output import emit_json, info, table, warn
from profilegen.cli.state import OPTIONS
from profilegen.kpi.model import KpiSource
from profilegen.org.model import format_path

if TYPE_CHECKING:
    from profilegen.kpi.mapping import Assignment

app = typer.Typer(help="KPI files: mapping to units and explanations.", no_args_is_help=True)


def mapping_json(assignments: dict[Any, "Assignment"]) -> dict[str, Any]:
    counts = Counter(a.source.value for a in assignments.values())
    total = len(assignments) or 1
    return {
        "units": [
            {
                "path": list(a.path),
                "source": a.source.value,
                "file": a.file,
                "inherited_from": list(a.inherited_from) if a.inherited_from else None,
                "reason": a.reason,
            }
            for a in assignments.values()
        ],
        "coverage": {s.value: counts.get(s.value, 0) for s in KpiSource},
        "coverage_percent": {s.value: round(100 * counts.get(s.value, 0) / total, 1) for s in KpiSource},
        "conflicts": [
            {"kind": "file", "path": list(a.path), "files": a.conflict} for a in assignments.values() if a.conflict
        ],
    }


@app.command("map", epilog="Example: profilegen kpi map --org Structure.xlsx --kpi-dir kpi --json")
def map_units(
    org: OrgOption = None, sheet: SheetOption = None, kpi_dir: KpiDirOption = None, as_json: JsonOption = False
) -> None:
    """Every unit with its KPI source, file, inherited-from and reason; coverage per source."""
    from profilegen.inputs import load_inputs

    inputs = load_inputs(OPTIONS.with_org(org=org, sheet=sheet, kpi_dir=kpi_dir))
    for message in inputs.catalog.notices:
        info(message)
    data = mapping_json(inputs.assignments)
    data.update(cards_json(inputs))
    if as_json:
        emit_json(data)
        return
    rows = [[format_path(a.path), a.source.value, a.file, a.reason] for a in inputs.assignments.values()]
    table(["unit", "source", "file", "reason"], rows)
    cover = ", ".join(f"{k} {v} ({data['coverage_percent'][k]}%)" for k, v in data["coverage"].items())
    info(f"coverage: {cover}")  # stdout stays the table alone (TSV when piped): what HR must fix is a warning
    for conflict in data["conflicts"]:
        if conflict["kind"] == "file":
            warn(f"conflict: {format_path(conflict['path'])}: {', '.join(conflict['files'])}")
        else:
            where = format_path((*conflict["position"]["unit_path"], conflict["position"]["title"]))
            cards = ", ".join(_card_name(c) for c in conflict["cards"])
            warn(f"card conflict: {where}: {cards}; chosen {_card_name(conflict['chosen'])}")
    for item in data["ambiguous"]:
        entry = f"file: {item['file']}, sheet: {item['sheet']}, column: {item['column']}, unit: UNIT"
        warn(
            f"ambiguous card: {_card_name(item)} '{item['title']}' fits {len(item['candidates'])} positions; add to"
            f"\n  mapping.yaml cards: - {{{entry}}}"
        )
    for item in data["inconsistent_cards"]:
        warn(f"inconsistent card: {_card_name(item)} '{item['title']}': weights sum to {item['weight_sum']}, not 1")
    for item in data["repeated_kpis"]:
        times = "twice" if item["times"] == 2 else f"{item['times']} times"
        warn(f"repeated KPI: {_card_name(item)} '{item['title']}': «{item['kpi']}» {times}")
    positions = ", ".join(f"{k} {v}" for k, v in data["positions"].items())
    info(f"positions by KPI source: {positions}")


def _unit_cards(inputs: Any, path: tuple[str, ...]) -> list[dict[str, Any]]:
    """The workbook card each position of the unit holds, and why (its sheet's coverage; a conflict's rule)."""
    found = []
    for position in inputs.org.units[path].positions:
        card = inputs.cards.card_for(position)
        if card is None:
            continue
        _, why = inputs.cards.coverage[(card.file, card.sheet)]
        reason = f"the column's title is the position's; the sheet covers it ({why})"
        if any(c.position == position for c in inputs.cards.conflicts):
            reason += "; chosen over its other card(s): the sheet that covers fewer units wins"
        found.append(
            {
                "position": position.title,
                "file": card.file,
                "sheet": card.sheet,
                "column": card.column,
                "reason": reason,
            }
        )
    return found


def _card_name(card: dict[str, Any]) -> str:
    return f"{card['file']} / {card['sheet']} / {card['column']}"


def cards_json(inputs: Any) -> dict[str, Any]:
    """The workbook cards: ambiguous columns with their candidates, conflicts, and KPI coverage per position."""
    from profilegen.generation.facts import kpi_kind
    from profilegen.inputs import position_kpis

    def card(c: Any) -> dict[str, Any]:
        return {"file": c.file, "sheet": c.sheet, "column": c.column, "title": c.title}

    cards = inputs.cards
    counts: Counter[str] = Counter()
    for position in inputs.org.positions():  # the KPI part of each context alone: no careers, no roles
        kpis, origin, _ = position_kpis(inputs, position)
        counts[kpi_kind(bool(kpis.kpis), origin, kpis.scope)] += 1
    return {
        "ambiguous": [
            {
                **card(a.card),
                "candidates": [{"title": p.title, "unit_path": list(p.unit_path)} for p in a.candidates],
            }
            for a in cards.ambiguous
        ],
        "unmatched_cards": [card(c) for c in cards.unmatched],
        "inconsistent_cards": [
            {**card(c), "weight_sum": c.weight_sum}
            for workbook in inputs.catalog.workbooks
            for c in workbook.cards
            if not c.consistent
        ],
        "repeated_kpis": [  # one KPI listed twice in a card (a row copied): HR's to fix, kept as HR made it
            {**card(c), "kpi": name, "times": times}
            for workbook in inputs.catalog.workbooks
            for c in workbook.cards
            for name, times in Counter(" ".join(k.name.split()) for k in c.kpis).items()
            if times > 1
        ],
        "conflicts": [
            {
                "kind": "card",
                "position": {"title": c.position.title, "unit_path": list(c.position.unit_path)},
                "cards": [card(x) for x in c.cards],
                "chosen": card(c.chosen),
            }
            for c in cards.conflicts
        ],
        "positions": {k: counts.get(k, 0) for k in ("position", "department", "template", "none")},
    }


@app.command("explain", epilog='Example: profilegen kpi explain "Департамент закупок"')
def explain(
    departments: Annotated[list[str], typer.Argument(metavar="DEPARTMENT", help="Unit names or paths.")],
    org: OrgOption = None,
    sheet: SheetOption = None,
    kpi_dir: KpiDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """The steps taken for a unit: which rules matched and why the winner won."""
    from profilegen.inputs import load_inputs
    from profilegen.kpi.mapping import KpiMapper
    from profilegen.org.selection import UnitIndex

    inputs = load_inputs(OPTIONS.with_org(org=org, sheet=sheet, kpi_dir=kpi_dir))
    mapper = KpiMapper(inputs.catalog)
    index = UnitIndex(inputs.org)
    reports = []
    for query in departments:
        path = index.resolve(query)
        assignment = inputs.assignments[path]
        explicit = mapper.explicit(path)
        candidates = mapper.smart_candidates(path)
        reports.append(
            {
                "path": list(path),
                "explicit": explicit[0] if explicit else None,
                "smart_candidates": [
                    {"file": c.file, "rule": c.rule, "detail": c.detail, "specificity": list(c.rank)}
                    for c in candidates
                ],
                "result": mapping_json({path: assignment})["units"][0],
                "cards": _unit_cards(inputs, path),
            }
        )
    if as_json:
        emit_json(reports)
        return
    for report in reports:
        print(format_path(report["path"]))
        print(f"  1. explicit (mapping.yaml): {report['explicit'] or 'no entry'}")
        if report["smart_candidates"]:
            print("  2. smart matches:")
            for c in report["smart_candidates"]:
                print(f"     - {c['file']}: {c['rule']} — {c['detail']} (specificity {c['specificity']})")
        else:
            print("  2. smart: no file's department, code or alias matches the unit's own name")
        result = report["result"]
        print(f"  => {result['source']}: {result['file'] or '(none)'} — {result['reason']}")
        for card in report["cards"]:
            print(f"  card of {card['position']}: {_card_name(card)} — {card['reason']}")
