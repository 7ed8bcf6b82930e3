"""`profilegen freeze|unfreeze|diff`: keep reviewed positions, and see what regeneration would change."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import JsonOption, OrgOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS

Departments = Annotated[list[str], typer.Argument(help="Unit names or paths (sub-units included).")]
PositionOption = Annotated[str | None, typer.Option("--position", help="Only this title.")]


def freeze(departments: Departments, position: PositionOption = None, org: OrgOption = None) -> None:
    """Keep the selected positions from being regenerated until `unfreeze`."""
    from profilegen.review import set_frozen

    count = set_frozen(OPTIONS.settings(org=org), departments, position, frozen=True)
    print(f"froze {count} position(s)")


def unfreeze(departments: Departments, position: PositionOption = None, org: OrgOption = None) -> None:
    """Let frozen positions be regenerated again."""
    from profilegen.review import set_frozen

    count = set_frozen(OPTIONS.settings(org=org), departments, position, frozen=False)
    print(f"unfroze {count} position(s)")


def diff(
    departments: Departments,
    position: PositionOption = None,
    org: OrgOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Profiles folder (default: profiles/).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Section by section: the profile on disk against its `.new` file or the last generated version."""
    from profilegen.review import diff_positions

    results = diff_positions(OPTIONS.settings(org=org, out=out), departments, position)
    if as_json:
        emit_json([r.as_json() for r in results])
        return
    for result in results:
        print(f"{' / '.join(result.unit_path)} — {result.title}")
        if result.note:
            print(f"  {result.note}")
        if result.sections:
            print(f"  on disk → {result.compared_with}:")
        for section in result.sections:
            print(f"  [{section.section}]")
            for item in section.removed:
                print(f"    - {item}")
            for item in section.added:
                print(f"    + {item}")
            for item in section.changed:
                print(f"    ~ {item}")


def register(app: typer.Typer) -> None:
    app.command("freeze", epilog='Example: profilegen freeze "Отдел CRM" --position "Аналитик"')(freeze)
    app.command("unfreeze", epilog='Example: profilegen unfreeze "Отдел CRM"')(unfreeze)
    app.command("diff", epilog='Example: profilegen diff "Отдел CRM" --position "Аналитик" --json')(diff)
