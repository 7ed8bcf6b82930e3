"""`profilegen freeze|unfreeze|approve|unapprove|diff|accept|reject|prune`: review and tidy the profiles in OUT."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from profilegen.cli.options import (
    EmployeeOption,
    JsonOption,
    NoSubunitsOption,
    OrgOption,
    OutOption,
    SheetOption,
    StateDirOption,
)
from profilegen.cli.output import done, emit_json, warn
from profilegen.cli.state import OPTIONS
from profilegen.text import plural

if TYPE_CHECKING:
    from profilegen.inputs import Selection

Departments = Annotated[
    list[str], typer.Argument(metavar="DEPARTMENT", help="Unit names or paths (sub-units included).")
]
PositionOption = Annotated[str | None, typer.Option("--position", help="Only this title.")]
MAX_LISTED = 10


def _chosen(departments: list[str], position: str | None, employee_name: str | None, no_subunits: bool) -> "Selection":
    """The positions a review command names: its units (their sub-units too unless `--no-subunits`), a title, an
    employee's personal profile (the library loads only when a command runs)."""
    from profilegen.inputs import Selection

    return Selection(departments, position, not no_subunits, employee_name)


def _left_out(personal: list[str]) -> None:
    """Say which personal profiles a command did not touch, and how to reach them."""
    if not personal:
        return
    more = len(personal) - MAX_LISTED
    shown = "; ".join(personal[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")
    warn(f"{plural(len(personal), 'personal profile')} not included (add --employee-name NAME for one): {shown}")


def _freezing(frozen: bool) -> Callable[..., None]:
    """`freeze` or `unfreeze`: the same command, setting the flag one way or the other."""
    verb = "froze" if frozen else "unfroze"

    def command(
        departments: Departments,
        position: PositionOption = None,
        employee_name: EmployeeOption = None,
        org: OrgOption = None,
        sheet: SheetOption = None,
        out: OutOption = None,
        state_dir: StateDirOption = None,
        no_subunits: NoSubunitsOption = False,
    ) -> None:
        from profilegen.review import set_frozen

        settings, state = OPTIONS.for_out(write=True, org=org, sheet=sheet, out=out, state_dir=state_dir)
        result = set_frozen(settings, state, _chosen(departments, position, employee_name, no_subunits), frozen)
        print(f"{verb} {plural(result.changed, 'position')}")
        _left_out(result.personal)

    command.__doc__ = (
        "Keep the selected positions from being regenerated until `unfreeze`."
        if frozen
        else "Let frozen positions be regenerated again."
    )
    return command


ByOption = Annotated[str, typer.Option("--by", help="Who approves (recorded with the approval).")]
NoteOption = Annotated[str, typer.Option("--note", help="A note recorded with the approval.")]


def approve(
    departments: Departments,
    by: ByOption,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    note: NoteOption = "",
    no_subunits: NoSubunitsOption = False,
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
) -> None:
    """Sign off the selected profiles as they are on disk: approved profiles are frozen, and need approval
    again once their file changes."""
    from profilegen.approval import set_approval

    if not by.strip():
        raise typer.BadParameter("say who approves", param_hint="--by")
    settings, state = OPTIONS.for_out(write=True, org=org, sheet=sheet, out=out, state_dir=state_dir)
    chosen = _chosen(departments, position, employee_name, no_subunits)
    result = set_approval(settings, state, chosen, approve=True, by=by, note=note)
    print(f"approved {plural(result.changed, 'profile')}")
    if result.missing:
        more = len(result.missing) - MAX_LISTED
        shown = "; ".join(result.missing[:MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")
        warn(f"{plural(len(result.missing), 'position')} not generated yet, nothing to approve: {shown}")
    _left_out(result.personal)


def unapprove(
    departments: Departments,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    no_subunits: NoSubunitsOption = False,
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
) -> None:
    """Take approvals back (a position frozen before its approval stays frozen)."""
    from profilegen.approval import set_approval

    settings, state = OPTIONS.for_out(write=True, org=org, sheet=sheet, out=out, state_dir=state_dir)
    result = set_approval(settings, state, _chosen(departments, position, employee_name, no_subunits), approve=False)
    print(f"unapproved {plural(result.changed, 'profile')}")
    _left_out(result.personal)


def diff(
    departments: Departments,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    as_json: JsonOption = False,
    no_subunits: NoSubunitsOption = False,
) -> None:
    """Section by section: the profile on disk against its `.new` file or the last generated version."""
    from profilegen.review import diff_positions

    settings, state = OPTIONS.for_out(write=False, org=org, sheet=sheet, out=out, state_dir=state_dir)
    result = diff_positions(settings, state, _chosen(departments, position, employee_name, no_subunits))
    if as_json:
        emit_json([r.as_json() for r in result.positions])
        _left_out(result.personal)
        return
    for item in result.positions:
        print(f"{' / '.join(item.unit_path)} — {item.title}")
        if item.note:
            print(f"  {item.note}")
        if item.sections:
            print(f"  on disk → {item.compared_with}:")
        for section in item.sections:
            print(f"  [{section.section}]")
            for line in section.removed:
                print(f"    - {line}")
            for line in section.added:
                print(f"    + {line}")
            for line in section.changed:
                print(f"    ~ {line}")
    _left_out(result.personal)


def accept(
    departments: Departments,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    no_subunits: NoSubunitsOption = False,
) -> None:
    """Put the pending `.new` versions in place (the files they replace are kept as `.bak`)."""
    from profilegen.review import accept_new

    settings, state = OPTIONS.for_out(write=True, org=org, sheet=sheet, out=out, state_dir=state_dir)
    result = accept_new(settings, state, _chosen(departments, position, employee_name, no_subunits))
    for path in result.accepted:
        print(f"accepted: {path}")
    print(f"accepted {plural(len(result.accepted), 'file')}; previous versions kept as .bak")
    _left_out(result.personal)


def reject(
    departments: Departments,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    no_subunits: NoSubunitsOption = False,
) -> None:
    """Drop the pending `.new` versions and freeze those positions, so the edited files stand."""
    from profilegen.review import reject_new

    settings, state = OPTIONS.for_out(write=True, org=org, sheet=sheet, out=out, state_dir=state_dir)
    result = reject_new(settings, state, _chosen(departments, position, employee_name, no_subunits))
    print(f"rejected {plural(len(result.rejected), 'file')}; their positions are frozen (profilegen unfreeze to undo)")
    _left_out(result.personal)


def prune(
    org: OrgOption = None,
    sheet: SheetOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would move; move nothing.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Archive even when more than half of the profiles would move.")
    ] = False,
) -> None:
    """Move profiles of positions no longer in the org to OUT/.archive/<date>/ (nothing is deleted)."""
    from profilegen.housekeeping import prune as run_prune

    settings, state = OPTIONS.for_out(write=not dry_run, org=org, sheet=sheet, out=out, state_dir=state_dir)
    result = run_prune(settings, state, dry_run=dry_run, force=force)
    for path in result.unreadable:
        warn(f"{path}: unreadable profile JSON, left where it is")
    verb = "would move" if dry_run else "moved"
    say = print if dry_run else done  # what would move is the answer; what moved, a report --quiet leaves out
    for source, _target in result.moved:
        say(f"{verb}: {source}")
    say(
        f"{verb} {plural(len(result.moved), 'file')} of {plural(result.positions, 'orphan profile')} "
        f"(of {result.total} in the folder) to {result.archive}"
    )


def register(app: typer.Typer) -> None:
    app.command("diff", epilog='Example: profilegen diff "Отдел CRM" --position "Аналитик" --json')(diff)
    app.command("accept", epilog='Example: profilegen accept "Отдел CRM" --position "Аналитик"')(accept)
    app.command("reject", epilog='Example: profilegen reject "Отдел CRM" --position "Аналитик"')(reject)
    app.command("approve", epilog='Example: profilegen approve "Отдел CRM" --by "Иванова А.А." --note "ок"')(approve)
    app.command("unapprove", epilog='Example: profilegen unapprove "Отдел CRM" --position "Аналитик"')(unapprove)
    app.command("freeze", epilog='Example: profilegen freeze "Отдел CRM" --position "Аналитик"')(_freezing(True))
    app.command("unfreeze", epilog='Example: profilegen unfreeze "Отдел CRM"')(_freezing(False))
    app.command("prune", epilog="Example: profilegen prune --dry-run")(prune)
