"""`check --judge`: each selected profile scored by the configured model, journaled as it is answered.

A score is kept in the position's journal record with the hash of the profile's content, the model and
the judge's version: a profile that did not change is never judged (or paid for) twice, and a run killed
half-way continues where it stopped. What each answer cost goes into the journal's spend ledger. With
`--batch`, the scores go through the provider's Batch API instead (see `batches`).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from profilegen.checking.seen import Seen
from profilegen.config import Settings, api_key
from profilegen.errors import GenerationError
from profilegen.generation.providers.choice import key_for, openai_settings
from profilegen.journal import Journal
from profilegen.judging.batches import judge_in_batches
from profilegen.judging.criteria import judge_version
from profilegen.judging.judge import Judge
from profilegen.judging.records import JudgeResult, Pending, save_score
from profilegen.judging.scores import content_hash, current_score
from profilegen.template.model import Template


def judge_profiles(
    settings: Settings,
    state: Path,
    seen: list[Seen],
    template: Template,
    notice: Callable[[str], None],
    max_cost: float | None = None,
    batch: bool = False,
    wait: bool = False,
) -> JudgeResult:
    key = key_for(settings, api_key())
    judge = Judge(openai_settings(settings), key, template.language, settings.send_employee_name)
    version = judge_version(template.language)
    result = JudgeResult()
    with Journal(state) as journal:
        work = pending(journal, judge, seen, version, result)
        if batch:
            judge_in_batches(journal, judge, settings, work, template, version, result, notice, max_cost, wait)
        else:
            asyncio.run(_judge_live(journal, judge, settings, work, template, version, result, max_cost))
    if result.limit_reached:
        notice(f"--max-cost {max_cost} reached: {result.not_sent} profiles not judged (run again to continue)")
    return result


def pending(journal: Journal, judge: Judge, seen: list[Seen], version: str, result: JudgeResult) -> list[Pending]:
    """The profiles without a score of their content by this model and judge version (those with one are
    counted as reused and their scores kept in the result)."""
    work = []
    for item in seen:
        document = item.document()
        if document is None:
            continue
        unit_path, title, employee = item.owner
        key = journal.position_key(unit_path, title, employee)
        old = current_score(journal.position(key), document)
        if old and old.get("model") == judge.model and old.get("version") == version:
            result.reused += 1
            result.scores[item.owner] = old
            continue
        work.append(Pending(key, item, content_hash(document), document))
    return work


async def _judge_live(
    journal: Journal,
    judge: Judge,
    settings: Settings,
    work: list[Pending],
    template: Template,
    version: str,
    result: JudgeResult,
    max_cost: float | None,
) -> None:
    run_id = "judge-" + time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(settings.concurrency)

    async def one(item: Pending) -> None:
        async with gate:
            if max_cost is not None and result.cost_usd is not None and result.cost_usd >= max_cost:
                result.not_sent += 1
                result.limit_reached = True
                return
            unit_path, title, _employee = item.seen.owner
            try:
                verdict = await judge.score(judge.profile_text(item.document, template), list(unit_path), title)
            except GenerationError as exc:
                _spent(journal, item.key, run_id, exc.tokens_in, exc.tokens_out, exc.cost_usd, result)
                result.failed.append(f"{' / '.join(unit_path)} — {title}: {exc}")
                return
            _spent(journal, item.key, run_id, verdict.tokens_in, verdict.tokens_out, verdict.cost_usd, result)
            record = journal.position(item.key) or {"unit_path": list(unit_path), "title": title}
            result.scores[item.seen.owner] = save_score(journal, item.key, record, item.sha256, verdict, version)
            result.judged += 1

    try:
        await asyncio.gather(*(one(item) for item in work))
    finally:
        await judge.close()


def _spent(
    journal: Journal,
    key: str,
    run_id: str,
    tokens_in: int | None,
    tokens_out: int | None,
    cost: float | None,
    result: JudgeResult,
) -> None:
    if tokens_in or tokens_out or cost:
        entry = f"judge:{run_id}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:20]}"
        journal.record_spend(entry, run_id, "judge", tokens_in, tokens_out, cost)
    result.cost_usd = None if result.cost_usd is None or cost is None else result.cost_usd + cost
