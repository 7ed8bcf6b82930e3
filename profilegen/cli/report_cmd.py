"""`profilegen report`: one self-contained HTML page to read, search and review the profiles in."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import (
    DepartmentOption,
    KpiDirOption,
    NoSubunitsOption,
    OrgOption,
    OutOption,
    SheetOption,
    StateDirOption,
    selection,
)
from profilegen.cli.output import done, info
from profilegen.cli.state import OPTIONS
from profilegen.text import plural

EPILOG = """Examples:
  profilegen report
  profilegen report --to review.html
  profilegen report --to crm.html -d "Отдел CRM\""""


def report(
    to: Annotated[Path, typer.Option("--to", help="The HTML file to write (default: report.html).")] = Path(
        "report.html"
    ),
    department: DepartmentOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    kpi_dir: KpiDirOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    no_subunits: NoSubunitsOption = False,
    pages: Annotated[
        str,
        typer.Option(
            "--pages",
            help="one: a single page; blocks: a page per block and an index page at --to; auto: blocks above "
            "5,000 profiles.",
        ),
    ] = "auto",
) -> None:
    """One HTML file (no network, no external files) with the org tree, every profile in the template's
    layout, its findings (as `check` finds them) and its review status."""
    from profilegen.checking.run import check_profiles
    from profilegen.checking.seen import Seen
    from profilegen.cli.progress import stepping
    from profilegen.export.atomic import write_bytes_atomic
    from profilegen.export.paths import folder_names
    from profilegen.reporting.data import report_data
    from profilegen.reporting.page import render_page
    from profilegen.reporting.pages import ONE_PAGE_MAX, block_pages, blocks, index_page, page_href
    from profilegen.template.loader import load_template

    if pages not in ("auto", "one", "blocks"):
        raise typer.BadParameter(f"--pages must be auto, one or blocks, not {pages!r}")
    chosen = selection(department, not department, None, None, no_subunits)
    settings, state = OPTIONS.for_out(write=False, org=org, sheet=sheet, kpi_dir=kpi_dir, out=out, state_dir=state_dir)
    seen: list[Seen] = []
    with stepping("report: checking") as progress:
        result = check_profiles(settings, chosen, state, seen=seen, progress=progress)
    template = load_template(settings.template, settings.language)
    title = f"{template.title}: {settings.context.company.name or settings.out.resolve().name}"  # whose profiles
    if pages == "one" or (pages == "auto" and len(seen) <= ONE_PAGE_MAX):
        page = render_page(report_data(result, seen, template, title)).encode("utf-8")
        write_bytes_atomic(to, page)
        info(
            f"{plural(result.profiles, 'profile')}, {plural(len(result.findings), 'finding')}; {len(page) / 1e6:.1f} MB"
        )
        done(f"report written to {to}")
        return
    folder = to.with_name(to.stem)  # review.html's pages in review/
    parts = blocks(result, seen)
    names = folder_names(part.name for part in parts)
    rows = []
    for name, made, counts in block_pages(parts, template, title):
        write_bytes_atomic(folder / f"{names[name]}.html", made)
        rows.append((name, page_href(folder.name, names[name]), counts))
    write_bytes_atomic(to, index_page(title, template.language, result.summary(), rows).encode("utf-8"))
    info(f"{plural(result.profiles, 'profile')}, {plural(len(result.findings), 'finding')}; {len(rows)} pages")
    done(f"report written to {to} (a page per block in {folder})")
