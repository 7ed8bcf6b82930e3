"""`profilegen org show|validate`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from profilegen.cli.options import JsonOption, OrgOption, SheetOption
from profilegen.cli.output import emit_json, stdout
from profilegen.cli.state import OPTIONS
from profilegen.org.loader import load_org_with_problems
from profilegen.org.model import OrgStructure, Unit

app = typer.Typer(help="Look at the organisation structure.", no_args_is_help=True)


def _load(org: Any, sheet: str | None) -> tuple[OrgStructure, list[Any]]:
    settings = OPTIONS.with_org(org=org)
    excel = settings.excel
    assert settings.org is not None
    return load_org_with_problems(settings.org, sheet or excel.sheet, excel.columns)


def org_json(org: OrgStructure, depth: int | None = None) -> dict[str, Any]:
    units = [u for u in org.units.values() if depth is None or u.depth <= depth]
    return {
        "source": org.source,
        "units": [
            {
                "path": list(u.path),
                "code": u.code,
                "positions": [{"title": p.title, "headcount": p.headcount} for p in u.positions],
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
    """Tree of units with position counts and headcount."""
    structure, _ = _load(org, sheet)
    if as_json:
        emit_json(org_json(structure, depth))
        return
    from rich.tree import Tree

    data = org_json(structure)["totals"]
    root = Tree(
        f"[bold]{structure.source}[/] — {data['units']} units, {data['positions']} positions, "
        f"headcount {data['headcount']}"
    )

    def add(branch: Tree, unit: Unit) -> None:
        total = structure.total_headcount(unit.path)
        node = branch.add(f"{unit.name} [dim]({len(unit.positions)} positions, headcount {total})[/]")
        if depth is None or unit.depth < depth:
            for child in unit.children:
                add(node, structure.units[child])

    for unit in structure.roots:
        add(root, unit)
    stdout().print(root)


@app.command("validate", epilog="Example: profilegen org validate --org Structure.xlsx --json")
def validate(org: OrgOption = None, sheet: SheetOption = None, as_json: JsonOption = False) -> None:
    """Problems in the org file (level gaps, duplicate codes, empty titles...); exit 1 if any."""
    structure, problems = _load(org, sheet)
    if as_json:
        emit_json(
            {
                "source": structure.source,
                "problems": [{"kind": p.kind, "message": p.message, "where": p.where} for p in problems],
                "units": len(structure.units),
            }
        )
    else:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {structure.source} ({len(structure.units)} units)")
    if problems:
        raise typer.Exit(1)
