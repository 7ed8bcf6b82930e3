"""A checked profile as `report` shows it and `check --judge` reads it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen.checking.findings import Owner
from profilegen.export.documents import UnreadableProfile, read_profile
from profilegen.judging.scores import current_score


@dataclass(frozen=True, slots=True)
class Seen:
    """A selected position's profile as `report` shows it and the judge reads it: its file (None when not
    generated yet), read again when asked for — 100,000 documents held at once took gigabytes."""

    owner: Owner
    path: str | None  # as text: 100,000 Path objects held took 40 MB more
    status: str  # approved, changed, unapproved
    approval: dict[str, Any] | None
    judge: dict[str, Any] | None = None  # the journaled score (check --judge), of this content or an earlier one

    def document(self) -> dict[str, Any] | None:
        """The profile as it is on disk now (None when not generated, or no longer readable)."""
        if self.path is None:
            return None
        try:
            return read_profile(Path(self.path))
        except UnreadableProfile:
            return None

    def score(self, document: dict[str, Any] | None) -> dict[str, Any] | None:
        """The journaled score when it is of ``document`` (as read from its file)."""
        return current_score({"judge": self.judge} if self.judge else None, document)
