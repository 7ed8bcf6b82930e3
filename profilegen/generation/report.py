"""What a run did: counts and totals over its positions' outcomes, and the outcomes a summary names."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

STATUSES = (
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


@dataclass(slots=True)
class Outcome:
    key: str
    label: str
    status: str  # one of STATUSES
    duration_s: float = 0.0
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    message: str | None = None
    kept: tuple[str, ...] = ()  # files edited by hand, left as they were (what was written is not kept: a run of
    # 100,000 positions held 90 MB of paths nobody read)
    paid: bool = False  # an answer was paid for in this run (a failure after it included)

    @property
    def named(self) -> bool:
        """A summary names it: a failure, a quarantine, files kept as edited."""
        return self.status in ("failed", "quarantined") or bool(self.kept)


@dataclass(slots=True, repr=False)
class RunReport:
    """Counted as outcomes are added; only the outcomes a summary names are kept (`keep_all`: every one, for
    a batch run that merges its rounds by position) — a run of 100,000 positions held 60 MB of outcomes."""

    run_id: str
    keep_all: bool = False
    outcomes: list[Outcome] = field(default_factory=list)  # those named, or every one with `keep_all`
    stop_reason: str | None = None  # aborted, budget, duration, failures, interrupted, terminated
    stop_message: str | None = None
    not_started: int = 0  # positions that needed work and were not started
    added: int = 0
    _counts: Counter[str] = field(default_factory=Counter)
    _kept_edited: int = 0
    _tokens_in: int = 0
    _tokens_out: int = 0
    _cost: float = 0.0
    _cost_unknown: bool = False

    def __repr__(self) -> str:
        # short: asyncio.run formats its finished task with its result (in a message it throws away), and a
        # report spelling out 100,000 outcomes made a 200 MB string at the end of every large run
        return f"RunReport({self.run_id!r}, {self.added} outcomes, stop_reason={self.stop_reason!r})"

    @classmethod
    def of(cls, run_id: str, outcomes: Iterable[Outcome]) -> RunReport:
        report = cls(run_id)
        for outcome in outcomes:
            report.add(outcome)
        return report

    def add(self, outcome: Outcome) -> None:
        self.added += 1
        self._counts[outcome.status] += 1
        self._kept_edited += bool(outcome.kept)
        self._tokens_in += outcome.tokens_in or 0
        self._tokens_out += outcome.tokens_out or 0
        if outcome.status in ("generated", "failed") or outcome.paid:
            if outcome.cost_usd is None:
                self._cost_unknown = True
            else:
                self._cost += outcome.cost_usd
        if self.keep_all or outcome.named:
            self.outcomes.append(outcome)

    def counts(self) -> dict[str, int]:
        return {
            **{k: self._counts.get(k, 0) for k in STATUSES},
            "kept_edited": self._kept_edited,
            "not_started": self.not_started,
        }

    def totals(self) -> dict[str, Any]:
        cost = None if self._cost_unknown else round(self._cost, 6)
        return {"tokens_in": self._tokens_in, "tokens_out": self._tokens_out, "cost_usd": cost}
