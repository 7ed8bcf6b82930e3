"""Option declarations shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OrgOption = Annotated[Path | None, typer.Option("--org", help="Org file (.xlsx, .yaml, .json) or folder.")]
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
