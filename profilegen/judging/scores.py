"""Journaled scores: whether one is of the profile as it is now, and what `stats` shows of them."""

from __future__ import annotations

import hashlib
import json
import statistics
from typing import Any

from profilegen.checking.findings import WARNING, Finding
from profilegen.judging.criteria import CRITERIA

LOWEST = 10  # the positions `stats` lists with the lowest scores


def content_hash(document: dict[str, Any]) -> str:
    """The profile's content (what HR reads), not when or how it was made."""
    body = json.dumps(document.get("profile") or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def current_score(record: dict[str, Any] | None, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journaled score when it is of this content (else None: the profile changed since)."""
    judged = (record or {}).get("judge")
    if not judged or document is None or judged.get("sha256") != content_hash(document):
        return None
    return dict(judged)


def score_stats(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The distribution of mean scores (by whole points) and the lowest positions; None when none judged."""
    judged = [r for r in records if isinstance(r.get("judge"), dict) and r["judge"].get("scores")]
    if not judged:
        return None
    buckets = dict.fromkeys(range(1, 11), 0)
    for r in judged:
        buckets[max(1, min(10, int(float(r["judge"]["mean"]))))] += 1
    lowest = sorted(judged, key=lambda r: float(r["judge"]["mean"]))[:LOWEST]
    return {
        "judged": len(judged),
        "mean": round(statistics.fmean(float(r["judge"]["mean"]) for r in judged), 2),
        "by_criterion": {k: round(statistics.fmean(int(r["judge"]["scores"][k]) for r in judged), 2) for k in CRITERIA},
        "distribution": {str(k): v for k, v in buckets.items()},
        "lowest": [
            {
                "unit_path": r.get("unit_path"),
                "title": r.get("title"),
                "mean": r["judge"]["mean"],
                "scores": r["judge"]["scores"],
            }
            for r in lowest
        ],
    }


def low_scores(judged: dict[str, Any], threshold: int) -> list[Finding]:
    """A finding for each criterion the judge scored at or below the threshold, with its reason."""
    scores, reasons = judged.get("scores") or {}, judged.get("reasons") or {}
    return [
        Finding("judge_score", WARNING, f"{key} {scores[key]}/10: {reasons.get(key, '')}")
        for key in CRITERIA
        if isinstance(scores.get(key), int) and scores[key] <= threshold
    ]
