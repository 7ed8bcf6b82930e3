"""A failed position in the journal: its error, its streak of failures that would repeat, its quarantine."""

from __future__ import annotations

from typing import Any

from profilegen.errors import GenerationError
from profilegen.journal import Journal

NON_TRANSIENT = frozenset({"invalid_output", "truncated", "bad_request"})


def record_failure(
    journal: Journal,
    key: str,
    exc: GenerationError,
    quarantine_after: int,
    record: dict[str, Any] | None = None,
    **extra: Any,
) -> tuple[int, bool]:
    """Journal a failed position: a failure that would repeat (invalid, truncated, refused) lengthens its
    streak, and a long enough streak quarantines it. ``record``: the position's record as the caller holds
    it (updated in place), else it is read. Returns (streak, quarantined)."""
    if record is None:
        record = journal.position(key) or {}
    streak = int(record.get("failure_streak") or 0) + 1 if exc.error_type in NON_TRANSIENT else 0
    quarantined = streak >= quarantine_after
    record.update(
        status="failed",
        last_error={"type": exc.error_type, "message": str(exc)},
        tokens_in=exc.tokens_in,
        tokens_out=exc.tokens_out,
        cost_usd=exc.cost_usd,
        failure_streak=streak,
        quarantined=quarantined,
        **extra,
    )
    journal.save_position(key, record)
    return streak, quarantined
