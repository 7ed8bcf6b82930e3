"""The generation run: plan what is out of date, generate with bounded concurrency, journal, export."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.errors import GenerationError, ProviderAbort
from profilegen.export.atomic import remove_stale_temp_files
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import format_name
from profilegen.export.render import RenderOptions, check_formats
from profilegen.export.writer import FileHashes, WriteResult, known_hashes, write_outputs
from profilegen.generation.answer import InvalidAnswer, parse_answer
from profilegen.generation.context import (
    PositionContext,
    changed_parts,
    describe,
    fingerprint,
    fingerprint_parts,
)
from profilegen.generation.provider import Provider, ProviderResult
from profilegen.generation.schema import SCHEMA_VERSION
from profilegen.journal import Journal, person_hash, position_key

EventSink = Callable[[str, dict[str, Any]], None]
SKIPPED = ("up_to_date", "frozen", "quarantined", "kept_llm")  # actions that touch nothing
NON_TRANSIENT = frozenset({"invalid_output", "truncated", "bad_request"})


@dataclass(slots=True)
class Task:
    """One position to bring up to date."""

    key: str
    context: PositionContext
    fingerprint: str
    # "generate"; "export" (a journaled answer); "render" (missing formats); "rewrite" (over hand edits, with
    # --overwrite-edited); "up_to_date"; "frozen"
    action: str
    reason: str = ""


@dataclass(slots=True)
class Outcome:
    key: str
    label: str
    status: str  # generated, exported, rendered, up_to_date, failed
    duration_s: float = 0.0
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    message: str | None = None
    paths: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # files edited by hand, left as they were


class _FolderListing:
    """Whether files exist, from one listing per folder (planning asks about thousands of files)."""

    def __init__(self) -> None:
        self._names: dict[Path, frozenset[str]] = {}

    def __call__(self, folder: Path, name: str) -> bool:
        names = self._names.get(folder)
        if names is None:
            try:
                names = frozenset(os.listdir(folder))
            except OSError:
                names = frozenset()
            self._names[folder] = names
        return name in names


@dataclass(frozen=True, slots=True)
class Finish:
    """An answered position whose files and journal record are still to be written."""

    task: Task
    label: str
    result: ProviderResult
    duration: float
    status: str  # "generated" or "exported"


@dataclass(slots=True)
class RunReport:
    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    stop_reason: str | None = None  # aborted, budget, failures, interrupted
    stop_message: str | None = None
    not_started: int = 0

    def counts(self) -> dict[str, int]:
        counts = Counter(o.status for o in self.outcomes)
        keys = ("generated", "exported", "rendered", "up_to_date", "failed", "frozen", "quarantined", "kept_llm")
        kept = sum(1 for o in self.outcomes if o.kept)
        return {**{k: counts.get(k, 0) for k in keys}, "kept_edited": kept, "not_started": self.not_started}

    def totals(self) -> dict[str, Any]:
        tokens_in = sum(o.tokens_in or 0 for o in self.outcomes)
        tokens_out = sum(o.tokens_out or 0 for o in self.outcomes)
        paid = [o for o in self.outcomes if o.status in ("generated", "failed")]
        unknown = any(o.cost_usd is None for o in paid)
        cost = None if unknown else round(sum(o.cost_usd or 0.0 for o in paid), 6)
        return {"tokens_in": tokens_in, "tokens_out": tokens_out, "cost_usd": cost}


@dataclass(slots=True)
class Limits:
    max_cost: float | None = None
    max_consecutive_failures: int = 10
    max_duration_s: float | None = None
    quarantine_after: int = 3


class Engine:
    """Runs a selection of positions through one provider into OUT, journaling every step."""

    def __init__(
        self,
        provider: Provider,
        journal: Journal,
        layout: OutputLayout,
        *,
        formats: Sequence[str] = ("json", "md"),
        language: str = "ru",
        concurrency: int = 4,
        force: bool = False,
        limits: Limits | None = None,
        prepared_by: str = "profilegen",
        overwrite_edited: bool = False,
        retry_quarantined: bool = False,
        on_event: EventSink | None = None,
    ) -> None:
        self.provider = provider
        self.journal = journal
        self.layout = layout
        self.formats = check_formats(list(formats))
        self.language = language
        self.render_options = RenderOptions(language, prepared_by)
        self.overwrite_edited = overwrite_edited
        self.retry_quarantined = retry_quarantined
        self.concurrency = concurrency
        self.force = force
        self.limits = limits or Limits()
        self.on_event = on_event or (lambda _event, _fields: None)
        self.generation_params = {
            "provider": provider.name,
            "model": provider.model,
            "prompt_version": provider.prompt_version,
            "schema_version": SCHEMA_VERSION,
            "language": language,
            **provider.params(),
        }

    # -- planning --------------------------------------------------------------------
    def plan(self, contexts: Sequence[PositionContext]) -> list[Task]:
        exists = _FolderListing()
        tasks = []
        for context in contexts:
            key = position_key(context.unit_path, context.title, context.employee_name)
            tasks.append(self._classify(key, context, fingerprint(context, self.generation_params), exists))
        return tasks

    def _why_changed(self, context: PositionContext, record: dict[str, Any]) -> str:
        parts = changed_parts(record.get("fingerprint_parts"), fingerprint_parts(context, self.generation_params))
        return f"inputs changed: {', '.join(parts)}" if parts else "inputs changed"

    def _classify(self, key: str, context: PositionContext, fp: str, listing: _FolderListing) -> Task:
        stem = self.layout.stem(context.unit_path, context.title, context.employee_name)

        def exists(fmt: str) -> bool:
            return listing(stem.parent, format_name(stem, fmt))

        record = self.journal.position(key)
        if record is not None and record.get("frozen"):
            return Task(key, context, fp, "frozen", "frozen")
        if record is not None and record.get("quarantined") and not self.retry_quarantined:
            return Task(key, context, fp, "quarantined", "quarantined (--retry-quarantined)")
        if self.force:
            return Task(key, context, fp, "generate", "--force")
        if record is None:
            return Task(key, context, fp, "generate", "new")
        status = str(record.get("status", "pending"))
        if (
            self.provider.generator == "offline"
            and record.get("generator") == "llm"
            and status == "done"
            and exists("json")
        ):  # an LLM profile is never replaced by an offline draft without --force
            return Task(key, context, fp, "kept_llm", "llm profile")
        if status != "done":
            if record.get("raw_answer") and record.get("fingerprint") == fp:
                return Task(key, context, fp, "export", "answer journaled, outputs missing")
            return Task(key, context, fp, "generate", status)
        if record.get("fingerprint") != fp:
            return Task(key, context, fp, "generate", self._why_changed(context, record))
        if not exists("json"):
            return Task(key, context, fp, "generate", "output missing")
        if any(not exists(f) for f in self.formats):
            return Task(key, context, fp, "render", "format missing")
        if self.overwrite_edited and record.get("edited_kept"):
            return Task(key, context, fp, "rewrite", "--overwrite-edited")
        return Task(key, context, fp, "up_to_date")

    def _path(self, context: PositionContext, fmt: str) -> Path:
        return self.layout.file(context.unit_path, context.title, fmt, context.employee_name)

    # -- running ---------------------------------------------------------------------
    async def run(self, tasks: Sequence[Task], run_id: str) -> RunReport:
        """Generate ``tasks`` with ``concurrency`` workers until done or stopped.

        Ctrl-C and SIGTERM stop it the same way as a limit, but also cancel what is in flight:
        those positions go back to `pending`. A second signal exits at once; every write is atomic.
        """
        report = RunReport(run_id)
        queue: asyncio.Queue[Task] = asyncio.Queue()
        for task in tasks:
            queue.put_nowait(task)
        state = _RunState()
        busy = {t.context.unit_path for t in tasks if t.action not in SKIPPED}
        for folder in {self.layout.checked_dir(path) for path in busy}:
            remove_stale_temp_files(folder)

        finishing: set[asyncio.Task[None]] = set()

        def settle(outcome: Outcome) -> None:
            report.outcomes.append(outcome)
            state.record(outcome)

        def stop_on_write_error(task: Task, exc: OSError) -> None:
            # a full disk or an unwritable folder stops the run, losing nothing
            where = f"{exc.filename}: " if exc.filename else ""
            report.stop_reason = "aborted"
            report.stop_message = f"cannot write outputs: {where}{exc.strerror or exc}"
            self._requeue(task, queue)

        def internal_failure(task: Task, exc: Exception) -> Outcome:
            # a bug met by one position: record it and go on (a journaled answer stays for the next run)
            failure = GenerationError("internal_error", f"{type(exc).__name__}: {exc}", cost_usd=0.0)
            return self._failed(task, describe(task.context), time.monotonic(), failure)

        async def finish(done: Finish) -> None:
            """Write and journal an answered position off the event loop, while its worker moves on."""
            try:
                outcome = await asyncio.to_thread(
                    self._finish, done.task, done.label, done.result, done.duration, done.status
                )
            except OSError as exc:
                stop_on_write_error(done.task, exc)
                return
            except Exception as exc:
                outcome = internal_failure(done.task, exc)
            settle(outcome)

        async def worker() -> None:
            while not queue.empty():
                if report.stop_reason is None:
                    self._check_limits(report, state)
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
                        state.answered(result.result)
                    background = asyncio.create_task(finish(result))
                    finishing.add(background)
                    background.add_done_callback(finishing.discard)
                else:
                    settle(result)

        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.concurrency))]
        restore = _install_signal_handlers(report, workers)
        try:
            results = await asyncio.gather(*workers, return_exceptions=True)
            # answered positions are written even when the run stops: they were paid for
            results += await asyncio.gather(*finishing, return_exceptions=True)
        finally:
            restore()
            await self.provider.close()
        report.not_started = queue.qsize()
        for result in results:
            if isinstance(result, Exception):  # a bug, not a provider failure: let it be seen
                raise result
        return report

    def _requeue(self, task: Task, queue: asyncio.Queue[Task]) -> None:
        """A position that was started but not finished is pending again (its paid answer, if any, stays)."""
        self.journal.update_position(task.key, status="pending")
        queue.put_nowait(task)

    def _check_limits(self, report: RunReport, state: _RunState) -> None:
        deadline = self.limits.max_duration_s
        if deadline is not None and time.monotonic() - state.started >= deadline:
            report.stop_reason = "duration"
            report.stop_message = f"--max-duration of {deadline:g} s reached; stopped starting new positions"
            return
        if state.consecutive_failures >= self.limits.max_consecutive_failures:
            report.stop_reason = "failures"
            report.stop_message = f"{state.consecutive_failures} positions failed in a row; stopped starting new ones"
            return
        max_cost = self.limits.max_cost
        if max_cost is None:
            return
        if state.cost_unknown:
            report.stop_reason = "budget"
            report.stop_message = "--max-cost cannot be enforced: the provider reports no cost and no prices are set"
            return
        estimate = state.spent + state.in_flight * state.average_cost()
        if estimate >= max_cost:
            report.stop_reason = "budget"
            report.stop_message = f"spent ${state.spent:.4f} (+${estimate - state.spent:.4f} in flight) of ${max_cost}"

    async def _execute(self, task: Task, run_id: str) -> Outcome | Finish:
        label = describe(task.context)
        if task.action in ("up_to_date", "frozen", "quarantined", "kept_llm"):
            self.on_event("position_skipped", {"position": label, "reason": task.action.replace("_", " ")})
            return Outcome(task.key, label, task.action)
        record = self.journal.position(task.key) or {}
        document = self.journal.document(task.key) if task.action == "rewrite" else None
        if document is not None:  # rewrite: the last generated version over hand edits (kept as .bak)
            written = self._write(task, record, document, self.formats)
            self.journal.update_position(task.key, outputs=written.suffixes, edited_kept=len(written.kept))
            return Outcome(task.key, label, "rendered", paths=written.paths)
        if task.action == "render":
            document = json.loads(self._path(task.context, "json").read_text(encoding="utf-8"))
            missing = [f for f in self.formats if not self._path(task.context, f).exists()]
            written = self._write(task, record, document, missing)
            return Outcome(task.key, label, "rendered", paths=written.paths)
        if task.action == "export":
            try:
                result = self._journaled_result(record)
            except InvalidAnswer:
                task.action = "generate"
            else:
                return Finish(task, label, result, float(record.get("duration_s") or 0.0), "exported")
        return await self._generate(task, run_id, label, record)

    async def _journal_update(self, key: str, **fields: Any) -> None:
        """A journal write in a thread that, once started, lands before a cancellation goes on: otherwise
        a Ctrl-C could let it overwrite the `pending` that the cancelled worker writes after it."""
        write = asyncio.ensure_future(asyncio.to_thread(self.journal.update_position, key, **fields))
        try:
            await asyncio.shield(write)
        except asyncio.CancelledError:
            await write
            raise

    def _journaled_result(self, record: dict[str, Any]) -> ProviderResult:
        profile = parse_answer(str(record["raw_answer"]))
        return ProviderResult(
            profile=profile,
            raw=str(record["raw_answer"]),
            model=str(record.get("model") or self.provider.model),
            tokens_in=record.get("tokens_in"),
            tokens_out=record.get("tokens_out"),
            cost_usd=record.get("cost_usd"),
            attempts=int(record.get("attempts") or 1),
        )

    async def _generate(self, task: Task, run_id: str, label: str, previous: dict[str, Any]) -> Outcome | Finish:
        started = time.monotonic()
        attempts = int(previous.get("attempts", 0)) + 1
        await self._journal_update(
            task.key,
            status="running",
            run_id=run_id,
            fingerprint=task.fingerprint,
            fingerprint_parts=fingerprint_parts(task.context, self.generation_params),
            attempts=attempts,
            raw_answer=None,
            unit_path=list(task.context.unit_path),
            title=task.context.title,
            kpi_source=task.context.kpi_source,
        )

        async def journal_answer(raw: str, usage: dict[str, Any]) -> None:
            await self._journal_update(task.key, raw_answer=raw, **usage)

        try:
            result = await self.provider.generate(task.context, journal_answer)
        except GenerationError as exc:
            return await asyncio.to_thread(self._failed, task, label, started, exc)
        return Finish(task, label, result, round(time.monotonic() - started, 3), "generated")

    def _finish(self, task: Task, label: str, result: ProviderResult, duration: float, status: str) -> Outcome:
        document = self._document(task, result, duration)
        record = self.journal.position(task.key) or {}
        # the journal's copy (for `diff`) names a person by hash only; the name lives in the profile alone
        stored = {**document, "meta": {**document["meta"], "employee_name": _person(task.context)}}
        written = self._write(task, record, document, self.formats, stored)
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
        )
        self.journal.save_position(task.key, record)
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": _person(task.context),
            "duration_s": duration,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost_usd": result.cost_usd,
            "kpi_source": task.context.kpi_source,
            "attempts": result.attempts,
            "kept_edited": written.kept,
            "backups": written.backups,
        }
        self.on_event("position_generated", fields)
        if written.kept:
            self.on_event("position_kept", {"position": label, "reason": "edited by hand", "files": written.kept})
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

    def _failed(self, task: Task, label: str, started: float, exc: GenerationError) -> Outcome:
        record = self.journal.position(task.key) or {}
        streak = int(record.get("failure_streak") or 0) + 1 if exc.error_type in NON_TRANSIENT else 0
        quarantined = streak >= self.limits.quarantine_after
        self.journal.update_position(
            task.key,
            status="failed",
            last_error={"type": exc.error_type, "message": str(exc)},
            tokens_in=exc.tokens_in,
            tokens_out=exc.tokens_out,
            cost_usd=exc.cost_usd,
            failure_streak=streak,
            quarantined=quarantined,
        )
        if quarantined:
            self.on_event("position_quarantined", {"position": label, "failed_runs": streak})
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "employee": _person(task.context),
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

    def _document(self, task: Task, result: ProviderResult, duration: float) -> dict[str, Any]:
        context = task.context
        meta = {
            "generator": self.provider.generator,
            "model": result.model,
            "prompt_version": self.provider.prompt_version,
            "kpi_source": context.kpi_source,
            "kpi_file": context.kpi_file,
            "kpi_scope": context.kpi_scope,
            "input_fingerprint": task.fingerprint,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost_usd": result.cost_usd,
            "duration_s": duration,
            "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "employee_name": context.employee_name,
            "warnings": result.warnings,
            "language": self.language,
            "attempts": result.attempts,
        }
        return {"schema_version": SCHEMA_VERSION, "profile": result.profile.model_dump(mode="json"), "meta": meta}

    def _write(
        self,
        task: Task,
        record: dict[str, Any],
        document: dict[str, Any],
        formats: Sequence[str],
        stored_document: dict[str, Any] | None = None,
    ) -> WriteResult:
        """Write ``formats`` for a position, hand edits protected; hashes journaled before the files
        (with the document kept for `diff`, in the same commit). ``record`` is updated in place."""
        stem = self.layout.stem(task.context.unit_path, task.context.title, task.context.employee_name)

        def record_hashes(hashes: FileHashes) -> None:
            record["file_hashes"] = hashes
            with self.journal.transaction():
                if stored_document is not None:
                    self.journal.save_document(task.key, stored_document)
                self.journal.save_position(task.key, record)

        return write_outputs(
            stem, document, formats, self.render_options, known_hashes(record), record_hashes, self.overwrite_edited
        )


def _person(context: PositionContext) -> str | None:
    """Logs name a person only by hash; the name itself is written only into the profile."""
    return f"person:{person_hash(context.employee_name)}" if context.employee_name else None


_SIGNALS = {"SIGINT": ("interrupted", 130), "SIGTERM": ("terminated", 143)}


def _install_signal_handlers(report: RunReport, workers: list[asyncio.Task[None]]) -> Callable[[], None]:
    """Stop on the first Ctrl-C/SIGTERM (cancelling in-flight work); exit at once on a second one."""
    loop = asyncio.get_running_loop()
    installed: list[tuple[signal.Signals, Any]] = []

    def on_signal(reason: str, code: int) -> None:
        if report.stop_reason in ("interrupted", "terminated"):
            os._exit(code)  # the second signal: leave now; every write is atomic, the journal consistent
        report.stop_reason = reason
        report.stop_message = f"{reason} by signal; in-flight positions were cancelled and are pending again"
        for worker in workers:
            worker.cancel()

    for name, (reason, code) in _SIGNALS.items():
        number = getattr(signal, name, None)
        if number is None:
            continue
        previous = signal.getsignal(number)
        try:
            loop.add_signal_handler(number, on_signal, reason, code)
        except (NotImplementedError, RuntimeError, ValueError):  # Windows, or not the main thread
            continue
        installed.append((number, previous))

    def restore() -> None:
        for number, previous in installed:
            loop.remove_signal_handler(number)
            signal.signal(number, previous)

    return restore


@dataclass(slots=True)
class _RunState:
    started: float = field(default_factory=time.monotonic)
    in_flight: int = 0
    spent: float = 0.0
    paid: int = 0
    cost_unknown: bool = False
    consecutive_failures: int = 0

    def charge(self, cost_usd: float | None) -> None:
        """Count what an answer cost, as soon as it arrives (limits must not wait for the files)."""
        if cost_usd is None:
            self.cost_unknown = True
        else:
            self.spent += cost_usd
            self.paid += 1

    def answered(self, result: ProviderResult) -> None:
        self.charge(result.cost_usd)
        self.consecutive_failures = 0

    def record(self, outcome: Outcome) -> None:
        """A settled outcome; answered positions were charged already."""
        if outcome.status == "failed":
            self.charge(outcome.cost_usd)
            self.consecutive_failures += 1

    def average_cost(self) -> float:
        return self.spent / self.paid if self.paid else 0.0
