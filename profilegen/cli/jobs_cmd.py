"""`profilegen jobs list|show|purge` and `profilegen stats`: what the journal knows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from profilegen.cli.options import JsonOption, OutOption, StateDirOption
from profilegen.cli.output import emit_json, table
from profilegen.cli.state import OPTIONS
from profilegen.errors import InputError
from profilegen.journal import Journal, StateLock
from profilegen.stats import journal_stats

app = typer.Typer(help="Runs recorded in the journal.", no_args_is_help=True)


def _state(out: Path | None, state_dir: Path | None) -> Path:
    """OUT's journal folder, which must exist (these commands only read it)."""
    _, state = OPTIONS.for_out(write=False, need_org=False, out=out, state_dir=state_dir)
    if not (state / "journal").is_dir():
        raise InputError("no journal yet (run `profilegen generate` first)", source=str(state))
    return state


def _journal(out: Path | None, state_dir: Path | None) -> Journal:
    return Journal(_state(out, state_dir))


def _cost(value: Any) -> str:
    return "unknown" if value is None else f"${value:.4f}"


@app.command("list", epilog="Example: profilegen jobs list --limit 5")
def list_runs(
    out: OutOption = None,
    state_dir: StateDirOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N runs.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Recent runs: id, when, selection, done/failed/skipped, tokens, cost, outcome."""
    with _journal(out, state_dir) as journal:
        runs = journal.runs()[:limit]
    if as_json:
        emit_json(runs)
        return
    rows = []
    for run in runs:
        counts = run.get("counts") or {}
        selection = run.get("selection") or {}
        departments = selection.get("departments")
        rows.append(
            [
                run["id"],
                str(run.get("started_at", "")),
                "all" if departments is None else ", ".join(departments),
                str(counts.get("generated", "")),
                str(counts.get("failed", "")),
                str(counts.get("up_to_date", "")),
                f"{run.get('tokens_in', 0)}/{run.get('tokens_out', 0)}",
                _cost(run.get("cost_usd")),
                str(run.get("outcome", "")),
            ]
        )
    headers = ["run", "started", "selection", "generated", "failed", "up to date", "tokens", "cost", "outcome"]
    table(headers, rows)


@app.command("show", epilog="Example: profilegen jobs show 20261127-020000-ab12cd")
def show_run(
    run_id: str, out: OutOption = None, state_dir: StateDirOption = None, as_json: JsonOption = False
) -> None:
    """One run in full, with the positions that failed in it."""
    with _journal(out, state_dir) as journal:
        run = journal.run(run_id)
        if run is None:
            raise InputError(f"no run '{run_id}' (see `profilegen jobs list`)")
        failed = [
            {"unit_path": r.get("unit_path"), "title": r.get("title"), "error": r.get("last_error")}
            for _, r in journal.positions()
            if r.get("run_id") == run_id and r.get("status") == "failed"
        ]
    if as_json:
        emit_json({**run, "failed_positions": failed})
        return
    for key, value in run.items():
        print(f"{key}: {value}")
    for item in failed:
        error = item["error"] or {}
        print(
            f"failed: {' / '.join(item['unit_path'] or [])} — {item['title']}: {error.get('type')}: "
            f"{error.get('message')}"
        )


@app.command("purge", epilog="Example: profilegen jobs purge --older-than 30")
def purge(
    out: OutOption = None,
    state_dir: StateDirOption = None,
    older_than: Annotated[
        float | None, typer.Option("--older-than", min=0, help="Days (default: retention_days).")
    ] = None,
) -> None:
    """Delete run records older than DAYS (position records are kept)."""
    settings = OPTIONS.settings(out=out, state_dir=state_dir)
    days = settings.retention_days if older_than is None else older_than
    state = _state(out, state_dir)
    with StateLock(state), Journal(state) as journal:
        removed = journal.purge_runs(days)
    print(f"removed {removed} run record(s) older than {days:g} days")


def stats(
    out: OutOption = None,
    state_dir: StateDirOption = None,
    run: Annotated[str | None, typer.Option("--run", help="Only positions last run by RUN_ID.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Where every position stands: success rate, KPI sources, durations, tokens and cost, errors, warnings."""
    with _journal(out, state_dir) as journal:
        orphan_keys = set((journal.meta("orphans") or {}).get("keys", []))
        # positions of the organisation now; profiles of positions that left it are counted apart
        records = (r for k, r in journal.positions() if k not in orphan_keys)
        data = journal_stats(records, run, len(orphan_keys))
    if as_json:
        emit_json(data)
        return
    positions = data["positions"]
    rate = "n/a" if data["success_rate"] is None else f"{data['success_rate']:.1%}"
    print(
        f"positions: {positions['total']} (done {positions['done']}, failed {positions['failed']}, "
        f"pending {positions['pending']}, running {positions['running']}); success rate {rate}"
    )
    print(f"generator: {data['generator']}; KPI source: {data['kpi_source']}")
    duration = data["duration_s"]
    print(f"duration s: avg {duration['avg']}, p50 {duration['p50']}, p95 {duration['p95']}")
    print(f"tokens: in {data['tokens']['in']}, out {data['tokens']['out']}; cost {_cost(data['cost_usd'])}")
    for block, entry in data["by_top_unit"].items():
        print(
            f"  {block}: {entry['positions']} positions, tokens {entry['tokens_in']}/{entry['tokens_out']}, "
            f"cost {_cost(entry['cost_usd'])}"
        )
    if data["errors_by_type"]:
        print(f"errors by type: {data['errors_by_type']}")
    if data["warnings_by_kind"]:
        print(f"quality warnings: {data['warnings_by_kind']}")
