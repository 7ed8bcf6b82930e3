"""`profilegen check`: findings HR would reject in the profiles on disk — no model called; exit 1 on errors."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from profilegen.cli.output import emit_json_pieces, info, warn
from profilegen.cli.state import OPTIONS
from profilegen.collector import paused
from profilegen.errors import ExitCode
from profilegen.text import plural

if TYPE_CHECKING:
    from profilegen.checking.run import CheckResult
    from profilegen.config import Settings
    from profilegen.inputs import Selection

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
    judge: Annotated[
        bool, typer.Option("--judge", help="Also have the configured model score each profile on HR's criteria.")
    ] = False,
    max_cost: Annotated[
        float | None, typer.Option("--max-cost", help="--judge: stop sending once this many USD are spent.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="--judge: the model that scores.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="--judge: OpenAI-compatible API base URL.")] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, help="--judge: requests in flight.")
    ] = None,
    batch: Annotated[bool, typer.Option("--batch", help="--judge through the provider's Batch API.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="--batch: poll until the batches end.")] = False,
) -> None:
    """Findings HR would reject in the selected profiles (generic phrases, empty sections, facts that changed,
    near-duplicates...); exit 1 on any error-level finding."""
    from profilegen.checking.run import check_profiles
    from profilegen.cli.progress import stepping

    chosen = selection(department, all_units, position, None, no_subunits)
    if (batch or wait or max_cost is not None) and not judge:
        raise typer.BadParameter("--batch, --wait and --max-cost go with --judge")
    if wait and not batch:
        raise typer.BadParameter("--wait goes with --batch")
    settings, state = OPTIONS.for_out(
        write=judge,
        org=org,
        sheet=sheet,
        kpi_dir=kpi_dir,
        out=out,
        state_dir=state_dir,
        model=model,
        base_url=base_url,
        max_cost=max_cost,
        concurrency=concurrency,
    )
    if not judge:
        with paused():  # 100,000 profiles' findings summed and written: no collector passes over them (0.3 s)
            with stepping("check") as progress:  # a bar on a terminal, gone before the findings are shown
                result = check_profiles(settings, chosen, state, unapproved, progress=progress)
            _show(result, None, xlsx, as_json)
        return
    result, scores = _judged(settings, state, chosen, unapproved, batch, wait)
    _show(result, scores, xlsx, as_json)


def _show(result: CheckResult, scores: list[dict[str, Any]] | None, xlsx: Path | None, as_json: bool) -> None:
    """The findings as JSON or text (and in a workbook); exit 1 on an error-level finding or a failed score."""
    for problem in result.unreadable:
        warn(problem)
    if xlsx is not None:
        from profilegen.checking.workbook import write_findings

        write_findings(xlsx, result.findings, result.language)
        info(f"findings written to {xlsx}")
    summary = result.summary()
    if as_json:
        found: dict[str, Any] = {"findings": (f.as_json() for f in result.findings), "summary": summary}
        if scores is not None:
            found["scores"] = scores
        emit_json_pieces(found)  # a finding at a time: 100,000 profiles' findings are never one text
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
        if result.judge is not None:
            j = result.judge
            cost = "unknown" if j["cost_usd"] is None else f"${j['cost_usd']:.4f}"
            print(
                f"judge: scored {j['judged']}, unchanged since scored {j['reused']}, failed {j['failed']}"
                + (f", not sent (--max-cost) {j['not_sent']}" if j["not_sent"] else "")
                + (f", waiting in batches {j['in_open_batches']}" if j.get("in_open_batches") else "")
                + f"; cost {cost}"
            )
    if result.errors or (result.judge or {}).get("failed"):
        raise typer.Exit(1)
    if (result.judge or {}).get("limit_reached"):
        raise typer.Exit(int(ExitCode.LIMIT))


def _judged(
    settings: Settings, state: Path, chosen: Selection, unapproved: bool, batch: bool, wait: bool
) -> tuple[CheckResult, list[dict[str, Any]]]:
    """Findings with the judge's: every selected profile scored (what was scored before, as it is now, kept)."""
    from profilegen.checking.findings import Located
    from profilegen.checking.rules import RULES
    from profilegen.checking.run import check_profiles
    from profilegen.checking.seen import Seen
    from profilegen.cli.progress import stepping
    from profilegen.judging.run import judge_profiles
    from profilegen.judging.scores import low_scores
    from profilegen.locking import StateLock
    from profilegen.template.loader import load_template

    with StateLock(state):
        seen: list[Seen] = []
        with stepping("check") as progress:
            result = check_profiles(settings, chosen, state, unapproved, seen=seen, progress=progress)
        if unapproved:
            seen = [s for s in seen if s.status != "approved"]
        template = load_template(settings.template, settings.language)
        judged = judge_profiles(settings, state, seen, template, OPTIONS.info, settings.max_cost, batch, wait)
    for problem in judged.failed:
        warn(f"not judged: {problem}")
    scores = []
    for (unit_path, title, employee), score in judged.scores.items():
        for finding in low_scores(score, settings.check.judge_min_score):
            result.findings.append(Located(unit_path, title, employee, finding))
        scores.append(
            {"unit_path": list(unit_path), "title": title, "employee": employee, "mean": score["mean"]}
            | {"scores": score["scores"], "reasons": score["reasons"]}
        )
    result.findings.sort(key=lambda f: (f.unit_path, f.title, f.employee or "", RULES.index(f.finding.rule)))
    result.judge = {
        "judged": judged.judged,
        "reused": judged.reused,
        "failed": len(judged.failed),
        "not_sent": judged.not_sent,
        "cost_usd": judged.cost_usd,
        "limit_reached": judged.limit_reached,
    } | ({"submitted": judged.submitted, "in_open_batches": judged.in_batches} if batch else {})
    return result, scores
