"""HR's sign-off: `approve` and `unapprove`, kept in the journal with the approved file's content hash.

An approved profile is frozen (no run regenerates it, `--force` included). The approval names the bytes
that were approved: when the file changes afterwards (a `.new` version accepted, a hand edit, a run after
`unfreeze`), its status is `changed` — it needs approval again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.config import Settings
from profilegen.export.paths import format_file
from profilegen.export.writer import file_hash
from profilegen.inputs import Selection
from profilegen.journal import Journal
from profilegen.locking import StateLock
from profilegen.review import choose

APPROVED, CHANGED, UNAPPROVED = "approved", "changed", "unapproved"


def approval_status(record: dict[str, Any] | None, json_path: Path) -> str:
    """`approved` (as signed off), `changed` (signed off, then changed on disk) or `unapproved`."""
    approval = (record or {}).get("approval")
    if not approval:
        return UNAPPROVED
    return APPROVED if file_hash(json_path) == approval.get("sha256") else CHANGED


@dataclass(frozen=True, slots=True)
class Approvals:
    """Every approval in a journal, read at once (so a check needs no journal as it goes, and can fork)."""

    key: Callable[[tuple[str, ...], str, str | None], str]  # the journal's position key
    signed: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, journal: Journal) -> Approvals:
        fields = journal.position_fields(("approval",), having="approval")
        return cls(journal.position_key, {key: found["approval"] for key, found in fields.items() if found["approval"]})

    def status(self, unit_path: tuple[str, ...], title: str, employee: str | None, json_path: Path) -> str:
        approval = self.signed.get(self.key(unit_path, title, employee)) if self.signed else None
        return approval_status({"approval": approval} if approval else None, json_path)


def approval_counts(records: Iterable[dict[str, Any]], out: Path) -> dict[str, int]:
    """How many positions are approved, changed since their approval, and not approved."""
    counts = dict.fromkeys((APPROVED, CHANGED, UNAPPROVED), 0)
    for record in records:
        approval = record.get("approval")
        counts[approval_status(record, out / str(approval.get("file", ""))) if approval else UNAPPROVED] += 1
    return counts


@dataclass(slots=True)
class ApprovalResult:
    changed: int = 0
    missing: list[str] = field(default_factory=list)  # selected positions with no profile to approve
    personal: list[str] = field(default_factory=list)


def set_approval(
    settings: Settings,
    state_dir: Path,
    selection: Selection,
    *,
    approve: bool,
    by: str = "",
    note: str = "",
) -> ApprovalResult:
    """Approve (and freeze) the selected profiles as they are on disk now, or take the approval back."""
    with StateLock(state_dir):
        choice = choose(settings, selection)
        result = ApprovalResult(personal=choice.personal)
        with Journal(state_dir) as journal:
            for position in choice.positions:
                key = journal.position_key(position.unit_path, position.title, choice.employee)
                record = journal.position(key) or {"unit_path": list(position.unit_path), "title": position.title}
                json_path = format_file(choice.stem(position), "json")
                if approve:
                    digest = file_hash(json_path)
                    if digest is None:
                        result.missing.append(f"{' / '.join(position.unit_path)} — {position.title}")
                        continue
                    if (record.get("approval") or {}).get("sha256") == digest:
                        continue  # approved as it is
                    was_frozen = bool((record.get("approval") or {}).get("was_frozen", record.get("frozen")))
                    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
                    record["approval"] = {
                        "by": by,
                        "note": note,
                        "at": stamp,
                        "sha256": digest,
                        "file": Path(os.path.relpath(json_path, settings.out.resolve())).as_posix(),
                        "was_frozen": was_frozen,
                    }
                    record["frozen"] = True
                elif record.get("approval"):
                    record["frozen"] = bool(record.pop("approval").get("was_frozen"))
                else:
                    continue
                journal.save_position(key, record)
                result.changed += 1
        return result
