"""`profilegen export md|docx|xlsx`: re-render profiles already in OUT, without any LLM call."""

from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import OrgOption, OutOption, SheetOption, StateDirOption, TemplateOption
from profilegen.cli.output import done, warn
from profilegen.cli.state import OPTIONS
from profilegen.errors import InputError
from profilegen.text import plural

MAX_NAMED = 10
EPILOG = """Examples:

  profilegen export docx --department "Отдел CRM"

  profilegen export xlsx --to profiles.xlsx
"""


def export(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="md, docx or xlsx.")],
    out: OutOption = None,
    to: Annotated[Path | None, typer.Option("--to", help="Workbook file for xlsx (default: profiles.xlsx).")] = None,
    department: Annotated[
        list[str] | None, typer.Option("--department", "-d", help="Only these units (and sub-units).")
    ] = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    state_dir: StateDirOption = None,
    template: TemplateOption = None,
) -> None:
    """Render md/docx beside each profile JSON in OUT, or one xlsx workbook of them all."""
    # the export modules load only when this command runs (start-up stays that of a bare Typer app)
    from profilegen.export.documents import find_profiles, select_profiles
    from profilegen.export.render import RenderOptions
    from profilegen.export.rerender import edited_elsewhere, rerender
    from profilegen.locking import OUT_LOCK, StateLock
    from profilegen.template.loader import load_template

    fmt = fmt.strip().lower()
    if fmt not in ("md", "docx", "xlsx"):
        raise InputError(f"export format must be md, docx or xlsx, not '{fmt}'")
    settings, state = OPTIONS.for_out(
        write=fmt != "xlsx", need_org=False, out=out, org=org, sheet=sheet, state_dir=state_dir, template=template
    )
    if not settings.out.is_dir():
        raise InputError("no profiles folder", source=str(settings.out))
    options = RenderOptions(load_template(settings.template, settings.language))
    with StateLock(state), StateLock(settings.out, lock_name=OUT_LOCK):
        unreadable: list[Path] = []
        profiles = select_profiles(list(find_profiles(settings.out, unreadable, light=True)), department)
        for bad in unreadable:
            warn(f"{bad}: unreadable profile JSON, left out")
        others = {"xlsx": ["md", "docx"], "docx": ["md"]}.get(fmt, [])
        edited = edited_elsewhere(state, profiles, others)
        if edited:
            shown = "; ".join(str(p) for p in edited[:MAX_NAMED]) + ("; …" if len(edited) > MAX_NAMED else "")
            warn(
                f"{plural(len(edited), 'file')} edited by hand; this {fmt} shows the generated text of those "
                f"profiles, not the edits: {shown}"
            )
        if fmt == "xlsx":
            from profilegen.export.xlsx_writer import write_workbook
            from profilegen.housekeeping import is_orphan
            from profilegen.inputs import load_org_from_settings
            from profilegen.workspace import resolve_org

            settings.org = resolve_org(settings, state)  # given, or the one the folder was generated from
            structure, _ = load_org_from_settings(settings)
            current = [p for p in profiles if not is_orphan(p, structure)]
            if profiles and not current:
                raise InputError(
                    f"none of the {len(profiles)} profiles in {settings.out} is a position of {structure.source}: "
                    "most likely not the organisation they were generated from (pass the right --org)"
                )
            if len(current) < len(profiles):
                warn(
                    f"left out {plural(len(profiles) - len(current), 'orphan profile')}: positions no longer in the "
                    "org (see `profilegen prune`)"
                )
            profiles = current
            target = to or Path("profiles.xlsx")
            write_workbook(target, profiles, options.template)
            done(f"wrote {target} ({plural(len(profiles), 'profile')})")
            return
        from profilegen.cli.progress import counting

        with counting(len(profiles), f"export {fmt}") as advance:
            kept = rerender(state, profiles, fmt, options, advance)
    done(f"rendered {plural(len(profiles) - len(kept), fmt + ' file')}")
    for path in kept:
        done(f"kept (edited by hand): {path} — the new version is beside it as .new")
