"""A failed position in the journal: its error, its streak of failures that would repeat, its quarantine."""

from __future__ import annotations

from typing import Any

from profilegen.errors import GenerationError
from profilegen.journal import Journal

NON_TRANSIENT = frozenset({"invalid_output", "truncated", "bad_request"})


def record_failure(
    journal: Journal, key: str, exc: GenerationError, quarantine_after: int, **extra: Any
) -> tuple[int, bool]:
    """Journal a failed position: a failure that would repeat (invalid, truncated, refused) lengthens its
    streak, and a long enough streak quarantines it. Returns (streak, quarantined)."""
    record = journal.position(key) or {}
    streak = int(record.get("failure_streak") or 0) + 1 if exc.error_type in NON_TRANSIENT else 0
    quarantined = streak >= quarantine_after
    journal.update_position(
        key,
        status="failed",
        last_error={"type": exc.error_type, "message": str(exc)},
        tokens_in=exc.tokens_in,
        tokens_out=exc.tokens_out,
        cost_usd=exc.cost_usd,
        failure_streak=streak,
        quarantined=quarantined,
        **extra,
    )
    return streak, quarantined
