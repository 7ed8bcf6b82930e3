"""`profilegen stats`: where every position stands, from the journal (and OUT's files, for review)."""

from typing import Annotated, Any

import typer

from profilegen.cli.jobs_cmd import known_run, money, open_journal
from profilegen.cli.options import JsonOption, OutOption, StateDirOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS
from profilegen.text import plural


def stats(
    out: OutOption = None,
    state_dir: StateDirOption = None,
    run: Annotated[str | None, typer.Option("--run", help="Only positions last run by RUN_ID.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Where every position stands: success rate, KPI sources, durations, tokens and cost, errors, warnings."""
    from profilegen.stats import STATS_FIELDS, journal_stats

    settings, _ = OPTIONS.for_out(write=False, need_org=False, out=out, state_dir=state_dir)
    with open_journal(out, state_dir) as journal:
        if run is not None:
            known_run(journal, run)
        orphans = journal.meta("orphans") or {}
        orphan_keys = set(orphans.get("keys", []))
        # positions of the organisation now; profiles of positions that left it are counted apart, as prune does
        fields = journal.position_fields(STATS_FIELDS)
        records = (r for k, r in fields.items() if k not in orphan_keys)
        data = journal_stats(records, run, int(orphans.get("profiles", len(orphan_keys))))
        if run is None:
            from profilegen.approval import approval_counts
            from profilegen.export.documents import pending_new_count
            from profilegen.spending import summary, with_earlier

            data["review"] = {"pending_new": pending_new_count(settings.out)}
            from profilegen.judging.scores import score_stats

            current = [r for k, r in fields.items() if k not in orphan_keys]
            data["approval"] = approval_counts(current, settings.out)
            data["judge"] = score_stats(current)
            runs, batches = journal.runs(), journal.batches()
            spend = summary(with_earlier(journal.spending(), runs, batches))
            data["spend"] = {k: spend[k] for k in ("this_month", "all_time")}
            data["cost_by_mode"] = {
                "live": {"runs": len(runs), "cost_usd": spend["live"]["cost_usd"]},
                "batch": {
                    "batches": len(batches),
                    "open": sum(1 for b in batches if not b.get("collected")),
                    "cost_usd": spend["batch"]["cost_usd"],
                },
            }
    if as_json:
        emit_json(data)
        return
    positions = data["positions"]
    rate = "n/a" if data["success_rate"] is None else f"{data['success_rate']:.1%}"
    print(
        f"positions: {positions['total']:,} (done {positions['done']:,}, failed {positions['failed']:,}, "
        f"pending {positions['pending']:,}, running {positions['running']:,}"
        + (f", in open batches {positions['submitted']:,}" if positions["submitted"] else "")
        + f"); success rate {rate}"
    )
    print(f"generator: {_pairs(data['generator'])}; KPI source: {_pairs(data['kpi_source'])}")
    duration = data["duration_s"]
    print(f"duration s: avg {duration['avg']}, p50 {duration['p50']}, p95 {duration['p95']}")
    print(f"tokens: in {data['tokens']['in']:,}, out {data['tokens']['out']:,}; cost {money(data['cost_usd'])}")
    for block, entry in data["by_top_unit"].items():
        print(
            f"  {block}: {plural(entry['positions'], 'position')}, "
            f"tokens {entry['tokens_in']:,}/{entry['tokens_out']:,}, cost {money(entry['cost_usd'])}"
        )
    spent = data.get("spend")
    if spent:
        month, ever = money(spent["this_month"]["cost_usd"]), money(spent["all_time"]["cost_usd"])
        print(f"spent: this month {month}, all time {ever} (every paid answer, crashed and interrupted runs included)")
    modes = data.get("cost_by_mode")
    if modes and modes["batch"]["batches"]:
        live, batch = modes["live"], modes["batch"]
        print(
            f"cost by mode: live {money(live['cost_usd'])} ({plural(live['runs'], 'run')}), "
            f"batch {money(batch['cost_usd'])} ({plural(batch['batches'], 'batch', 'batches')}, "
            f"{batch['open']} open)"
        )
    review = data.get("review")
    if review:
        print(
            f"review: frozen {data['frozen']}, kept as edited {data['kept_edited']}, pending .new "
            f"{review['pending_new']}, quarantined {data['quarantined']}"
        )
        approval = data["approval"]
        print(
            f"approval: approved {approval['approved']}, changed since approval {approval['changed']}, "
            f"not approved {approval['unapproved']}"
        )
    judged = data.get("judge")
    if judged:
        print(
            f"judge: {judged['judged']} scored, mean {judged['mean']}; by criterion: {_pairs(judged['by_criterion'])}"
        )
        print(f"  distribution of mean scores: {_pairs({k: v for k, v in judged['distribution'].items() if v})}")
        for low in judged["lowest"][:5]:
            print(f"  lowest: {low['mean']} {' / '.join(low['unit_path'] or [])} — {low['title']}")
    if data["errors_by_type"]:
        print(f"errors by type: {_pairs(data['errors_by_type'])}")
    if data["warnings_by_kind"]:
        print(f"quality warnings: {_pairs(data['warnings_by_kind'])}")
    if data["orphans"]:
        print(f"orphans (positions no longer in the org, not counted above): {data['orphans']}")


def _pairs(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
