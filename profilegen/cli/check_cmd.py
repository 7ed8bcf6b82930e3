"""`profilegen check`: findings HR would reject in the profiles on disk — no model called; exit 1 on errors."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import (
    AllOption,
    DepartmentOption,
    JsonOption,
    KpiDirOption,
    NoSubunitsOption,
    OrgOption,
    OutOption,
    PositionOption,
    SheetOption,
    StateDirOption,
    selection,
)
from profilegen.cli.output import emit_json, info, warn
from profilegen.cli.state import OPTIONS
from profilegen.text import plural

EPILOG = """Examples:
  profilegen check --all
  profilegen check -d "Отдел CRM" --json
  profilegen check --all --xlsx findings.xlsx"""


def check(
    department: DepartmentOption = None,
    all_units: AllOption = False,
    position: PositionOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    kpi_dir: KpiDirOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    no_subunits: NoSubunitsOption = False,
    as_json: JsonOption = False,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Also write the findings to this workbook.")] = None,
    unapproved: Annotated[
        bool, typer.Option("--unapproved", help="Only profiles not approved as they are now (see approve).")
    ] = False,
) -> None:
    """Findings HR would reject in the selected profiles (generic phrases, empty sections, facts that changed,
    near-duplicates...); exit 1 on any error-level finding."""
    from profilegen.checking.run import check_profiles

    chosen = selection(department, all_units, position, None, no_subunits)
    settings, state = OPTIONS.for_out(write=False, org=org, sheet=sheet, kpi_dir=kpi_dir, out=out, state_dir=state_dir)
    result = check_profiles(settings, chosen, state, unapproved)
    for problem in result.unreadable:
        warn(problem)
    if xlsx is not None:
        from profilegen.checking.workbook import write_findings

        write_findings(xlsx, result.findings, result.language)
        info(f"findings written to {xlsx}")
    summary = result.summary()
    if as_json:
        emit_json({"findings": [f.as_json() for f in result.findings], "summary": summary})
    else:
        last = None
        for item in result.findings:
            where = (item.unit_path, item.title, item.employee)
            if where != last:
                employee = f" ({item.employee})" if item.employee else ""
                print(f"{' / '.join(item.unit_path)} — {item.title}{employee}")
                last = where
            print(f"  {item.finding.severity} {item.finding.rule}: {item.finding.detail}")
        rules = ", ".join(f"{rule} {n}" for rule, n in summary["by_rule"].items())
        print(
            f"checked {plural(result.profiles, 'profile')}: {plural(summary['errors'], 'error')}, "
            f"{plural(summary['warnings'], 'warning')}"
            + (f" ({rules})" if rules else "")
            + (f"; {result.not_generated} not generated yet" if result.not_generated else "")
            + (f"; {result.approved_skipped} approved left out" if result.approved_skipped else "")
        )
    if result.errors:
        raise typer.Exit(1)
