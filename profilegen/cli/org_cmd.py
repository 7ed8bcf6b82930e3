"""`profilegen org show|validate`."""

from typing import TYPE_CHECKING, Annotated, Any

import typer

from profilegen.cli.options import JsonOption, OrgOption, SheetOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS
from profilegen.org.loader import load_org_with_problems
from profilegen.org.model import OrgStructure, Unit
from profilegen.text import plural

if TYPE_CHECKING:
    from profilegen.org.roles import Roles

app = typer.Typer(help="Look at the organisation structure.", no_args_is_help=True)


def _load(org: Any, sheet: str | None) -> tuple[OrgStructure, list[Any], "Roles"]:
    from profilegen.inputs import roles_for

    settings = OPTIONS.with_org(org=org)
    excel = settings.excel
    assert settings.org is not None
    structure, problems = load_org_with_problems(settings.org, sheet or excel.sheet, excel.columns)
    return structure, problems, roles_for(structure, settings)


def org_json(org: OrgStructure, roles: "Roles", depth: int | None = None) -> dict[str, Any]:
    units = [u for u in org.units.values() if depth is None or u.depth <= depth]

    def head(unit: Unit) -> dict[str, Any] | None:
        choice = roles.heads.get(unit.path)
        if choice is None:
            return None
        return {"title": choice.position.title, "reason": choice.reason, "tied_with": list(choice.tied)}

    return {
        "source": org.source,
        "units": [
            {
                "path": list(u.path),
                "code": u.code,
                "positions": [{"title": p.title, "headcount": p.headcount} for p in u.positions],
                "headcount": u.headcount,
                "headcount_with_subunits": org.total_headcount(u.path),
                "head": head(u),
            }
            for u in units
        ],
        "totals": {
            "units": len(org.units),
            "positions": sum(len(u.positions) for u in org.units.values()),
            "headcount": sum(u.headcount for u in org.units.values()),
        },
    }


@app.command("show", epilog="Example: profilegen org show --org org_structure/sample.xlsx --depth 2")
def show(
    org: OrgOption = None,
    sheet: SheetOption = None,
    depth: Annotated[int | None, typer.Option("--depth", min=1, help="Show units down to this depth.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Tree of units: own positions, headcount with sub-units, and the head of each unit."""
    structure, _, roles = _load(org, sheet)
    if as_json:
        emit_json(org_json(structure, roles, depth))
        return
    totals = org_json(structure, roles, 1)["totals"]
    # plain lines: a terminal folds a long one, a pipe gets it whole (numbers are never cut)
    print(
        f"{structure.source} — {plural(totals['units'], 'unit')}, "
        f"{plural(totals['positions'], 'position')} (unit and title pairs), headcount {totals['headcount']:,}"
    )

    def add(unit: Unit, prefix: str, last: bool) -> None:
        choice = roles.heads.get(unit.path)
        head = f"; head: {choice.position.title}" if choice is not None else "; no head"
        own = plural(len(unit.positions), "own position")
        print(
            f"{prefix}{'└── ' if last else '├── '}{unit.name} "
            f"({own}, headcount {structure.total_headcount(unit.path):,} with sub-units{head})"
        )
        if depth is None or unit.depth < depth:
            children = unit.children
            for i, child in enumerate(children):
                add(structure.units[child], prefix + ("    " if last else "│   "), i == len(children) - 1)

    roots = structure.roots
    for i, unit in enumerate(roots):
        add(unit, "", i == len(roots) - 1)


@app.command("validate", epilog="Example: profilegen org validate --org Structure.xlsx --json")
def validate(org: OrgOption = None, sheet: SheetOption = None, as_json: JsonOption = False) -> None:
    """Problems in the org file (level gaps, duplicate codes, empty titles...); exit 1 if any.

    Units whose head is a guess between equals, or that have no head, are listed as warnings.
    """
    structure, problems, roles = _load(org, sheet)
    warnings = roles.problems()
    if as_json:
        emit_json(
            {
                "source": structure.source,
                "problems": [{"kind": p.kind, "message": p.message, "where": p.where} for p in problems],
                "warnings": [{"kind": p.kind, "message": p.message, "where": p.where} for p in warnings],
                "units": len(structure.units),
            }
        )
    else:
        for problem in problems:
            print(problem)
        for warning in warnings:
            print(f"warning: {warning}")
        print(
            f"{plural(len(problems), 'problem')}, {plural(len(warnings), 'warning')} about heads "
            f"in {structure.source} ({plural(len(structure.units), 'unit')})"
        )
    if problems:
        raise typer.Exit(1)
