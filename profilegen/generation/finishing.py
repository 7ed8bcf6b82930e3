"""Writing an answered position: its document assembled and rendered, the files' hashes journaled before
the files (whatever a crash leaves is recognisably ours), then the files, then the record marked done.

A small run does this in one thread beside the event loop. A large one does it in a process of its own:
the loop's core is then left to the requests (rendering, hashing and journaling cost more CPU per
position than the HTTP client does, and one interpreter runs one thread at a time). The answer is
journaled by the run before it is handed over, so nothing handed over can be paid for twice: a position
the writer never reached (a kill) is written from its journaled answer by the next run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from profilegen.export.atomic import StagedFiles
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import format_file
from profilegen.export.render import FORMATS, RenderOptions
from profilegen.export.writer import FileHashes, PlannedWrite, WriteResult, known_hashes, plan_outputs
from profilegen.forking import cores
from profilegen.generation.answer import quality_warnings
from profilegen.generation.context import fingerprint_parts
from profilegen.generation.document import Form, assemble
from profilegen.generation.planning import Task, context_params
from profilegen.generation.providers.base import ProviderResult
from profilegen.generation.report import Outcome
from profilegen.journal import Journal

Event = tuple[str, dict[str, Any]]
Written = tuple[Outcome, list[Event]]  # what writing a position gives the run: its outcome, events to log
PROCESS_FROM = 200  # answered positions in a run from which `writer_process: auto` writes in a process


class Finish(NamedTuple):
    """An answered position whose files and journal record are still to be written."""

    task: Task
    label: str
    result: ProviderResult
    duration: float
    status: str  # "generated" or "exported"
    record: dict[str, Any]  # its journal record as last written (no second read)


class Save(NamedTuple):
    """A journal write: a position's record, and the document kept for `diff` when there is one."""

    key: str
    record: dict[str, Any]
    document: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class WriterSpec:
    """What writing needs, picklable: a writer process is started from it."""

    state_dir: Path
    layout: OutputLayout
    form: Form
    formats: tuple[str, ...]
    overwrite_edited: bool
    generator: str
    prompt_version: str
    params: dict[str, Any]  # the run's generation parameters (a position's fingerprint parts)
    send_employee_name: bool


class Finisher:
    """Renders, journals and writes the profiles of one run (the run's journal, or a process's own)."""

    def __init__(self, spec: WriterSpec, journal: Journal) -> None:
        self.spec = spec
        self.journal = journal
        self.layout = spec.layout
        self.render_options = RenderOptions(spec.form.template)

    def plan(
        self,
        task: Task,
        record: dict[str, Any],
        document: dict[str, Any],
        formats: Sequence[str],
        stored_document: dict[str, Any] | None = None,
        saves: list[Save] | None = None,
    ) -> PlannedWrite:
        """Render ``formats`` for a position, hand edits protected, and journal their hashes (with the
        document kept for `diff`, in the same commit) before any file is written. ``record`` is updated
        in place. With ``saves`` the journal's writes are added to it, for the caller to commit."""
        stem = self.layout.stem(task.context.unit_path, task.context.title, task.context.employee_name)

        def record_hashes(hashes: FileHashes) -> None:
            record["file_hashes"] = hashes
            if not task.context.employee_name:  # where its files are (for orphans); a person's file name is a name
                record["stem"] = Path(os.path.relpath(stem, self.layout.out)).as_posix()
            save = Save(task.key, record, stored_document)
            if saves is None:
                self._commit([save])
            else:
                saves.append(save)

        return plan_outputs(
            stem,
            document,
            formats,
            self.render_options,
            known_hashes(record),
            record_hashes,
            self.spec.overwrite_edited,
        )

    def _commit(self, saves: Sequence[Save]) -> None:
        with self.journal.transaction():
            for key, record, document in saves:
                if document is not None:
                    self.journal.save_document(key, document)
                self.journal.save_position(key, record)

    def finish_many(self, batch: Sequence[Finish]) -> list[Written | BaseException]:
        """Write answered positions: rendered one by one, their hashes journaled in one commit, the files
        written (flushed to disk together), then their records marked done in one more (two commits however
        many: the run's loop, journaling answers meanwhile, seldom waits for the journal's lock). A
        position's own failure (a full disk, a bug) is its result; the others go on."""
        results: list[Written | BaseException] = []
        planned: list[tuple[int, PlannedWrite]] = []
        saves: list[Save] = []
        for done in batch:
            try:
                planned.append((len(results), self._plan_finish(done, saves)))
                results.append(RuntimeError("not written"))
            except Exception as exc:
                results.append(exc)
        self._commit(saves)
        files = StagedFiles()  # one flush to disk for the batch's files, not an fsync each
        staged: list[tuple[int, PlannedWrite]] = []
        for index, plan in planned:
            try:
                plan.stage(files, index)
                staged.append((index, plan))
            except Exception as exc:
                results[index] = exc
        try:
            failed: dict[Hashable, OSError] = files.commit()
        except OSError as exc:
            failed = {index: exc for index, _plan in staged}
        finished: list[Save] = []
        for index, plan in staged:
            try:
                if index in failed:
                    raise failed[index]
                plan.settle()
                results[index] = self._written(batch[index], plan.result)
                finished.append(Save(batch[index].task.key, batch[index].record, None))
            except Exception as exc:
                results[index] = exc
        self._commit(finished)
        return results

    def _plan_finish(self, done: Finish, saves: list[Save]) -> PlannedWrite:
        task, _label, result, duration, _status, _record = done
        result.warnings = [*result.warnings, *quality_warnings(result.profile, self.spec.form.template)]
        document = assemble(
            task.context,
            result,
            generator=self.spec.generator,
            prompt_version=self.spec.prompt_version,
            fingerprint=task.fingerprint,
            form=self.spec.form,
            duration=duration,
        )
        # the journal's copy (for `diff`) names a person by hash only; the name lives in the profile alone
        stored = {**document, "meta": {**document["meta"], "employee_name": self.person(task)}}
        return self.plan(task, done.record, document, self._formats_for(task), stored, saves)

    def _written(self, done: Finish, written: WriteResult) -> Written:
        """A position's files are written: its record is done (saved by the caller), its outcome and events."""
        task, label, result, duration, status, record = done
        record.update(
            outputs=written.suffixes,
            edited_kept=len(written.kept),
            failure_streak=0,
            quarantined=False,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=result.cost_usd,
            duration_s=duration,
            model=result.model,
            status="done",
            raw_answer=None,
            last_error=None,
            fingerprint=task.fingerprint,
            generator=self.spec.generator,
            warnings=result.warnings,
            generated_ts=time.time(),
            fingerprint_parts=fingerprint_parts(
                task.context, context_params(task.context, self.spec.params, self.spec.send_employee_name)
            ),
        )
        public = [self.public(task, p) for p in written.kept]
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": self.person(task),
            "duration_s": duration,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost_usd": result.cost_usd,
            "kpi_source": task.context.kpi_source,
            "attempts": result.attempts,
            "kept_edited": public,
            "backups": [self.public(task, p) for p in written.backups],
        }
        events: list[Event] = [("position_generated", fields)]
        if written.kept:
            events.append(("position_kept", {"position": label, "reason": "edited by hand", "files": public}))
        fresh = status == "generated"
        outcome = Outcome(
            task.key,
            label,
            status,
            duration,
            result.tokens_in if fresh else 0,
            result.tokens_out if fresh else 0,
            result.cost_usd if fresh else 0.0,
            kept=tuple(written.kept),
        )
        return outcome, events

    def _formats_for(self, task: Task) -> list[str]:
        """The formats asked for, and every other format already on disk beside the profile (so no file
        of an older generation is left next to the new one)."""
        formats = self.spec.formats
        stem = self.layout.stem(task.context.unit_path, task.context.title, task.context.employee_name)
        return [*formats, *(f for f in FORMATS if f not in formats and format_file(stem, f).exists())]

    def public(self, task: Task, path: str) -> str:
        context = task.context
        return self.layout.public(path, context.unit_path, context.title, context.employee_name, self.person(task))

    def person(self, task: Task) -> str | None:
        """Logs name a person only by keyed hash; the name itself is written only into the profile."""
        name = task.context.employee_name
        return f"person:{self.journal.person_hash(name)}" if name else None


def use_process(setting: str, answered: int) -> bool:
    """Whether a run writes in a process of its own: ``on``, ``off``, or ``auto`` (a large run, two cores)."""
    if setting != "auto":
        return setting == "on"
    return answered >= PROCESS_FROM and cores() >= 2


# -- the writer process ---------------------------------------------------------------
_finisher: list[Finisher] = []
_busy = threading.Lock()


def start_writer(spec: WriterSpec, run: int) -> None:
    """A writer process's start: its own journal connection; signals left to the run, which stops it by
    closing its queue once everything handed over is written; and a watch on the run itself."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    _finisher.append(Finisher(spec, Journal(spec.state_dir)))
    threading.Thread(target=_watch, args=(run,), daemon=True).start()


def finish_in_writer(batch: list[Finish]) -> list[Written | BaseException]:
    with _busy:
        return _finisher[0].finish_many(batch)


def _watch(parent: int) -> None:
    """A run killed outright leaves its writer waiting on a queue nobody closes: end it once the position
    in hand is written (the ones queued behind it were journaled with their answers)."""
    while os.getppid() == parent:  # the run's process id, passed (it may be gone before this process starts)
        time.sleep(0.5)
    with _busy:
        _finisher[0].journal.close()
        os._exit(0)
