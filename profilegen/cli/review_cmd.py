"""`profilegen freeze|unfreeze|diff`: keep reviewed positions, and see what regeneration would change."""

from __future__ import annotations

from typing import Annotated

import typer

from profilegen.cli.options import JsonOption, OrgOption, OutOption
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
    out: OutOption = None,
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


def accept(
    departments: Departments,
    position: PositionOption = None,
    org: OrgOption = None,
    out: OutOption = None,
) -> None:
    """Put the pending `.new` versions in place (the files they replace are kept as `.bak`)."""
    from profilegen.review import accept_new

    result = accept_new(OPTIONS.settings(org=org, out=out), departments, position)
    for path in result.accepted:
        print(f"accepted: {path}")
    print(f"accepted {len(result.accepted)} file(s); previous versions kept as .bak")


def reject(
    departments: Departments,
    position: PositionOption = None,
    org: OrgOption = None,
    out: OutOption = None,
) -> None:
    """Drop the pending `.new` versions and freeze those positions, so the edited files stand."""
    from profilegen.review import reject_new

    result = reject_new(OPTIONS.settings(org=org, out=out), departments, position)
    print(f"rejected {len(result.rejected)} file(s); their positions are frozen (profilegen unfreeze to undo)")


def prune(
    org: OrgOption = None,
    out: OutOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would move; move nothing.")] = False,
) -> None:
    """Move profiles of positions no longer in the org to OUT/.archive/<date>/ (nothing is deleted)."""
    from profilegen.housekeeping import prune as run_prune

    result = run_prune(OPTIONS.settings(org=org, out=out), dry_run=dry_run)
    verb = "would move" if dry_run else "moved"
    for source, _target in result.moved:
        print(f"{verb}: {source}")
    print(f"{verb} {len(result.moved)} file(s) of {result.positions} orphan profile(s) to {result.archive}")


def register(app: typer.Typer) -> None:
    app.command("accept", epilog='Example: profilegen accept "Отдел CRM" --position "Аналитик"')(accept)
    app.command("reject", epilog='Example: profilegen reject "Отдел CRM" --position "Аналитик"')(reject)
    app.command("prune", epilog="Example: profilegen prune --dry-run")(prune)
    app.command("freeze", epilog='Example: profilegen freeze "Отдел CRM" --position "Аналитик"')(freeze)
    app.command("unfreeze", epilog='Example: profilegen unfreeze "Отдел CRM"')(unfreeze)
    app.command("diff", epilog='Example: profilegen diff "Отдел CRM" --position "Аналитик" --json')(diff)
