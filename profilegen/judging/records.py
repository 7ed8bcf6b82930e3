"""What the judge keeps: the profiles waiting for a score, what a judge run did, and a score journaled."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from profilegen.checking.seen import Seen
from profilegen.journal import Journal
from profilegen.judging.judge import Verdict


@dataclass(frozen=True, slots=True)
class Pending:
    """A profile that needs a score: its journal key, what was seen of it, its content's hash and the content
    (as read when the hash was taken: what is scored is what the hash names)."""

    key: str
    seen: Seen
    sha256: str
    document: dict[str, Any]


@dataclass(slots=True)
class JudgeResult:
    judged: int = 0
    reused: int = 0  # scored before, content unchanged
    failed: list[str] = field(default_factory=list)
    not_sent: int = 0  # left out by --max-cost
    cost_usd: float | None = 0.0
    limit_reached: bool = False
    in_batches: int = 0  # --batch: sent, not answered yet
    submitted: int = 0  # --batch: sent by this run
    scores: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)  # owner → the score now


def save_score(
    journal: Journal, key: str, record: dict[str, Any], sha256: str, verdict: Verdict, version: str
) -> dict[str, Any]:
    """Journal a score of the content whose hash is `sha256` (the position's batch mark, if any, cleared)."""
    scores = verdict.scores
    record.pop("judge_batch", None)
    record["judge"] = {
        "sha256": sha256,
        "version": version,
        "model": verdict.model,
        "scores": {k: v["score"] for k, v in scores.items()},
        "reasons": {k: v["reason"] for k, v in scores.items()},
        "mean": round(statistics.fmean(v["score"] for v in scores.values()), 2),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "tokens_in": verdict.tokens_in,
        "tokens_out": verdict.tokens_out,
        "cost_usd": verdict.cost_usd,
    }
    journal.save_position(key, record)
    return dict(record["judge"])
