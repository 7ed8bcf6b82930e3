"""What a run did: one outcome per position, and the counts and totals a summary shows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Outcome:
    key: str
    label: str
    status: str  # generated, exported, rendered, up_to_date, failed, frozen, quarantined, kept_llm, submitted, in_batch
    duration_s: float = 0.0
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    message: str | None = None
    kept: tuple[str, ...] = ()  # files edited by hand, left as they were (what was written is not kept: a run of
    # 100,000 positions held 90 MB of paths nobody read)
    paid: bool = False  # an answer was paid for in this run (a failure after it included)


@dataclass(slots=True, repr=False)
class RunReport:
    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    stop_reason: str | None = None  # aborted, budget, duration, failures, interrupted, terminated
    stop_message: str | None = None
    not_started: int = 0  # positions that needed work and were not started

    def __repr__(self) -> str:
        # short: asyncio.run formats its finished task with its result (in a message it throws away), and a
        # report spelling out 100,000 outcomes made a 200 MB string at the end of every large run
        return f"RunReport({self.run_id!r}, {len(self.outcomes)} outcomes, stop_reason={self.stop_reason!r})"

    def counts(self) -> dict[str, int]:
        counts = Counter(o.status for o in self.outcomes)
        keys = (
            "generated",
            "exported",
            "rendered",
            "up_to_date",
            "failed",
            "frozen",
            "quarantined",
            "kept_llm",
            "submitted",
            "in_batch",
        )
        kept = sum(1 for o in self.outcomes if o.kept)
        return {**{k: counts.get(k, 0) for k in keys}, "kept_edited": kept, "not_started": self.not_started}

    def totals(self) -> dict[str, Any]:
        tokens_in = sum(o.tokens_in or 0 for o in self.outcomes)
        tokens_out = sum(o.tokens_out or 0 for o in self.outcomes)
        paid = [o for o in self.outcomes if o.status in ("generated", "failed") or o.paid]
        unknown = any(o.cost_usd is None for o in paid)
        cost = None if unknown else round(sum(o.cost_usd or 0.0 for o in paid), 6)
        return {"tokens_in": tokens_in, "tokens_out": tokens_out, "cost_usd": cost}
