"""Planning: what each selected position needs (generate, export, render, nothing) and why."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from profilegen.export.layout import OutputLayout
from profilegen.export.paths import Listing, format_name
from profilegen.generation.context import PositionContext, changed_parts, fingerprint, fingerprint_parts, label
from profilegen.generation.providers.base import Provider
from profilegen.generation.versions import SCHEMA_VERSION
from profilegen.journal import Journal
from profilegen.org.model import UnitPath
from profilegen.template.model import Template

if TYPE_CHECKING:
    from profilegen.generation.plan_cache import Fingerprints

SKIPPED = ("up_to_date", "frozen", "quarantined", "kept_llm", "in_batch")  # actions that touch nothing


@dataclass(slots=True)
class Task:
    """One position to bring up to date."""

    key: str
    unit_path: UnitPath
    title: str
    employee_name: str | None
    fingerprint: str
    # "generate"; "export" (a journaled answer); "render" (missing formats); "rewrite" (over hand edits, with
    # --overwrite-edited); "up_to_date"; "frozen"; "quarantined"; "kept_llm"; "in_batch" (in an open batch)
    action: str
    reason: str = ""
    # kept only by a task with work: a night that plans 100,000 positions holds the few that changed
    work: PositionContext | None = None

    @property
    def context(self) -> PositionContext:
        """The context of a task with work that keeps it (one with nothing to do keeps none; in a large run, one
        with work has it made when its turn comes: `Engine` holds it while the task is under way)."""
        if self.work is None:
            raise AssertionError(f"{self.label} ({self.action}) holds no context: nothing to do, done, or not its turn")
        return self.work

    @property
    def label(self) -> str:
        return label(self.unit_path, self.title)

    def __reduce__(self) -> tuple[Any, ...]:
        # the key goes to the writer process as UTF-8 bytes: pickling a str keeps its UTF-8 form on the string
        # for as long as it lives, and a run's keys live to its end (28 MB of copies at 100,000 positions)
        fields = (self.unit_path, self.title, self.employee_name, self.fingerprint, self.action, self.reason, self.work)
        return (_task, (self.key.encode(), *fields))


def _task(key: bytes, *fields: Any) -> Task:
    return Task(key.decode(), *fields)


def generation_params(provider: Provider, template: Template) -> dict[str, Any]:
    """Everything about the generation that shapes a profile (part of every fingerprint): the template's
    content among them."""
    return {
        "provider": provider.name,
        "model": provider.model,
        "prompt_version": provider.prompt_version,
        "schema_version": SCHEMA_VERSION,
        "language": template.language,
        "template": template.sha256,
        **provider.params(),
    }


def context_params(context: PositionContext, params: dict[str, Any], send_employee_name: bool) -> dict[str, Any]:
    """The generation parameters of one position: a personal profile also depends on whether its name is sent."""
    if context.employee_name is None:
        return params
    return {**params, "send_employee_name": send_employee_name}


class FolderListing:
    """The file names in each unit's folder, listed once (planning asks about thousands of files)."""

    def __init__(self, layout: OutputLayout) -> None:
        self.layout = layout
        self._listing = Listing()

    def __call__(self, unit: UnitPath) -> frozenset[str]:
        try:
            folder = self.layout.checked_dir(unit)
        except OSError:
            return frozenset()
        return self._listing.names(folder)


@dataclass(slots=True)
class Planner:
    """Classifies positions against the journal and the files in OUT."""

    provider: Provider
    journal: Journal
    layout: OutputLayout
    formats: Sequence[str]
    params: dict[str, Any]
    force: bool = False
    force_since: float | None = None  # --force regenerates only what was generated before this time
    overwrite_edited: bool = False
    retry_quarantined: bool = False
    send_employee_name: bool = False
    _records: dict[str, dict[str, Any]] = field(default_factory=dict)

    def plan(
        self,
        contexts: Iterable[PositionContext],
        records: dict[str, dict[str, Any]] | None = None,
        keep: int | None = None,
    ) -> list[Task]:
        """A task per context (each read once: a context is kept only by a task with work, and by the first
        ``keep`` of those when given — the others' are made again when their turn comes); ``records`` are the
        journal's position summaries when already read."""
        exists = FolderListing(self.layout)
        self._records = records if records is not None else self.journal.position_summaries()
        tasks = []
        kept = 0
        for context in contexts:
            # the same string as the record's key (interned there): 100,000 keys spell out paths and titles
            key = sys.intern(self.journal.position_key(context.unit_path, context.title, context.employee_name))
            params = context_params(context, self.params, self.send_employee_name)
            fp = fingerprint(context, params)
            recorded = self._records.get(key)
            if recorded is not None and recorded.get("fingerprint") == fp:
                fp = recorded["fingerprint"]  # one string for the record and the task, not two
            task = self._classify(key, context, fp, params, exists)
            if task.work is not None:
                kept += 1
                if keep is not None and kept > keep:
                    task.work = None
            tasks.append(task)
        self._records = {}  # the journal's summaries are let go once planned (the run reuses their memory)
        return tasks

    def _classify(
        self, key: str, context: PositionContext, fp: str, params: dict[str, Any], listing: FolderListing
    ) -> Task:
        action, reason = self._decide(key, context.unit_path, context.title, context.employee_name, fp, listing)
        if reason == "inputs changed":
            recorded = (self.journal.position(key) or {}).get("fingerprint_parts")  # the few that changed
            parts = changed_parts(recorded, fingerprint_parts(context, params))
            # one string per kind of change: a night after an upgrade held 76,000 copies of a few (7 MB)
            reason = sys.intern(f"inputs changed: {', '.join(parts)}") if parts else reason
        work = None if action in SKIPPED else context
        return Task(key, context.unit_path, context.title, context.employee_name, fp, action, reason, work)

    def quick(
        self,
        positions: Sequence[tuple[UnitPath, str]],
        employee: str | None,
        fingerprints: Fingerprints,
        records: dict[str, dict[str, Any]],
    ) -> list[tuple[str, str, str]] | None:
        """(key, label, action) of every position when none needs work, from fingerprints already known for
        exactly these inputs (no context built); None as soon as one needs work or is not known."""
        listing = FolderListing(self.layout)
        self._records = records
        found = []
        for unit_path, title in positions:
            key = self.journal.position_key(unit_path, title, employee)
            fp = fingerprints.get(key)
            if fp is None:
                return None
            action, _ = self._decide(key, unit_path, title, employee, fp, listing)
            if action not in SKIPPED:
                return None
            found.append((key, label(unit_path, title), action))
        return found

    def _decide(
        self, key: str, unit_path: UnitPath, title: str, employee: str | None, fp: str, listing: FolderListing
    ) -> tuple[str, str]:
        """What a position needs, and why, from its journal record and the files in its folder."""
        stem_name = self.layout.file_stem(unit_path, title, employee)
        names = listing(unit_path)

        def exists(fmt: str) -> bool:
            return format_name(stem_name, fmt) in names

        record = self._records.get(key)
        if record is not None and record.get("batch_id") and record.get("status") == "submitted":
            return "in_batch", f"in batch {record['batch_id']}"  # never sent twice
        if record is not None and record.get("frozen"):
            return "frozen", "frozen"
        if record is not None and record.get("quarantined") and not self.retry_quarantined:
            return "quarantined", "quarantined (--retry-quarantined)"
        if self.force and not self._forced_already(record):
            return "generate", "--force"
        if record is None:
            return "generate", "new"
        status = str(record.get("status", "pending"))
        if (
            not self.force
            and self.provider.generator == "offline"
            and record.get("generator") == "llm"
            and status == "done"
            and exists("json")
        ):  # an LLM profile is never replaced by an offline draft without --force
            return "kept_llm", "llm profile"
        if status != "done":
            if record.get("raw_answer") and record.get("fingerprint") == fp:
                return "export", "answer journaled, outputs missing"
            return "generate", status
        if record.get("fingerprint") != fp:
            return "generate", "inputs changed"
        if not exists("json"):
            return "generate", "output missing"
        if any(not exists(f) for f in self.formats):
            return "render", "format missing"
        if self.overwrite_edited and record.get("edited_kept"):
            return "rewrite", "--overwrite-edited"
        return "up_to_date", ""

    def _forced_already(self, record: dict[str, Any] | None) -> bool:
        """Regenerated by the interrupted forced run this one continues (so not paid for again)."""
        if self.force_since is None or record is None or record.get("status") != "done":
            return False
        return float(record.get("generated_ts") or 0.0) >= self.force_since
