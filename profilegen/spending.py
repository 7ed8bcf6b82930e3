"""What was paid, added up from what the journal recorded per answer: per run, per mode, over time."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from profilegen.journal import Journal


def paid_live(
    journal: Journal, key: str, run_id: str, tokens_in: int | None, tokens_out: int | None, cost: float | None
) -> None:
    """Record what one run's requests for one position cost (its latest totals replace the earlier)."""
    if tokens_in or tokens_out or cost != 0.0:
        entry = f"live:{run_id}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}"
        journal.record_spend(entry, run_id, "live", tokens_in, tokens_out, cost)


def _total(entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    tokens_in = tokens_out = 0
    cost: float | None = 0.0
    for entry in entries:
        tokens_in += int(entry.get("tokens_in") or 0)
        tokens_out += int(entry.get("tokens_out") or 0)
        value = entry.get("cost_usd")
        cost = None if cost is None or value is None else cost + float(value)
    return {"tokens_in": tokens_in, "tokens_out": tokens_out, "cost_usd": None if cost is None else round(cost, 6)}


def with_earlier(
    entries: list[dict[str, Any]], runs: list[dict[str, Any]], batches: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The ledger, with what runs and batches recorded before there was one (their own totals)."""
    earlier = [
        {"ts": r.get("started_ts") or 0, "run_id": r.get("id"), "mode": "live", **_costs(r)}
        for r in runs
        if not r.get("spend_ledger") and "cost_usd" in r
    ]
    earlier += [
        {"ts": b.get("submitted_ts") or 0, "run_id": b.get("run_id"), "mode": "batch", **_costs(b)}
        for b in batches
        if not b.get("spend_ledger") and b.get("collected")
    ]
    return entries + earlier


def _costs(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("tokens_in", "tokens_out", "cost_usd")}


def run_totals(runs: list[dict[str, Any]], entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs with tokens and cost as the ledger has them: what their requests cost, live and in batches,
    crashed and interrupted runs included."""
    by_run: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_run.setdefault(str(entry.get("run_id")), []).append(entry)
    return [{**r, **_total(by_run.get(r["id"], []))} if r.get("spend_ledger") else r for r in runs]


def summary(entries: list[dict[str, Any]], now: float | None = None) -> dict[str, Any]:
    """Spend this month and all time, and by mode."""
    now = time.time() if now is None else now
    month = time.strftime("%Y-%m", time.localtime(now))
    this_month = [e for e in entries if time.strftime("%Y-%m", time.localtime(float(e.get("ts") or 0))) == month]
    return {
        "this_month": {"month": month, **_total(this_month)},
        "all_time": _total(entries),
        "live": _total(e for e in entries if e.get("mode") == "live"),
        "batch": _total(e for e in entries if e.get("mode") == "batch"),
    }
