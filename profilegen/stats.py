"""Figures over the journal: how positions stand, what they cost, what went wrong."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

# The fields of a position record that the figures read (one query picks them out of every record).
STATS_FIELDS = (
    "run_id",
    "status",
    "duration_s",
    "unit_path",
    "tokens_in",
    "tokens_out",
    "cost_usd",
    "generator",
    "frozen",
    "approval",
    "judge",
    "title",
    "quarantined",
    "edited_kept",
    "kpi_source",
    "warnings",
    "last_error",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def journal_stats(records: Iterable[dict[str, Any]], run_id: str | None = None, orphans: int = 0) -> dict[str, Any]:
    """Stats over position records (all of them, or those last touched by ``run_id``); ``orphans`` as counted
    by the last run against the org."""
    chosen = [r for r in records if run_id is None or r.get("run_id") == run_id]
    statuses = Counter(str(r.get("status") or "pending") for r in chosen)
    done = [r for r in chosen if r.get("status") == "done"]
    failed = [r for r in chosen if r.get("status") == "failed"]
    finished = len(done) + len(failed)
    durations = [float(r["duration_s"]) for r in done if isinstance(r.get("duration_s"), int | float)]
    per_block: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"positions": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}
    )
    cost_known = True
    total_cost = 0.0
    for record in chosen:
        block = (record.get("unit_path") or ["?"])[0]
        entry = per_block[block]
        entry["positions"] += 1
        entry["tokens_in"] += int(record.get("tokens_in") or 0)
        entry["tokens_out"] += int(record.get("tokens_out") or 0)
        cost = record.get("cost_usd")
        if cost is None and record.get("status") in ("done", "failed") and record.get("generator") != "offline":
            entry["cost_usd"] = None
            cost_known = False
        elif entry["cost_usd"] is not None:
            entry["cost_usd"] = round(entry["cost_usd"] + float(cost or 0.0), 6)
        total_cost += float(cost or 0.0)
    warnings = Counter(str(w).split(":", 1)[0] for r in done for w in (r.get("warnings") or []))
    return {
        "run_id": run_id,
        "positions": {
            "total": len(chosen),
            **{k: statuses.get(k, 0) for k in ("done", "failed", "pending", "running", "submitted")},
        },
        "frozen": sum(1 for r in chosen if r.get("frozen")),
        "quarantined": sum(1 for r in chosen if r.get("quarantined")),
        "orphans": orphans,
        "kept_edited": sum(1 for r in chosen if r.get("edited_kept")),
        "success_rate": round(len(done) / finished, 4) if finished else None,
        "generator": dict(Counter(str(r.get("generator") or "?") for r in done)),
        "kpi_source": dict(Counter(str(r.get("kpi_source") or "?") for r in done)),
        "duration_s": {
            "avg": round(statistics.fmean(durations), 3) if durations else None,
            "p50": round(_percentile(durations, 0.5), 3) if durations else None,
            "p95": round(_percentile(durations, 0.95), 3) if durations else None,
        },
        "tokens": {
            "in": sum(int(r.get("tokens_in") or 0) for r in chosen),
            "out": sum(int(r.get("tokens_out") or 0) for r in chosen),
        },
        "cost_usd": round(total_cost, 6) if cost_known else None,
        "by_top_unit": dict(sorted(per_block.items())),
        "errors_by_type": dict(Counter(str((r.get("last_error") or {}).get("type", "?")) for r in failed)),
        "warnings_by_kind": dict(warnings),
    }
