"""The run loop: generate planned positions with bounded concurrency, journal every step, write the files."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from profilegen.errors import GenerationError, ProviderAbort
from profilegen.export.atomic import remove_stale_temp_files
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import format_file
from profilegen.export.render import FORMATS, RenderOptions, check_formats
from profilegen.export.writer import FileHashes, PlannedWrite, known_hashes, plan_outputs
from profilegen.generation.context import PositionContext, describe, fingerprint_parts
from profilegen.generation.document import Form, assemble
from profilegen.generation.failures import record_failure
from profilegen.generation.limits import Limits, RunState, check_limits, install_signal_handlers
from profilegen.generation.planning import SKIPPED, Task, context_params, generation_params
from profilegen.generation.providers.base import Provider, ProviderResult
from profilegen.generation.report import Outcome, RunReport
from profilegen.journal import Journal
from profilegen.spending import paid_live
from profilegen.template.loader import load_template

EventSink = Callable[[str, dict[str, Any]], None]


class Finish(NamedTuple):
    """An answered position whose files and journal record are still to be written."""

    task: Task
    label: str
    result: ProviderResult
    duration: float
    status: str  # "generated" or "exported"
    record: dict[str, Any]  # its journal record as last written (no second read)


class Engine:
    """Runs planned positions through one provider into OUT, journaling every step."""

    def __init__(
        self,
        provider: Provider,
        journal: Journal,
        layout: OutputLayout,
        *,
        formats: Sequence[str] = ("json", "md"),
        form: Form | None = None,
        concurrency: int = 4,
        limits: Limits | None = None,
        overwrite_edited: bool = False,
        send_employee_name: bool = False,
        on_event: EventSink | None = None,
    ) -> None:
        self.provider = provider
        self.journal = journal
        self.layout = layout
        self.formats = check_formats(list(formats))
        self.form = form or Form(load_template())
        self.render_options = RenderOptions(self.form.template)
        self.overwrite_edited = overwrite_edited
        self.send_employee_name = send_employee_name
        self.concurrency = concurrency
        self.limits = limits or Limits()
        self.on_event = on_event or (lambda _event, _fields: None)
        self.generation_params = generation_params(provider, self.form.template)
        # files are written in one thread (the journal, on the loop: a thread of its own waits on the GIL)
        self._writer: ThreadPoolExecutor | None = None

    async def run(self, tasks: Sequence[Task], run_id: str) -> RunReport:
        """Generate ``tasks`` with ``concurrency`` workers until done or stopped.

        Ctrl-C and SIGTERM stop it the same way as a limit, but also cancel what is in flight:
        those positions go back to `pending`. A second signal exits at once; every write is atomic.
        """
        report = RunReport(run_id)
        queue: asyncio.Queue[Task] = asyncio.Queue()
        for task in tasks:  # what needs no work is settled at once: a stopped run still reports it
            if task.action in SKIPPED:
                report.outcomes.append(self._skip(task))
            else:
                queue.put_nowait(task)
        state = RunState()
        busy = {t.context.unit_path for t in tasks if t.action not in SKIPPED}
        for folder in {self.layout.checked_dir(path) for path in busy}:
            remove_stale_temp_files(folder)

        finishing: set[asyncio.Task[None]] = set()

        def settle(outcome: Outcome) -> None:
            report.outcomes.append(outcome)
            state.record(outcome)

        def stop_on_write_error(task: Task, exc: OSError) -> None:
            # a full disk or an unwritable folder stops the run, losing nothing
            where = f"{self._public(task, str(exc.filename))}: " if exc.filename else ""
            report.stop_reason = "aborted"
            report.stop_message = f"cannot write in {self.layout.out.resolve()}: {where}{exc.strerror or exc}"
            self._requeue(task, queue)

        def internal_failure(task: Task, exc: Exception, paid: ProviderResult | None = None) -> Outcome:
            # a bug met by one position: record it and go on (a journaled answer stays for the next run)
            failure = GenerationError(
                "internal_error",
                f"{type(exc).__name__}: {exc}",
                tokens_in=(paid.tokens_in or 0) if paid else 0,
                tokens_out=(paid.tokens_out or 0) if paid else 0,
                cost_usd=paid.cost_usd if paid else 0.0,
            )
            outcome = self._failed(task, describe(task.context), time.monotonic(), failure)
            outcome.paid = paid is not None
            return outcome

        async def finish(done: Finish) -> None:
            """Write and journal an answered position off the event loop, while its worker moves on."""
            try:
                outcome = await self._finish(done)
            except OSError as exc:
                stop_on_write_error(done.task, exc)
                return
            except Exception as exc:
                outcome = internal_failure(done.task, exc, done.result if done.status == "generated" else None)
            settle(outcome)

        async def worker() -> None:
            while not queue.empty():
                if report.stop_reason is None:
                    check_limits(self.limits, report, state)
                if report.stop_reason is not None:
                    return
                task = queue.get_nowait()
                state.in_flight += 1
                try:
                    result = await self._execute(task, run_id)
                except ProviderAbort as exc:
                    report.stop_reason, report.stop_message = "aborted", f"{exc.error_type}: {exc}"
                    self._requeue(task, queue)
                    return
                except asyncio.CancelledError:
                    self._requeue(task, queue)
                    raise
                except OSError as exc:
                    stop_on_write_error(task, exc)
                    return
                except Exception as exc:
                    result = internal_failure(task, exc)
                finally:
                    state.in_flight -= 1
                if isinstance(result, Finish):
                    if result.status == "generated":
                        state.answered(result.result.cost_usd)
                    background = asyncio.create_task(finish(result))
                    finishing.add(background)
                    background.add_done_callback(finishing.discard)
                else:
                    settle(result)

        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.concurrency))]
        restore = install_signal_handlers(report, workers)
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="profilegen-writer")
        try:
            results = await asyncio.gather(*workers, return_exceptions=True)
            # answered positions are written even when the run stops: they were paid for
            results += await asyncio.gather(*finishing, return_exceptions=True)
        finally:
            restore()
            self._writer.shutdown(wait=True)
            self._writer = None
            await self.provider.close()
        report.not_started = queue.qsize()
        for result in results:
            if isinstance(result, Exception):  # a bug, not a provider failure: let it be seen
                raise result
        return report

    def _skip(self, task: Task) -> Outcome:
        return self.skipped(task.key, describe(task.context), task.action)

    def skipped(self, key: str, label: str, action: str) -> Outcome:
        """A position that needs nothing: said (at -v) and counted."""
        self.on_event("position_skipped", {"position": label, "reason": action.replace("_", " ")})
        return Outcome(key, label, action)

    def _requeue(self, task: Task, queue: asyncio.Queue[Task]) -> None:
        """A position that was started but not finished is pending again (its paid answer, if any, stays)."""
        self.journal.update_position(task.key, status="pending")
        queue.put_nowait(task)

    async def _execute(self, task: Task, run_id: str) -> Outcome | Finish:
        label = describe(task.context)
        record = self.journal.position(task.key) or {}
        document = self.journal.document(task.key) if task.action == "rewrite" else None
        if document is not None:  # rewrite: the last generated version over hand edits (kept as .bak)
            written = self._plan(task, record, document, self.formats).written()
            self.journal.update_position(task.key, outputs=written.suffixes, edited_kept=len(written.kept))
            return Outcome(task.key, label, "rendered", paths=written.paths)
        if task.action == "render":
            document = json.loads(self._path(task.context, "json").read_text(encoding="utf-8"))
            missing = [f for f in self.formats if not self._path(task.context, f).exists()]
            written = self._plan(task, record, document, missing).written()
            return Outcome(task.key, label, "rendered", paths=written.paths)
        if task.action == "export":
            from profilegen.generation.answer import InvalidAnswer, journaled_result  # models load only for work

            try:
                result = journaled_result(record, self.provider.model, self.form.template)
            except InvalidAnswer:
                task.action = "generate"
            else:
                return Finish(task, label, result, float(record.get("duration_s") or 0.0), "exported", record)
        return await self._generate(task, run_id, label, record)

    def _path(self, context: PositionContext, fmt: str) -> Path:
        return self.layout.file(context.unit_path, context.title, fmt, context.employee_name)

    async def _write_files(self, planned: PlannedWrite) -> None:
        """The planned files, written (with their fsyncs) in the writer thread while the loop goes on; once
        started they land even if the run is cancelled meanwhile."""
        write = asyncio.get_running_loop().run_in_executor(self._writer, planned.write)
        try:
            await asyncio.shield(write)
        except asyncio.CancelledError:
            await write
            raise

    async def _generate(self, task: Task, run_id: str, label: str, record: dict[str, Any]) -> Outcome | Finish:
        """``record``: the position's journal record, kept up to date here and passed on (this worker alone
        writes it until the position is finished, so it is not read again)."""
        started = time.monotonic()
        params = context_params(task.context, self.generation_params, self.send_employee_name)
        record.update(
            status="running",
            run_id=run_id,
            fingerprint=task.fingerprint,
            fingerprint_parts=fingerprint_parts(task.context, params),
            attempts=int(record.get("attempts", 0)) + 1,
            raw_answer=None,
            unit_path=list(task.context.unit_path),
            title=task.context.title,
            kpi_source=task.context.kpi_source,
        )
        self.journal.save_position(task.key, record)

        def answered(raw: str, usage: dict[str, Any]) -> None:
            with self.journal.transaction():  # the answer and what it cost, in one commit
                record.update(raw_answer=raw, **usage)
                self.journal.save_position(task.key, record)
                paid_live(self.journal, task.key, run_id, usage["tokens_in"], usage["tokens_out"], usage["cost_usd"])

        async def journal_answer(raw: str, usage: dict[str, Any]) -> None:
            answered(raw, usage)

        try:
            result = await self.provider.generate(task.context, journal_answer)
        except GenerationError as exc:
            return self._failed(task, label, started, exc)
        return Finish(task, label, result, round(time.monotonic() - started, 3), "generated", record)

    async def _finish(self, done: Finish) -> Outcome:
        task, label, result, duration, status, record = done
        document = assemble(
            task.context,
            result,
            generator=self.provider.generator,
            prompt_version=self.provider.prompt_version,
            fingerprint=task.fingerprint,
            form=self.form,
            duration=duration,
        )
        # the journal's copy (for `diff`) names a person by hash only; the name lives in the profile alone
        stored = {**document, "meta": {**document["meta"], "employee_name": self._person(task)}}
        planned = self._plan(task, record, document, self._formats_for(task), stored)
        await self._write_files(planned)
        written = planned.result
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
            generator=self.provider.generator,
            warnings=result.warnings,
            generated_ts=time.time(),
        )
        self.journal.save_position(task.key, record)
        public = [self._public(task, p) for p in written.kept]
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": self._person(task),
            "duration_s": duration,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost_usd": result.cost_usd,
            "kpi_source": task.context.kpi_source,
            "attempts": result.attempts,
            "kept_edited": public,
            "backups": [self._public(task, p) for p in written.backups],
        }
        self.on_event("position_generated", fields)
        if written.kept:
            self.on_event("position_kept", {"position": label, "reason": "edited by hand", "files": public})
        fresh = status == "generated"
        return Outcome(
            task.key,
            label,
            status,
            duration,
            result.tokens_in if fresh else 0,
            result.tokens_out if fresh else 0,
            result.cost_usd if fresh else 0.0,
            paths=written.paths,
            kept=written.kept,
        )

    def _formats_for(self, task: Task) -> list[str]:
        """The formats asked for, and every other format already on disk beside the profile (so no file
        of an older generation is left next to the new one)."""
        stem = self.layout.stem(task.context.unit_path, task.context.title, task.context.employee_name)
        return [*self.formats, *(f for f in FORMATS if f not in self.formats and format_file(stem, f).exists())]

    def _failed(self, task: Task, label: str, started: float, exc: GenerationError) -> Outcome:
        streak, quarantined = record_failure(self.journal, task.key, exc, self.limits.quarantine_after)
        run_id = (self.journal.position(task.key) or {}).get("run_id")
        if run_id:
            paid_live(self.journal, task.key, str(run_id), exc.tokens_in, exc.tokens_out, exc.cost_usd)
        if quarantined:
            self.on_event("position_quarantined", {"position": label, "failed_runs": streak})
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": self._person(task),
            "error_type": exc.error_type,
            "message": str(exc),
            "tokens_in": exc.tokens_in,
            "tokens_out": exc.tokens_out,
            "attempts": exc.attempts,
        }
        self.on_event("position_failed", fields)
        return Outcome(
            task.key,
            label,
            "failed",
            round(time.monotonic() - started, 3),
            exc.tokens_in,
            exc.tokens_out,
            exc.cost_usd,
            error_type=exc.error_type,
            message=str(exc),
        )

    def _plan(
        self,
        task: Task,
        record: dict[str, Any],
        document: dict[str, Any],
        formats: Sequence[str],
        stored_document: dict[str, Any] | None = None,
    ) -> PlannedWrite:
        """Render ``formats`` for a position, hand edits protected, and journal their hashes (with the
        document kept for `diff`, in the same commit) before any file is written. ``record`` is updated
        in place."""
        stem = self.layout.stem(task.context.unit_path, task.context.title, task.context.employee_name)

        def record_hashes(hashes: FileHashes) -> None:
            record["file_hashes"] = hashes
            if not task.context.employee_name:  # where its files are (for orphans); a person's file name is a name
                record["stem"] = Path(os.path.relpath(stem, self.layout.out)).as_posix()
            with self.journal.transaction():
                if stored_document is not None:
                    self.journal.save_document(task.key, stored_document)
                self.journal.save_position(task.key, record)

        return plan_outputs(
            stem, document, formats, self.render_options, known_hashes(record), record_hashes, self.overwrite_edited
        )

    def _public(self, task: Task, path: str) -> str:
        context = task.context
        return self.layout.public(path, context.unit_path, context.title, context.employee_name, self._person(task))

    def _person(self, task: Task) -> str | None:
        """Logs name a person only by keyed hash; the name itself is written only into the profile."""
        name = task.context.employee_name
        return f"person:{self.journal.person_hash(name)}" if name else None
