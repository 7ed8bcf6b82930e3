"""Option declarations shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from profilegen.errors import InputError

if TYPE_CHECKING:
    from profilegen.inputs import Selection

OrgOption = Annotated[
    Path | None,
    typer.Option("--org", help="Org file (.xlsx, .xls, .csv, .yaml, .json), or a folder holding one."),
]
KpiDirOption = Annotated[Path | None, typer.Option("--kpi-dir", help="KPI folder (default: kpi/).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
SheetOption = Annotated[str | None, typer.Option("--sheet", help="Excel sheet to read.")]
OutOption = Annotated[Path | None, typer.Option("--out", help="Profiles folder (default: profiles/).")]
StateDirOption = Annotated[
    Path | None, typer.Option("--state-dir", help="Journal folder (default: OUT/.profilegen/), bound to one OUT.")
]
EmployeeOption = Annotated[
    str | None, typer.Option("--employee-name", help="The personal profile of this employee (one position).")
]
DepartmentOption = Annotated[
    list[str] | None, typer.Option("--department", "-d", help="Unit name or path; repeatable.")
]
AllOption = Annotated[bool, typer.Option("--all", help="Every position of the organisation.")]
PositionOption = Annotated[str | None, typer.Option("--position", help="Only this title within the selection.")]
TemplateOption = Annotated[
    str | None, typer.Option("--template", help="The profile's form: a101 (default), en, or a template file.")
]
NoSubunitsOption = Annotated[bool, typer.Option("--no-subunits", help="Only the named units, not their children.")]


def selection(
    department: list[str] | None, all_units: bool, position: str | None, employee_name: str | None, no_subunits: bool
) -> Selection:
    """The positions a command works on: `-d UNIT...` or `--all` (one of them), narrowed by the rest."""
    from profilegen.inputs import Selection

    if bool(department) == all_units:
        raise InputError("choose --department NAME (repeatable) or --all")
    return Selection(
        departments=None if all_units else list(department or []),
        position=position,
        subunits=not no_subunits,
        employee_name=employee_name,
    )
