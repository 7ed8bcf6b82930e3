"""The run loop: generate planned positions with bounded concurrency, journal every step, write the files."""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from profilegen.errors import GenerationError, ProviderAbort
from profilegen.export.atomic import remove_stale_temp_files
from profilegen.export.layout import OutputLayout
from profilegen.export.render import check_formats
from profilegen.generation.context import PositionContext, describe, fingerprint_parts
from profilegen.generation.document import Form
from profilegen.generation.failures import record_failure
from profilegen.generation.feed import Feed
from profilegen.generation.finishing import (
    Finish,
    Finisher,
    WriterSpec,
    Written,
    finish_in_writer,
    start_writer,
    use_process,
)
from profilegen.generation.limits import Limits, RunState, check_limits, install_signal_handlers
from profilegen.generation.planning import SKIPPED, Task, context_params, generation_params
from profilegen.generation.providers.base import Provider, ProviderResult
from profilegen.generation.report import Outcome, RunReport
from profilegen.journal import Journal
from profilegen.org.model import UnitPath
from profilegen.spending import paid_live
from profilegen.template.loader import load_template

EventSink = Callable[[str, dict[str, Any]], None]
# answered positions waiting for the writer, at most (about): an offline run answers faster than files are
# written, and 100,000 answers held at once took gigabytes; a live run's answers rarely wait at all
WRITER_BACKLOG = 256


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
        writer_process: str = "auto",
    ) -> None:
        self.provider = provider
        self.journal = journal
        self.layout = layout
        self.formats = check_formats(list(formats))
        self.form = form or Form(load_template())
        self.send_employee_name = send_employee_name
        self.concurrency = concurrency
        self.limits = limits or Limits()
        self.on_event = on_event or (lambda _event, _fields: None)
        self.generation_params = generation_params(provider, self.form.template)
        self.writer_process = writer_process
        spec = WriterSpec(
            journal.state_dir,
            layout,
            self.form,
            tuple(self.formats),
            overwrite_edited,
            provider.generator,
            provider.prompt_version,
            self.generation_params,
            send_employee_name,
        )
        self.finisher = Finisher(spec, journal)
        self._writer: Feed[Finish, Written] | None = None
        # a task planned without its context (a large run keeps a few) has it made again when its turn comes
        self.remake: Callable[[UnitPath, str], PositionContext] | None = None
        # answers are journaled in a thread of their own, those that arrive together in one commit: the loop
        # never waits for the journal's lock (the writer holds it at times)
        self._answers: Feed[Callable[[], None], None] | None = None

    async def run(self, tasks: Sequence[Task], run_id: str, keep_all: bool = False) -> RunReport:
        """Generate ``tasks`` with ``concurrency`` workers until done or stopped.

        Ctrl-C and SIGTERM stop it the same way as a limit, but also cancel what is in flight:
        those positions go back to `pending`. A second signal exits at once; every write is atomic.
        """
        report = RunReport(run_id, keep_all)
        queue: asyncio.Queue[Task] = asyncio.Queue()
        for task in tasks:  # what needs no work is settled at once: a stopped run still reports it
            if task.action in SKIPPED:
                report.add(self._skip(task))
            else:
                queue.put_nowait(task)
        state = RunState()
        busy = {t.unit_path for t in tasks if t.action not in SKIPPED}
        for folder in {self.layout.checked_dir(path) for path in busy}:
            remove_stale_temp_files(folder)

        finishing: set[asyncio.Task[None]] = set()

        def settle(outcome: Outcome, task: Task) -> None:
            report.add(outcome)
            state.record(outcome)
            task.work = None  # its context is let go: a run of 100,000 positions held them all to the end

        def stop_on_write_error(task: Task, exc: OSError) -> None:
            # a full disk or an unwritable folder stops the run, losing nothing
            where = f"{self.finisher.public(task, str(exc.filename))}: " if exc.filename else ""
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
            settle(outcome, done.task)

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
                    assert self._writer is not None  # answers faster than files (offline): wait, not pile up
                    await self._writer.room()
                else:
                    settle(result, task)

        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.concurrency))]
        restore = install_signal_handlers(report, workers)
        self._writer = self._start_writer(sum(t.action in ("generate", "export") for t in tasks))
        self._answers = Feed(ThreadPoolExecutor(1, thread_name_prefix="profilegen-journal"), self._commit)
        try:
            results = await asyncio.gather(*workers, return_exceptions=True)
            # answered positions are written even when the run stops: they were paid for
            results += await asyncio.gather(*finishing, return_exceptions=True)
        finally:
            restore()
            self._writer.close()
            self._answers.close()
            self._writer = self._answers = None
            await self.provider.close()
        report.not_started = queue.qsize()
        for result in results:
            if isinstance(result, Exception):  # a bug, not a provider failure: let it be seen
                raise result
        return report

    def _skip(self, task: Task) -> Outcome:
        return self.skipped(task.key, task.label, task.action)

    def skipped(self, key: str, label: str, action: str) -> Outcome:
        """A position that needs nothing: said (at -v) and counted."""
        self.on_event("position_skipped", {"position": label, "reason": action.replace("_", " ")})
        return Outcome(key, label, action)

    def _requeue(self, task: Task, queue: asyncio.Queue[Task]) -> None:
        """A position that was started but not finished is pending again (its paid answer, if any, stays)."""
        self.journal.update_position(task.key, status="pending")
        queue.put_nowait(task)

    async def _execute(self, task: Task, run_id: str) -> Outcome | Finish:
        if task.work is None and self.remake is not None:  # held until the task is settled
            task.work = self.remake(task.unit_path, task.title)
        label = describe(task.context)
        record = self.journal.position(task.key) or {}
        document = self.journal.document(task.key) if task.action == "rewrite" else None
        if document is not None:  # rewrite: the last generated version over hand edits (kept as .bak)
            written = self.finisher.plan(task, record, document, self.formats).written()
            self.journal.update_position(task.key, outputs=written.suffixes, edited_kept=len(written.kept))
            return Outcome(task.key, label, "rendered")
        if task.action == "render":
            document = json.loads(self._path(task.context, "json").read_text(encoding="utf-8"))
            missing = [f for f in self.formats if not self._path(task.context, f).exists()]
            written = self.finisher.plan(task, record, document, missing).written()
            return Outcome(task.key, label, "rendered")
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

    def _start_writer(self, answered: int) -> Feed[Finish, Written]:
        """Where answered positions are written: a process of its own for a large run, else a thread."""
        if use_process(self.writer_process, answered):
            process = ProcessPoolExecutor(
                1, mp_context=get_context("spawn"), initializer=start_writer, initargs=(self.finisher.spec, os.getpid())
            )
            return Feed(process, finish_in_writer, WRITER_BACKLOG)
        writer = ThreadPoolExecutor(1, thread_name_prefix="profilegen-writer")
        return Feed(writer, self.finisher.finish_many, WRITER_BACKLOG)

    def _commit(self, writes: list[Callable[[], None]]) -> list[BaseException | None]:
        try:
            with self.journal.transaction():
                for write in writes:
                    write()
        except Exception as exc:
            return [exc] * len(writes)
        return [None] * len(writes)

    async def _finish(self, done: Finish) -> Outcome:
        """An answered position written by the writer while the loop goes on; its events are logged here."""
        assert self._writer is not None
        outcome, events = await self._writer.put(done)
        for name, fields in events:
            self.on_event(name, fields)
        # this process's own strings rather than a writer process's copies (kept to the end of the run: some
        # 50 MB of copies at 100,000 positions)
        outcome.key, outcome.label, outcome.status = done.task.key, done.label, sys.intern(outcome.status)
        return outcome

    async def _generate(self, task: Task, run_id: str, label: str, record: dict[str, Any]) -> Outcome | Finish:
        """``record``: the position's journal record, kept up to date here and passed on (this worker alone
        writes it until the position is finished, so it is not read again)."""
        started = time.monotonic()
        # journaled with the answer, not before: a position cut off before its answer is as it was (pending),
        # and one answered is `running` with its answer until it is written (then `done`)
        record.pop("fingerprint_parts", None)  # the writer records this fingerprint's parts with the files
        record.update(
            run_id=run_id,
            fingerprint=task.fingerprint,
            attempts=int(record.get("attempts", 0)) + 1,
            raw_answer=None,
            unit_path=list(task.context.unit_path),
            title=task.context.title,
            kpi_source=task.context.kpi_source,
        )

        def answered(raw: str, usage: dict[str, Any]) -> None:  # the answer and what it cost, in one commit
            record.update(status="running", raw_answer=raw, **usage)
            self.journal.save_position(task.key, record)
            paid_live(self.journal, task.key, run_id, usage["tokens_in"], usage["tokens_out"], usage["cost_usd"])

        async def journal_answer(raw: str, usage: dict[str, Any]) -> None:
            assert self._answers is not None  # committed before the worker goes on (never paid for twice)
            await self._answers.put(functools.partial(answered, raw, usage))

        try:
            result = await self.provider.generate(task.context, journal_answer)
        except GenerationError as exc:
            return self._failed(task, label, started, exc, record)
        return Finish(task, label, result, round(time.monotonic() - started, 3), "generated", record)

    def _failed(
        self, task: Task, label: str, started: float, exc: GenerationError, record: dict[str, Any] | None = None
    ) -> Outcome:
        """``record``: the position's record as this run holds it (else it is read)."""
        if record is not None:
            params = context_params(task.context, self.generation_params, self.send_employee_name)
            record["fingerprint_parts"] = fingerprint_parts(task.context, params)
        streak, quarantined = record_failure(self.journal, task.key, exc, self.limits.quarantine_after, record)
        run_id = (record or self.journal.position(task.key) or {}).get("run_id")
        if run_id:
            paid_live(self.journal, task.key, str(run_id), exc.tokens_in, exc.tokens_out, exc.cost_usd)
        if quarantined:
            self.on_event("position_quarantined", {"position": label, "failed_runs": streak})
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": self.finisher.person(task),
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
