"""`check --judge`: each selected profile scored by the configured model, journaled as it is answered.

A score is kept in the position's journal record with the hash of the profile's content, the model and
the judge's version: a profile that did not change is never judged (or paid for) twice, and a run killed
half-way continues where it stopped. What each answer cost goes into the journal's spend ledger.
"""

from __future__ import annotations

import asyncio
import hashlib
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.checking.run import Seen
from profilegen.config import Settings, api_key
from profilegen.errors import GenerationError
from profilegen.export.markdown import render_markdown
from profilegen.generation.providers.choice import key_for, openai_settings
from profilegen.journal import Journal
from profilegen.judging.criteria import judge_version
from profilegen.judging.judge import Judge, Verdict
from profilegen.judging.scores import content_hash, current_score
from profilegen.template.documents import readable
from profilegen.template.model import Template


@dataclass(slots=True)
class JudgeResult:
    judged: int = 0
    reused: int = 0  # scored before, content unchanged
    failed: list[str] = field(default_factory=list)
    not_sent: int = 0  # left out by --max-cost
    cost_usd: float | None = 0.0
    limit_reached: bool = False
    scores: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)  # owner → the score now


def judge_profiles(
    settings: Settings,
    state: Path,
    seen: list[Seen],
    template: Template,
    notice: Callable[[str], None],
    max_cost: float | None = None,
) -> JudgeResult:
    return asyncio.run(_judge_all(settings, state, seen, template, notice, max_cost))


async def _judge_all(
    settings: Settings,
    state: Path,
    seen: list[Seen],
    template: Template,
    notice: Callable[[str], None],
    max_cost: float | None,
) -> JudgeResult:
    judge = Judge(openai_settings(settings), key_for(settings, api_key()), template.language)
    version = judge_version(template.language)
    result = JudgeResult()
    run_id = "judge-" + time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    gate = asyncio.Semaphore(settings.concurrency)
    with Journal(state) as journal:
        work = []
        for item in seen:
            if item.document is None:
                continue
            unit_path, title, employee = item.owner
            key = journal.position_key(unit_path, title, employee)
            old = current_score(journal.position(key), item.document)
            if old and old.get("model") == judge.model and old.get("version") == version:
                result.reused += 1
                result.scores[item.owner] = old
                continue
            work.append((key, item))

        async def one(key: str, item: Seen) -> None:
            async with gate:
                if max_cost is not None and result.cost_usd is not None and result.cost_usd >= max_cost:
                    result.not_sent += 1
                    result.limit_reached = True
                    return
                document, own = readable(item.document or {}, template)
                unit_path, title, _employee = item.owner
                try:
                    verdict = await judge.score(render_markdown(document, own), list(unit_path), title)
                except GenerationError as exc:
                    _spent(journal, key, run_id, exc.tokens_in, exc.tokens_out, exc.cost_usd, result)
                    result.failed.append(f"{' / '.join(unit_path)} — {title}: {exc}")
                    return
                _spent(journal, key, run_id, verdict.tokens_in, verdict.tokens_out, verdict.cost_usd, result)
                result.scores[item.owner] = _save(journal, key, item, verdict, version)
                result.judged += 1

        try:
            await asyncio.gather(*(one(key, item) for key, item in work))
        finally:
            await judge.close()
    if result.limit_reached:
        notice(f"--max-cost {max_cost} reached: {result.not_sent} profiles not judged (run again to continue)")
    return result


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


def _save(journal: Journal, key: str, item: Seen, verdict: Verdict, version: str) -> dict[str, Any]:
    scores = verdict.scores
    record = journal.position(key) or {"unit_path": list(item.owner[0]), "title": item.owner[1]}
    record["judge"] = {
        "sha256": content_hash(item.document or {}),
        "version": version,
        "model": verdict.model if verdict.model else "",
        "scores": {k: v["score"] for k, v in scores.items()},
        "reasons": {k: v["reason"] for k, v in scores.items()},
        "mean": round(statistics.fmean(v["score"] for v in scores.values()), 2),
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "tokens_in": verdict.tokens_in,
        "tokens_out": verdict.tokens_out,
        "cost_usd": verdict.cost_usd,
    }
    journal.save_position(key, record)
    return dict(record["judge"])
