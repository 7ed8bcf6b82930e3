"""`profilegen jobs list|show|purge` and `profilegen stats`: what the journal knows."""

import contextlib
import difflib
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from profilegen.cli.options import JsonOption, OutOption, StateDirOption
from profilegen.cli.output import done, emit_json, table
from profilegen.cli.state import OPTIONS
from profilegen.errors import InputError
from profilegen.text import plural

if TYPE_CHECKING:
    from profilegen.journal import Journal

app = typer.Typer(help="Runs recorded in the journal.", no_args_is_help=True)


def _state(out: Path | None, state_dir: Path | None) -> Path:
    """OUT's journal folder, which must exist (these commands only read it)."""
    _, state = OPTIONS.for_out(write=False, need_org=False, out=out, state_dir=state_dir)
    if not (state / "journal").is_dir():
        raise InputError("no journal yet (run `profilegen generate` first)", source=str(state))
    return state


@contextlib.contextmanager
def open_journal(out: Path | None, state_dir: Path | None) -> Iterator["Journal"]:
    """OUT's journal; a run whose process died is closed as `crashed` first (when no run holds the lock)."""
    from profilegen.errors import LockedError
    from profilegen.journal import Journal  # loads diskcache: only for the commands that read a journal
    from profilegen.locking import StateLock

    state = _state(out, state_dir)
    with Journal(state) as journal:
        try:
            with StateLock(state):
                journal.recover()
        except LockedError:  # a run is going on: what it shows as running is running
            pass
        yield journal


def _runs(journal: "Journal") -> list[dict[str, Any]]:
    """Every run, newest first, with the tokens and cost its requests were recorded to have paid."""
    from profilegen.spending import run_totals

    return run_totals(journal.runs(), journal.spending())


def money(value: Any) -> str:
    return "unknown" if value is None else f"${value:.4f}"


@app.command("list", epilog="Example: profilegen jobs list --limit 5")
def list_runs(
    out: OutOption = None,
    state_dir: StateDirOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N runs.")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Recent runs: id, when, selection, done/failed/skipped, tokens, cost, outcome."""
    with open_journal(out, state_dir) as journal:
        runs = _runs(journal)[:limit]
        batches = [_public_batch(b) for b in journal.batches()[:limit]]
        approvals = None if as_json else _approvals(journal, out, state_dir)
    if as_json:
        # one list, as before: runs, then batches (each entry says which it is)
        emit_json([{**r, "kind": "run"} for r in runs] + [{**b, "kind": "batch"} for b in batches])
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
                str(counts.get("exported", "")),
                str(counts.get("submitted", "")),
                str(counts.get("failed", "")),
                str(counts.get("up_to_date", "")),
                f"{run.get('tokens_in', 0)}/{run.get('tokens_out', 0)}",
                money(run.get("cost_usd")),
                str(run.get("outcome", "")),
            ]
        )
    headers = [
        "run",
        "started",
        "selection",
        "generated",
        "from journal",  # answers written without a request: collected from a batch, or left by a crash
        "submitted",
        "failed",
        "up to date",
        "tokens",
        "cost",
        "outcome",
    ]
    table(headers, rows)
    if batches:
        print()
        table(
            ["batch", "api", "status", "requests", "completed", "failed", "submitted", "ended", "cost"],
            [
                [
                    b["id"],
                    str(b.get("api", "")),
                    str(b.get("status", "")),
                    str(b.get("requests", "")),
                    str((b.get("counts") or {}).get("completed", "")),
                    str((b.get("counts") or {}).get("failed", "")),
                    str(b.get("submitted_at", "")),
                    str(b.get("ended_at") or "—"),
                    money(b.get("cost_usd")) if b.get("collected") else "—",
                ]
                for b in batches
            ],
        )
    if approvals and any(approvals[k] for k in ("approved", "changed")):
        print(
            f"\nreview: approved {approvals['approved']}, changed since approval {approvals['changed']}, "
            f"not approved {approvals['unapproved']} (profilegen report shows which)"
        )


def _approvals(journal: "Journal", out: Path | None, state_dir: Path | None) -> dict[str, int]:
    from profilegen.approval import approval_counts

    settings, _ = OPTIONS.for_out(write=False, need_org=False, out=out, state_dir=state_dir)
    return approval_counts(journal.position_fields(("approval",)).values(), settings.out)


@app.command("show", epilog="Example: profilegen jobs show 20261127-020000-ab12cd")
def show_run(
    run_id: Annotated[
        str, typer.Argument(metavar="RUN_ID", help="A run's or batch's id, a unique start of one, or `last`.")
    ],
    out: OutOption = None,
    state_dir: StateDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """One run (or batch) in full, with the positions that failed in it."""
    with open_journal(out, state_dir) as journal:
        run_id = _run_id(journal, run_id)
        batch = journal.batch(run_id)
        if batch is not None:
            _show_batch(_public_batch(batch), as_json)
            return
        known_run(journal, run_id)
        run = next(r for r in _runs(journal) if r["id"] == run_id)
        failed = [
            {"unit_path": r["unit_path"], "title": r["title"], "error": r["last_error"]}
            for r in journal.position_fields(("run_id", "status", "unit_path", "title", "last_error")).values()
            if r["run_id"] == run_id and r["status"] == "failed"
        ]
    if as_json:
        emit_json({**run, "failed_positions": failed})
        return
    for line in describe_run(run):
        print(line)
    for item in failed:
        error = item["error"] or {}
        print(
            f"failed: {' / '.join(item['unit_path'] or [])} — {item['title']}: {error.get('type')}: "
            f"{error.get('message')}"
        )


def describe_run(run: dict[str, Any]) -> list[str]:
    """A run record as lines people read."""
    selection = run.get("selection") or {}
    departments = selection.get("departments")
    chosen = "all" if departments is None else "; ".join(departments)
    if selection.get("position"):
        chosen += f", position {selection['position']}"
    counts = run.get("counts") or {}
    shown = ", ".join(f"{k.replace('_', ' ')} {_count(v)}" for k, v in counts.items() if v) or "nothing"
    lines = [
        f"run {run['id']}: {run.get('outcome', '?')}",
        f"  started {run.get('started_at', '?')}, finished {run.get('finished_at', '—')}",
        f"  selection: {chosen}; provider {run.get('provider', '?')}, model {run.get('model', '?')}",
        f"  positions: {_count(run.get('positions', '?'))} — {shown}; planned {run.get('planned', 'in full')}",
        f"  tokens in/out: {_count(run.get('tokens_in', 0))}/{_count(run.get('tokens_out', 0))}; "
        f"cost {money(run.get('cost_usd'))}",
    ]
    if run.get("command"):
        lines.append(f"  command: {shlex.join(run['command'])}")
    return lines


def _count(value: Any) -> str:
    """A count as people read it (1,689), anything else as it is."""
    return f"{value:,}" if isinstance(value, int) else str(value)


def _public_batch(batch: dict[str, Any]) -> dict[str, Any]:
    """A batch record without its table of request ids."""
    return {k: v for k, v in batch.items() if k != "custom_ids"}


def _show_batch(batch: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(batch)
        return
    counts = batch.get("counts") or {}
    tokens = f"{batch.get('tokens_in', 0)}/{batch.get('tokens_out', 0)}" if batch.get("collected") else "—"
    cost = money(batch.get("cost_usd")) if batch.get("collected") else "— (not collected yet)"
    print(f"batch {batch['id']}: {batch.get('status')} ({batch.get('api')} Batch API, model {batch.get('model')})")
    print(f"  submitted {batch.get('submitted_at')} by run {batch.get('run_id')}; ended {batch.get('ended_at') or '—'}")
    print(
        f"  requests {batch.get('requests')}: completed {counts.get('completed', 0)}, failed {counts.get('failed', 0)}"
    )
    print(f"  tokens in/out {tokens}; cost {cost}")
    if batch.get("error"):
        print(f"  error: {batch['error']}")


@app.command("cancel", epilog="Example: profilegen jobs cancel batch_abc123")
def cancel(
    batch_id: Annotated[str, typer.Argument(metavar="BATCH_ID", help="A batch's id (see `profilegen jobs list`).")],
    out: OutOption = None,
    state_dir: StateDirOption = None,
) -> None:
    """Cancel an open batch: what it answered is collected by the next run, the rest submitted again."""
    from profilegen.config import api_key
    from profilegen.generation.batch.api import BatchNotFound, batch_api
    from profilegen.generation.batch.batcher import open_batch_ids, release

    settings, _ = OPTIONS.for_out(write=False, need_org=False, out=out, state_dir=state_dir)
    with open_journal(out, state_dir) as journal:
        batch = journal.batch(batch_id)
        if batch is None:
            known_run(journal, batch_id, [b["id"] for b in journal.batches()], "batch")
            return
        if batch_id not in open_batch_ids(journal):
            raise InputError(f"batch {batch_id} has ended ({batch.get('status')}): nothing to cancel")
        key = api_key()
        if key is None:
            raise InputError(
                "cancelling a batch needs the API key (PROFILEGEN_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY)"
            )
        where = str(batch.get("base_url") or settings.base_url)  # the server it was submitted to
        try:
            info = batch_api(str(batch["api"]), where, key, str(batch["model"])).cancel(batch_id)
        except BatchNotFound:
            count = release(journal, batch, "lost")
            print(f"batch {batch_id}: unknown to {where}; {plural(count, 'position')} go into the next batch")
            return
        batch.update(status=info.status, cancel_requested=True)
        journal.save_batch(batch)
    print(f"batch {batch_id}: {info.status}; the next `profilegen generate` collects what it answered")


def _run_id(journal: "Journal", given: str) -> str:
    """`last` (the newest run), a whole id, or a prefix of exactly one run's or batch's id."""
    runs = journal.runs()
    if given == "last":
        if not runs:
            raise InputError("no run in this journal yet (run `profilegen generate` first)")
        return str(runs[0]["id"])
    ids = [str(r["id"]) for r in runs] + [str(b["id"]) for b in journal.batches()]
    if given in ids:
        return given
    matches = [i for i in ids if i.startswith(given)]
    if len(matches) > 1:
        raise InputError(f"'{given}' is the start of {len(matches)} ids: {', '.join(matches[:5])}; give more of it")
    return matches[0] if matches else given


def known_run(journal: "Journal", run_id: str, ids: list[str] | None = None, kind: str = "run") -> None:
    """A run id the journal knows, or exit 2 with the nearest recent ones."""
    if ids is None and journal.run(run_id) is not None:
        return
    recent = ids if ids is not None else [r["id"] for r in journal.runs()[:50]] + [b["id"] for b in journal.batches()]
    close = difflib.get_close_matches(run_id, recent, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else (f" Recent: {', '.join(recent[:3])}." if recent else "")
    raise InputError(f"no {kind} '{run_id}' in this journal (see `profilegen jobs list`).{hint}")


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
    from profilegen.journal import Journal
    from profilegen.locking import StateLock

    state = _state(out, state_dir)
    with StateLock(state), Journal(state) as journal:
        removed = journal.purge_runs(days)
    done(f"removed {plural(removed, 'run record')} older than {days:g} days")
