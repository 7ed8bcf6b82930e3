"""`generate --batch [--wait]`: collect what ended, write it, submit what needs an answer, maybe wait."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Callable
from typing import Any

from profilegen.config import Settings, api_key, parse_duration
from profilegen.errors import InputError
from profilegen.generation.batch.batcher import INTENTS, Batcher, BatchWork, open_batch_ids
from profilegen.generation.context import describe
from profilegen.generation.engine import Engine
from profilegen.generation.planning import SKIPPED, Task
from profilegen.generation.providers.base import Provider
from profilegen.generation.report import Outcome, RunReport
from profilegen.journal import Journal
from profilegen.text import plural

POLL_CAP = 600.0  # seconds between polls at most while waiting


def open_batcher(
    settings: Settings,
    provider: Provider,
    journal: Journal,
    params: dict[str, Any],
    notice: Callable[[str], None],
    wanted: bool,
) -> Batcher | None:
    """The batcher of this state folder: when --batch asks for one, or when batches are open to collect."""
    open_ids = open_batch_ids(journal)
    if not wanted and not open_ids and not (journal.meta(INTENTS) or {}).get("tags"):
        return None
    from profilegen.generation.providers.openai_compatible import OpenAIProvider

    key = api_key()
    if not isinstance(provider, OpenAIProvider) or key is None:
        if wanted:
            raise InputError("--batch needs the openai provider and an API key (batches run at the provider)")
        notice(f"{plural(len(open_ids), 'open batch', 'open batches')} not collected: this run has no LLM provider")
        return None
    from profilegen.generation.batch.api import api_for

    return Batcher(
        journal,
        api_for(settings, key, provider.model),
        provider,
        prices=settings.prices or None,
        discount=settings.batch_discount,
        validation_retries=settings.validation_retries,
        quarantine_after=settings.quarantine_after,
        max_requests=settings.batch_max_requests,
        params=params,
        send_employee_name=settings.send_employee_name,
        notice=notice,
    )


def say_collected(work: BatchWork, notice: Callable[[str], None]) -> None:
    done = work.answered + work.reasked + work.failed
    if done:
        notice(
            f"collected {plural(done, 'answer')} from ended batches: {work.answered} valid, "
            f"{work.reasked} invalid (asked again), {work.failed} failed"
        )


def run_batches(
    batcher: Batcher,
    plan: Callable[[], list[Task]],
    engine: Engine,
    run_id: str,
    settings: Settings,
    wait: bool,
    first: BatchWork,
    notice: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[RunReport, BatchWork]:
    """Write the answers collected, submit what still needs one; with ``wait``, poll until every batch ended."""
    started = time.monotonic()
    deadline = started + parse_duration(settings.max_duration) if settings.max_duration else None
    outcomes: dict[str, Outcome] = {}
    report = RunReport(run_id)
    total = first
    failed_here = set(first.failed_keys)  # failed in this run: the next night tries again, not this loop
    delay = max(settings.batch_poll, 0.01)
    budget = settings.max_cost
    while True:
        tasks = plan()
        written = asyncio.run(engine.run([t for t in tasks if t.action != "generate"], run_id, keep_all=True))
        for outcome in written.outcomes:  # a later round's "up to date" does not hide what an earlier one did
            if outcome.key not in outcomes or outcome.status not in SKIPPED:
                outcomes[outcome.key] = outcome
        for task in tasks:  # answers that failed when collected in this run
            if task.key in failed_here and task.action == "generate":
                error = (batcher.journal.position(task.key) or {}).get("last_error") or {}
                outcomes[task.key] = Outcome(
                    task.key,
                    describe(task.context),
                    "failed",
                    tokens_in=0,  # a run's tokens and cost are what it asked live; the batch holds its own
                    tokens_out=0,
                    cost_usd=0.0,
                    error_type=str(error.get("type") or "batch_error"),
                    message=str(error.get("message") or ""),
                )
        failed_here.update(o.key for o in written.outcomes if o.status == "failed")
        if written.stop_reason is not None:
            report.stop_reason, report.stop_message = written.stop_reason, written.stop_message
            break
        todo = [t for t in tasks if t.action == "generate" and t.key not in failed_here]
        work = batcher.submit(todo, run_id, budget) if todo else BatchWork()
        _merge(total, work)
        if budget is not None and work.estimated_cost_usd is not None:
            budget = max(0.0, budget - work.estimated_cost_usd)
        for task in todo[: work.submitted]:  # submitted in order, up to the budget
            outcomes[task.key] = Outcome(task.key, describe(task.context), "submitted")
        if work.not_submitted:
            report.stop_reason = "budget"
            report.stop_message = (
                f"--max-cost ${settings.max_cost:g} reached at submission: {plural(work.submitted, 'position')} "
                f"submitted (estimated ${work.estimated_cost_usd or 0:.4f} at the batch price)"
            )
            report.not_started = work.not_submitted
            break
        if not wait or not batcher.open_ids():
            break
        if deadline is not None and time.monotonic() + delay > deadline:
            waiting = plural(len(batcher.open_ids()), "batch", "batches")
            report.stop_reason = "duration"
            report.stop_message = f"--max-duration reached while waiting for {waiting}; the next run collects them"
            break
        stopped = _wait(sleep, delay)
        if stopped is not None:
            report.stop_reason = stopped
            report.stop_message = f"{stopped} while waiting for the batches; the next run collects them"
            break
        delay = min(delay * 2, POLL_CAP)
        collected = batcher.collect()
        say_collected(collected, notice)
        failed_here.update(collected.failed_keys)
        _merge(total, collected)
    for outcome in outcomes.values():
        report.add(outcome)
    total.still_open = len(batcher.open_ids())
    return report, total


class _Terminated(Exception):
    pass


def _wait(sleep: Callable[[float], None], seconds: float) -> str | None:
    """Sleep between polls; Ctrl-C or SIGTERM ends the wait (the batches stay open): "interrupted"/"terminated"."""

    def on_term(_signum: int, _frame: object) -> None:
        raise _Terminated()

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):  # a closed terminal ends the wait as SIGTERM does
        number = getattr(signal, name, None)
        with contextlib.suppress(ValueError):  # not the main thread: the signal keeps its default
            if number is not None:
                previous[number] = signal.signal(number, on_term)
    try:
        sleep(seconds)
    except KeyboardInterrupt:
        return "interrupted"
    except _Terminated:
        return "terminated"
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    return None


def _merge(total: BatchWork, work: BatchWork) -> None:
    total.answered += work.answered
    total.reasked += work.reasked
    total.failed += work.failed
    total.returned += work.returned
    total.submitted += work.submitted
    total.not_submitted = work.not_submitted
    total.submitted_ids += work.submitted_ids
    total.submitted_keys += work.submitted_keys
    total.failed_keys += work.failed_keys
    if total.estimated_cost_usd is not None:
        total.estimated_cost_usd = (
            None if work.estimated_cost_usd is None else total.estimated_cost_usd + work.estimated_cost_usd
        )
