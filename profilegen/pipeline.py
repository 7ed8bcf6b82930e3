"""The library entry points the CLI calls: load inputs, map KPIs, plan and run a generation."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from profilegen.company.documents import unread_notices
from profilegen.config import Settings, parse_duration
from profilegen.errors import InputError
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import format_file
from profilegen.export.writer import is_edited, known_hashes
from profilegen.generation import plan_cache
from profilegen.generation.batch.batcher import BatchWork
from profilegen.generation.batch.run import open_batcher, run_batches, say_collected
from profilegen.generation.context import PositionContext
from profilegen.generation.document import Form
from profilegen.generation.engine import Engine, EventSink
from profilegen.generation.limits import Limits
from profilegen.generation.plan_cache import plan_digest
from profilegen.generation.planning import SKIPPED, Planner, Task
from profilegen.generation.providers.base import Provider
from profilegen.generation.providers.choice import (
    check_key_not_lost,
    choose_provider,
    estimate,
    remember_response_format,
    server_slots,
)
from profilegen.generation.report import RunReport
from profilegen.inputs import ContextMaker, Selection, iter_contexts, load_inputs, positions_for
from profilegen.journal import Journal, key_identity
from profilegen.locking import OUT_LOCK, StateLock
from profilegen.org.model import OrgStructure, Position
from profilegen.runs import GenerateOptions, GenerateResult, record_run, selection_inputs
from profilegen.template.loader import load_template
from profilegen.text import plural
from profilegen.workspace import bind, layout_base, prepare, record_org

MAX_PROBLEMS_SHOWN = 10


def _edited_by_hand(
    journal: Journal, layout: OutputLayout, tasks: list[Task], formats: Sequence[str]
) -> list[tuple[Task, list[str]]]:
    found = []
    for task in tasks:
        record = journal.position(task.key) or {}
        hashes = known_hashes(record)
        stem = layout.stem(task.unit_path, task.title, task.employee_name)
        paths = [format_file(stem, f) for f in formats]
        edited = [str(p) for p in paths if is_edited(stem, p, hashes)]
        if edited:
            found.append((task, edited))
    return found


def check_output_folder(settings: Settings, state_dir: Path, create: bool = True) -> None:
    """OUT must not sit inside the state directory, and (when ``create``) must be writable."""
    out, state = settings.out.resolve(), state_dir.resolve()
    if out == state or state in out.parents:
        raise InputError("the output folder must not be inside the state directory", source=str(settings.out))
    if not create:
        return
    try:
        settings.out.mkdir(parents=True, exist_ok=True)
        probe = settings.out / f".profilegen-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot write to the output folder ({reason})", source=str(settings.out)) from None


def generate(
    settings: Settings, selection: Selection, options: GenerateOptions, on_event: EventSink | None = None
) -> GenerateResult:
    """Take the locks, plan the selection, and generate what is not up to date."""
    notices: list[str] = []

    def notice(message: str) -> None:
        """Tell the user now (as a `notice` event), and keep it for the result."""
        notices.append(message)
        if on_event is not None:
            on_event("notice", {"message": message})

    out_existed = settings.out.exists()
    state_dir = prepare(settings, write=not options.dry_run, notice=notice)
    state_existed = state_dir.exists()
    started: list[str] = []  # the run's id, once it has started
    clean = True
    try:
        result = _generate(settings, state_dir, selection, options, notice, on_event, notices, started)
        clean = options.dry_run
        return result
    except InputError:
        clean = not started
        raise
    except BaseException:
        clean = False
        raise
    finally:  # bad input and dry runs leave no trace: no journal, no OUT made just for them
        if clean and not state_existed:
            shutil.rmtree(state_dir, ignore_errors=True)
        if clean and not out_existed:
            with contextlib.suppress(OSError):
                settings.out.rmdir()


def _generate(
    settings: Settings,
    state_dir: Path,
    selection: Selection,
    options: GenerateOptions,
    notice: Callable[[str], None],
    on_event: EventSink | None,
    notices: list[str],
    started: list[str],
) -> GenerateResult:
    check_output_folder(settings, state_dir, create=False)
    with contextlib.ExitStack() as stack:
        lock = stack.enter_context(StateLock(state_dir))
        if lock.taken_over:
            notice(f"warning: {lock.taken_over}")
        journal = stack.enter_context(Journal(state_dir))
        inputs = load_inputs(settings, journal)
        for message in inputs.catalog.notices:
            notice(message)
        for message in unread_notices(settings.documents):
            notice(f"warning: {message}")
        for problem in inputs.problems[:MAX_PROBLEMS_SHOWN]:
            notice(f"warning: {problem}")
        if len(inputs.problems) > MAX_PROBLEMS_SHOWN:
            more = len(inputs.problems) - MAX_PROBLEMS_SHOWN
            notice(f"warning: ... and {more} more (see `profilegen org validate`)")
        chosen = positions_for(inputs, selection)  # unknown names fail here, before anything is written
        layout = OutputLayout(inputs.org, settings.out, layout_base(settings, record=not options.dry_run))
        check_key_not_lost(settings, options.provider, journal, layout)
        provider, provider_notices = choose_provider(settings, options.provider, inputs.org, options.dry_run)
        remember_response_format(journal, provider, notice)
        if provider.generator == "llm" and "concurrency" not in settings.model_fields_set:
            slots = server_slots(settings.base_url)
            if slots is not None:  # llama-server: as many requests in flight as it has slots
                settings.concurrency = slots
                notice(f"concurrency {slots}: the server's parallel slots (--concurrency to choose)")
        for message in provider_notices:
            notice(message)
        org_sha256 = ""  # the org file's digest, read when the run records its organisation
        if not options.dry_run:
            check_output_folder(settings, state_dir, create=True)
            stack.enter_context(StateLock(settings.out, lock_name=OUT_LOCK))
            bind(settings, state_dir)
            assert settings.org is not None
            org_sha256 = record_org(state_dir, settings.org, inputs.org.sha256, notice)
        recovered = journal.recover()
        if recovered:
            notice(f"{plural(recovered, 'position')} left running by an earlier run will be retried")
        records = journal.position_summaries()  # read once: orphans and planning both need every position
        orphans = mark_orphans(journal, inputs.org, records, settings.out)
        if orphans:
            notice(f"{plural(orphans, 'profile')} of positions no longer in the org (see `profilegen prune`)")
        engine = Engine(
            provider,
            journal,
            layout,
            formats=options.formats,
            form=Form(load_template(settings.template, settings.language), settings.prepared_by),
            concurrency=settings.concurrency,
            limits=Limits(
                settings.max_cost if provider.generator == "llm" else None,  # drafts cost nothing: no budget to keep
                settings.max_consecutive_failures,
                parse_duration(settings.max_duration) if settings.max_duration else None,
                settings.quarantine_after,
            ),
            overwrite_edited=options.overwrite_edited,
            send_employee_name=settings.send_employee_name,
            on_event=on_event,
            writer_process=settings.writer_process,
        )
        batcher = open_batcher(settings, provider, journal, engine.generation_params, notice, options.batch)
        collected = BatchWork()
        if batcher is not None and not options.dry_run:
            batcher.recover()
            collected = batcher.collect()
            say_collected(collected, notice)
            records = journal.position_summaries()  # the answers collected are planned as answered positions
        digest = None  # dry runs neither use nor record the last plan
        if not options.dry_run:
            selected = selection_inputs(selection, chosen[1], journal)
            digest = plan_digest(settings, org_sha256, inputs, selected, engine.generation_params)
        quick = None
        if not (options.dry_run or options.force or batcher is not None):  # a quiet night plans from the last plan
            known = plan_cache.recorded(journal, digest)
            if known is not None:
                quick = planner_for(provider, journal, layout, engine, options, settings, None).quick(
                    [(p.unit_path, p.title) for p in chosen[0]], chosen[1], known, records
                )
        if quick is not None:
            result = GenerateResult(provider.name, [], notices=notices, orphans=orphans)
            return record_run(
                journal,
                selection,
                options,
                provider,
                len(quick),
                started,
                on_event,
                result,
                lambda run_id: RunReport.of(run_id, (engine.skipped(*position) for position in quick)),
                planned="from the last plan",
            )

        def contexts(make: ContextMaker | None = None) -> Iterator[PositionContext]:
            return iter_contexts(inputs, selection, settings, chosen, make)  # made as planning reads them

        forced = _forced_selection(journal, chosen) if options.force else None
        since = (journal.meta(forced) or {}).get("since") if forced else None
        if since is not None:
            notice("continuing the interrupted --force run of this selection: what it regenerated is not redone")
        planner = planner_for(provider, journal, layout, engine, options, settings, since)
        live = not (options.dry_run or (batcher is not None and options.batch))
        make = ContextMaker(inputs, settings, chosen[1])
        tasks = planner.plan(contexts(make), records, keep=settings.contexts_kept if live else None)
        del records  # planned: the summaries of 100,000 records are let go before the run
        if any(t.work is None and t.action not in SKIPPED for t in tasks):
            engine.remake = make.of  # its memos warm; else they are let go (a night with nothing to do)
        del make
        if not options.dry_run:
            plan_cache.record(journal, digest, ((t.key, t.fingerprint) for t in tasks))
        reformed = sum(1 for t in tasks if t.action == "generate" and "template" in t.reason.split(": ")[-1])
        if reformed:  # an upgrade or an edited template: said once, not per position
            notice(
                f"{plural(reformed, 'profile')} made in another form than the '{engine.form.template.name}' template "
                "will be regenerated once in it (frozen and hand-edited ones are kept)"
            )
        in_batch = sum(1 for t in tasks if t.action == "in_batch")
        if in_batch and options.force:
            notice(f"{plural(in_batch, 'position')} in open batches not sent again (--force included)")
        result = GenerateResult(provider.name, tasks, notices=notices, orphans=orphans, batch=collected)
        if options.dry_run:
            result.estimate = estimate(provider, result.to_generate, settings)
            if batcher is not None and options.batch:
                priced = batcher.estimate(result.to_generate)
                costs = [cost for _, _, cost in priced]
                result.estimate["estimated_cost_usd"] = (
                    None if any(c is None for c in costs) else round(sum(c or 0.0 for c in costs), 4)
                )
                result.estimate["batch"] = True
            result.edited = _edited_by_hand(journal, layout, tasks, engine.formats)
            return result
        if forced and since is None:
            journal.set_meta(forced, {"since": time.time()})

        def execute(run_id: str) -> RunReport:
            if batcher is not None and options.batch:
                report, result.batch = run_batches(
                    batcher, lambda: planner.plan(contexts()), engine, run_id, settings, options.wait, collected, notice
                )
                return report
            return asyncio.run(engine.run(tasks, run_id))

        result = record_run(journal, selection, options, provider, len(tasks), started, on_event, result, execute)
        if forced and result.report is not None and result.report.stop_reason is None:
            journal.delete_meta(forced)  # the forced selection is complete: the next --force starts anew
        return result


def planner_for(
    provider: Provider,
    journal: Journal,
    layout: OutputLayout,
    engine: Engine,
    options: GenerateOptions,
    settings: Settings,
    since: float | None,
) -> Planner:
    return Planner(
        provider,
        journal,
        layout,
        engine.formats,
        engine.generation_params,
        force=options.force,
        force_since=since,
        overwrite_edited=options.overwrite_edited,
        retry_quarantined=options.retry_quarantined,
        send_employee_name=settings.send_employee_name,
    )


def _forced_selection(journal: Journal, chosen: tuple[list[Position], str | None]) -> str:
    """The journal's name for a forced run of exactly these positions."""
    positions, employee = chosen
    keys = sorted(journal.position_key(p.unit_path, p.title, employee) for p in positions)
    return "forced:" + hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()[:16]


def mark_orphans(journal: Journal, org: OrgStructure, records: Mapping[str, Any], out: Path) -> int:
    """Record which journaled positions left the org (unit removed or renamed, title gone); returns how many
    of them still have a profile in OUT — what `prune` would move.

    Reads keys only (a key names its unit path and title), and the records of the orphans.
    """
    current = {(p.unit_path, p.title) for p in org.positions()}
    orphans = []
    for key in records:
        if key_identity(key) not in current:
            orphans.append(key)
    profiles = sum(1 for key in orphans if _has_profile(journal.position(key) or {}, out))
    journal.set_meta("orphans", {"keys": orphans, "profiles": profiles})
    return profiles


def _has_profile(record: Mapping[str, Any], out: Path) -> bool:
    stem = record.get("stem")
    return not isinstance(stem, str) or (out / f"{stem}.json").exists()  # a record older than `stem`: counted
