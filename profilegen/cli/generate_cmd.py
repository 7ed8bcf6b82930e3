"""`profilegen generate`: bring the selected positions' profiles up to date."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from profilegen.cli.options import (
    AllOption,
    DepartmentOption,
    EmployeeOption,
    JsonOption,
    KpiDirOption,
    NoSubunitsOption,
    OrgOption,
    OutOption,
    PositionOption,
    SheetOption,
    StateDirOption,
    TemplateOption,
    selection,
)
from profilegen.cli.output import emit_json, error, is_terminal, stdout, warn
from profilegen.cli.progress import RunProgress
from profilegen.cli.state import OPTIONS
from profilegen.errors import ExitCode, InputError
from profilegen.observability import EventLog
from profilegen.text import plural

if TYPE_CHECKING:  # the pipeline (pydantic models, the engine) loads only when `generate` runs
    from profilegen.generation.batch.batcher import BatchWork
    from profilegen.generation.report import Outcome, RunReport
    from profilegen.runs import GenerateResult

EPILOG = """Examples:

  profilegen generate --department "Отдел CRM"

  profilegen generate --all --provider offline --out profiles

  profilegen --quiet --log-format json generate --all
"""


def generate(
    department: DepartmentOption = None,
    all_units: AllOption = False,
    position: PositionOption = None,
    employee_name: EmployeeOption = None,
    org: OrgOption = None,
    sheet: SheetOption = None,
    kpi_dir: KpiDirOption = None,
    out: OutOption = None,
    state_dir: StateDirOption = None,
    provider: Annotated[str, typer.Option("--provider", help="auto, openai or offline.")] = "auto",
    model: Annotated[str | None, typer.Option("--model", help="Model name for the openai provider.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible API base URL.")] = None,
    concurrency: Annotated[int | None, typer.Option("--concurrency", min=1, help="Requests in flight.")] = None,
    rpm: Annotated[int | None, typer.Option("--rpm", min=1, help="At most this many requests a minute.")] = None,
    temperature: Annotated[
        float | None, typer.Option("--temperature", min=0, max=2, help="Sampling temperature.")
    ] = None,
    max_tokens: Annotated[int | None, typer.Option("--max-tokens", min=256, help="Answer token limit.")] = None,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", min=0, help="Stop starting at this spend (USD).")
    ] = None,
    max_duration: Annotated[
        str | None, typer.Option("--max-duration", help="Start nothing new after this long (90m, 2h30m, 6h, 1d).")
    ] = None,
    retry_quarantined: Annotated[
        bool, typer.Option("--retry-quarantined", help="Try positions quarantined after repeated failures.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Regenerate even what is up to date.")] = False,
    overwrite_edited: Annotated[
        bool, typer.Option("--overwrite-edited", help="Replace files edited by hand (the old one kept as .bak).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be done; send nothing.")] = False,
    batch: Annotated[
        bool,
        typer.Option(
            "--batch/--no-batch",
            help="Submit to the provider's Batch API (about half price, answers within 24 h); "
            "every later run collects them.",
        ),
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="With --batch: wait for the batches (bounded by --max-duration).")
    ] = False,
    formats: Annotated[
        str | None, typer.Option("--format", help="json, md and/or docx, comma-separated (default: json,md).")
    ] = None,
    no_subunits: NoSubunitsOption = False,
    template: TemplateOption = None,
    as_json: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Nothing on success; on failure one summary line and the errors.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More detail.")] = False,
) -> None:
    """Generate profiles for the selected positions; only what changed is regenerated."""
    from profilegen.pipeline import generate as run_generate
    from profilegen.runs import GenerateOptions

    OPTIONS.quiet = OPTIONS.quiet or quiet
    OPTIONS.verbose = OPTIONS.verbose or verbose
    chosen = selection(department, all_units, position, employee_name, no_subunits)
    if wait and not batch:
        raise InputError("--wait goes with --batch")
    if provider not in ("auto", "openai", "offline"):
        raise InputError(f"--provider must be auto, openai or offline, not '{provider}'")
    settings = OPTIONS.settings(
        org=org,
        sheet=sheet,
        kpi_dir=kpi_dir,
        out=out,
        state_dir=state_dir,
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        rpm=rpm,
        temperature=temperature,
        max_tokens=max_tokens,
        max_cost=max_cost,
        max_duration=max_duration,
        formats=formats,
        template=template,
    )
    options = GenerateOptions(
        provider=provider,
        force=force,
        dry_run=dry_run,
        formats=settings.formats,
        overwrite_edited=overwrite_edited,
        retry_quarantined=retry_quarantined,
        batch=batch,
        wait=wait,
        command=["profilegen", *OPTIONS.argv],
    )
    # events go to --log-file when one is given, else (as JSON lines) to stderr; --quiet keeps stderr for errors
    to_stderr = OPTIONS.log_format == "json" and OPTIONS.log_file is None and not OPTIONS.quiet
    log = EventLog(OPTIONS.log_format, OPTIONS.log_file, echo=to_stderr or OPTIONS.verbose)
    show_progress = is_terminal() and not OPTIONS.quiet and not dry_run and not log.echo
    with RunProgress(log, enabled=show_progress) as progress:
        try:
            result = run_generate(settings, chosen, options, on_event=progress)
        finally:
            log.close()
    if dry_run:
        _dry_run(result, as_json)
        return
    report = result.report
    assert report is not None
    code = _exit_code(report)
    if OPTIONS.quiet and code == ExitCode.OK:
        return  # cron mails only when something went wrong
    _summary(report, settings.out, priced=bool(settings.prices))
    if batch and result.batch is not None:
        _batch_summary(result.batch)
    if report.stop_reason is not None:
        error(
            f"run stopped ({report.stop_reason}): {report.stop_message}; "
            f"{plural(report.not_started, 'position')} not started"
        )
    if code != ExitCode.OK:
        raise typer.Exit(code)


def _exit_code(report: "RunReport") -> ExitCode:
    if report.stop_reason in ("budget", "duration"):
        return ExitCode.LIMIT
    if report.stop_reason == "interrupted":
        return ExitCode.INTERRUPTED
    if report.stop_reason == "terminated":
        return ExitCode.TERMINATED
    if report.stop_reason or report.counts()["failed"]:
        return ExitCode.FAILED
    return ExitCode.OK


def _dry_run(result: "GenerateResult", as_json: bool) -> None:
    todo = result.to_generate
    data: dict[str, Any] = {
        "to_generate": [
            {"path": list(t.context.unit_path), "position": t.context.title, "reason": t.reason} for t in todo
        ],
        "to_render": sum(1 for t in result.tasks if t.action == "render"),
        "up_to_date": sum(1 for t in result.tasks if t.action == "up_to_date"),
        "frozen": [{"path": list(t.unit_path), "position": t.title} for t in result.tasks if t.action == "frozen"],
        "edited_by_hand": [
            {"path": list(t.unit_path), "position": t.title, "files": files} for t, files in result.edited
        ],
        **result.estimate,
        "provider": result.provider,
    }
    if as_json:
        emit_json(data)
        return
    for task in todo:
        print(f"would generate: {' / '.join(task.context.unit_path)} — {task.context.title} ({task.reason})")
    for item in data["frozen"]:
        print(f"frozen: {' / '.join(item['path'])} — {item['position']}")
    for item in data["edited_by_hand"]:
        print(f"edited by hand (kept; new version would go to .new): {', '.join(item['files'])}")
    in_batch = sum(1 for t in result.tasks if t.action == "in_batch")
    verb = "to submit in a batch" if data.get("batch") else "to generate"
    kept = [
        f"{sum(1 for t in result.tasks if t.action == action)} {label}"
        for action, label in _EXTRA_COUNTS
        if action != "in_batch" and any(t.action == action for t in result.tasks)
    ]
    if result.edited:  # what the real run would keep as it is, its new version beside it as .new
        kept.insert(0, f"{len(result.edited)} kept (edited by hand; the new version would go to .new)")
    print(
        f"{len(todo)} {verb}, {data['to_render']} to re-render, {data['up_to_date']} up to date"
        + "".join(f", {item}" for item in kept)
    )
    if in_batch:
        print(f"{plural(in_batch, 'position')} in open batches (collected by the next run)")
    cost = data.get("estimated_cost_usd")
    if data.get("batch"):
        cost = f"{cost} at the batch price" if cost is not None else None
    print(
        f"estimated prompt tokens: {data['estimated_prompt_tokens']}, estimated cost: "
        + ("unknown (no prices set)" if cost is None else f"${cost}")
    )


_EXTRA_COUNTS = (
    ("kept_edited", "kept (edited by hand)"),
    ("kept_llm", "kept (llm profile)"),
    ("frozen", "frozen"),
    ("quarantined", "quarantined"),
    ("in_batch", "in open batches"),
)


def _summary(report: "RunReport", out: Path, priced: bool) -> None:
    counts = report.counts()
    totals = report.totals()
    # unknown: the provider said no cost, and without `prices:` nothing else could (said as the dry run says it)
    unknown = "unknown" if priced else "unknown (no prices set)"
    cost = unknown if totals["cost_usd"] is None else f"${totals['cost_usd']:.4f}"
    failed = [o for o in report.outcomes if o.status == "failed"]
    if is_terminal() and not OPTIONS.quiet:
        from rich.table import Table

        table = Table(title=f"run {report.run_id}", show_header=False)
        for key, value in counts.items():  # what was generated, is up to date and failed; the rest when a run had it
            if value or key in ("generated", "up_to_date", "failed"):
                table.add_row(dict(_EXTRA_COUNTS).get(key, key.replace("_", " ")), f"{value:,}")
        table.add_row("tokens in / out", f"{totals['tokens_in']:,} / {totals['tokens_out']:,}")
        table.add_row("cost", cost)
        table.add_row("profiles in", str(out.resolve()))
        stdout().print(table)
    else:
        exported = f", exported from journal {counts['exported']:,}" if counts["exported"] else ""
        print(
            f"generated {counts['generated']:,}{exported}, re-rendered {counts['rendered']:,}, "
            f"up to date {counts['up_to_date']:,}, failed {counts['failed']:,}; "
            f"tokens {totals['tokens_in']:,}/{totals['tokens_out']:,}, cost {cost}"
        )
        if OPTIONS.quiet:  # something went wrong: one summary line, then the errors
            _failures(failed)
            return
        extra = [f"{counts[k]:,} {label}" for k, label in _EXTRA_COUNTS if counts[k]]
        if extra:
            print("; ".join(extra))
        print(f"profiles in {out.resolve()}")
    for outcome in report.outcomes:
        for path in outcome.kept[:20]:
            print(f"kept (edited by hand): {path} — the new version is beside it as .new")
        if outcome.status == "quarantined":
            print(f"quarantined: {outcome.label} (failed repeatedly; --retry-quarantined to try again)")
    _failures(failed)


def _batch_summary(work: "BatchWork") -> None:
    if work.submitted:
        cost = "unknown" if work.estimated_cost_usd is None else f"${work.estimated_cost_usd:.4f}"
        positions = len(set(work.submitted_keys))
        asked = f" ({plural(work.submitted, 'request')}: re-asks included)" if work.submitted != positions else ""
        later = "; the next `profilegen generate` collects the answers" if work.still_open else ""
        print(
            f"submitted {plural(positions, 'position')}{asked} in {', '.join(work.submitted_ids)} "
            f"(estimated {cost} at the batch price){later}"
        )
    elif work.still_open:
        print(f"{plural(work.still_open, 'batch', 'batches')} still open; the next run collects them")


def _failures(failed: list["Outcome"]) -> None:
    for outcome in failed[:20]:
        warn(f"failed: {outcome.label}: {outcome.error_type}: {outcome.message}")
    if len(failed) > 20:
        warn(f"... and {len(failed) - 20} more failed positions (profilegen stats)")
