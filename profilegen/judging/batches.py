"""`check --judge --batch`: scores through the provider's Batch API, journaled like generation's batches.

A submission is written as an intent before it is sent and adopted once the provider answers, so a run
killed in between finds its batch instead of paying twice. A profile in an open judge batch is not sent
again; collecting journals each score with the hash of the content that was sent. Results for requests
never sent, or said twice, are left out and not counted.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from profilegen.config import Settings, api_key
from profilegen.errors import InputError, RunAborted
from profilegen.generation.batch.api import BatchApi, BatchInfo, SubmissionLost, split
from profilegen.generation.batch.cost import add_cost, result_cost
from profilegen.generation.prompt import estimate_tokens
from profilegen.journal import Journal
from profilegen.judging.criteria import InvalidScores, parse_scores
from profilegen.judging.judge import Judge, Verdict
from profilegen.judging.records import JudgeResult, Pending, save_score
from profilegen.template.model import Template
from profilegen.text import plural

OPEN = "judge-open-batches"
INTENTS = "judge-batch-intents"
EXPECTED_ANSWER_TOKENS = 400  # five scores with a sentence each


@dataclass(slots=True)
class BatchOutcome:
    submitted: int = 0
    not_submitted: int = 0  # left out by --max-cost
    in_open_batches: int = 0  # already sent, not answered yet
    collected: int = 0
    failed: list[str] = field(default_factory=list)
    still_open: int = 0
    estimated_cost_usd: float | None = 0.0
    cost_usd: float | None = 0.0  # what the answers collected cost


class JudgeBatches:
    def __init__(
        self,
        journal: Journal,
        api: BatchApi,
        judge: Judge,
        template: Template,
        *,
        prices: dict[str, float] | None,
        discount: float,
        max_requests: int,
        notice: Callable[[str], None],
    ) -> None:
        self.journal, self.api, self.judge, self.template = journal, api, judge, template
        self.prices, self.discount, self.max_requests, self.notice = prices, discount, max_requests, notice

    def open_ids(self) -> list[str]:
        return list((self.journal.meta(OPEN) or {}).get("ids", []))

    def _set_open(self, ids: Sequence[str]) -> None:
        self.journal.set_meta(OPEN, {"ids": list(dict.fromkeys(ids))})

    def _intents(self) -> list[str]:
        return list((self.journal.meta(INTENTS) or {}).get("tags", []))

    def _set_intents(self, tags: Sequence[str]) -> None:
        self.journal.set_meta(INTENTS, {"tags": list(dict.fromkeys(tags))})

    # -- submitting ---------------------------------------------------------------------------------
    def submit(self, pending: Sequence[Pending], version: str, max_cost: float | None, outcome: BatchOutcome) -> None:
        """Send what needs a score and is in no open batch (within --max-cost, estimated at the batch price)."""
        requests: list[tuple[str, dict[str, Any]]] = []
        sent: dict[str, list[str]] = {}
        total: float | None = 0.0
        for item in pending:
            record = self.journal.position(item.key) or {}
            if (record.get("judge_batch") or {}).get("id") in self.open_ids():
                outcome.in_open_batches += 1
                continue
            unit_path, title, _employee = item.seen.owner
            text = self.judge.profile_text(item.document, self.template)
            body = self.judge.batch_body(text, list(unit_path), title)
            cost = self._estimate(body)
            if max_cost is not None:
                if cost is None:
                    raise InputError("--max-cost with --batch needs `prices` in the config to estimate the cost")
                if (total or 0.0) + cost > max_cost:
                    outcome.not_submitted = len(pending) - len(requests) - outcome.in_open_batches
                    break
            total = add_cost(total, cost)
            cid = "judge-" + hashlib.sha256(f"{item.key}\n{item.sha256}".encode()).hexdigest()[:32]
            requests.append((cid, body))
            sent[cid] = [item.key, item.sha256, version]
        outcome.estimated_cost_usd = None if total is None else round(total, 6)
        for chunk in split(requests, self.max_requests):
            tag = uuid.uuid4().hex
            ids = {cid: sent[cid] for cid, _ in chunk}
            intent = {"tag": tag, "since": time.time(), "custom_ids": ids, "total": len(chunk)}
            self.journal.set_meta(f"judge-intent:{tag}", intent)
            self._set_intents([*self._intents(), tag])
            try:
                info = self.api.submit(chunk, tag)
            except SubmissionLost as exc:
                found = self._find(intent)
                if found is None:
                    raise RunAborted(
                        f"{exc}; the provider does not list it yet, so nothing more is submitted: the next run "
                        "looks for it before sending these profiles again"
                    ) from None
                self.notice(f"found batch {found.id} by its tag: the answer to its submission was lost")
                info = found
            self._adopt(intent, info)
            outcome.submitted += len(chunk)

    def _estimate(self, body: dict[str, Any]) -> float | None:
        if not (self.prices and "input" in self.prices and "output" in self.prices):
            return None
        tokens_in = estimate_tokens(body["messages"])
        price = tokens_in * self.prices["input"] + EXPECTED_ANSWER_TOKENS * self.prices["output"]
        return price * self.discount / 1e6

    def _find(self, intent: dict[str, Any]) -> BatchInfo | None:
        return self.api.find(intent["tag"], self.judge.model, int(intent["total"]), float(intent["since"]))

    def _adopt(self, intent: dict[str, Any], info: BatchInfo) -> None:
        with self.journal.transaction():
            self.journal.set_meta(
                f"judge-batch:{info.id}",
                {
                    "id": info.id,
                    "submitted_ts": intent["since"],
                    "custom_ids": intent["custom_ids"],
                    "collected": False,
                },
            )
            for cid, (key, sha256, _version) in intent["custom_ids"].items():
                record = self.journal.position(key) or {}
                record["judge_batch"] = {"id": info.id, "custom_id": cid, "sha256": sha256}
                self.journal.save_position(key, record)
            self._set_open([*self.open_ids(), info.id])
            self.journal.delete_meta(f"judge-intent:{intent['tag']}")
            self._set_intents([t for t in self._intents() if t != intent["tag"]])

    def recover(self) -> None:
        """Submissions cut off before their batch id was journaled: find the batch, or drop the intent."""
        for tag in self._intents():
            intent = self.journal.meta(f"judge-intent:{tag}")
            info = self._find(intent) if intent is not None else None
            if intent is not None and info is not None and info.id not in self.open_ids():
                self._adopt(intent, info)
                self.notice(f"found judge batch {info.id}, submitted by a run that stopped before recording it")
                continue
            self.journal.delete_meta(f"judge-intent:{tag}")
            self._set_intents([t for t in self._intents() if t != tag])

    # -- collecting ---------------------------------------------------------------------------------
    def collect(self, outcome: BatchOutcome) -> dict[str, dict[str, Any]]:
        """Poll the open judge batches; journal the scores of those that ended. Returns key → score."""
        scores: dict[str, dict[str, Any]] = {}
        still = []
        for batch_id in self.open_ids():
            batch = self.journal.meta(f"judge-batch:{batch_id}")
            if batch is None:
                continue
            info = self.api.poll(batch_id)
            if not info.ended:
                still.append(batch_id)
                continue
            self._collect(batch, info, scores, outcome)
        self._set_open(still)
        outcome.still_open = len(still)
        return scores

    def _collect(
        self, batch: dict[str, Any], info: BatchInfo, scores: dict[str, dict[str, Any]], outcome: BatchOutcome
    ) -> None:
        seen: set[str] = set()
        strays = 0
        for result in self.api.results(info):
            sent = batch["custom_ids"].get(result.custom_id)
            if sent is None or result.custom_id in seen:
                strays += 1
                continue
            seen.add(result.custom_id)
            key, sha256, version = sent
            spent = result_cost(result, self.prices, self.discount)
            outcome.cost_usd = add_cost(outcome.cost_usd, spent[2])
            if spent != (0, 0, 0.0):
                self.journal.record_spend(f"judge-batch:{info.id}:{result.custom_id}", info.id, "batch", *spent)
            record = self.journal.position(key) or {}
            if (record.get("judge_batch") or {}).get("id") != info.id:
                continue  # journaled before a crash cut the last collection short
            try:
                if result.body is None:
                    raise InvalidScores(result.error or "no answer")
                choice = (result.body.get("choices") or [{}])[0]
                parsed = parse_scores(str((choice.get("message") or {}).get("content") or ""))
            except InvalidScores as exc:
                record.pop("judge_batch", None)
                self.journal.save_position(key, record)
                outcome.failed.append(f"{' / '.join(record.get('unit_path') or [])} — {record.get('title')}: {exc}")
                continue
            model = str(result.body.get("model") or self.judge.model)
            verdict = Verdict(parsed, model, spent[0], spent[1], spent[2])
            scores[key] = save_score(self.journal, key, record, sha256, verdict, version)
            outcome.collected += 1
        for cid, (key, _sha, _version) in batch["custom_ids"].items():  # no result: expired, cancelled, failed
            record = self.journal.position(key) or {}
            if cid not in seen and (record.get("judge_batch") or {}).get("id") == info.id:
                record.pop("judge_batch", None)
                self.journal.save_position(key, record)
        if strays:
            self.notice(f"judge batch {info.id}: {plural(strays, 'result')} never sent or said twice, left out")
        batch["collected"] = True
        self.journal.set_meta(f"judge-batch:{info.id}", batch)


MAX_POLL = 600.0  # seconds between polls at most, while waiting


def judge_in_batches(
    journal: Journal,
    judge: Judge,
    settings: Settings,
    work: Sequence[Pending],
    template: Template,
    version: str,
    result: JudgeResult,
    notice: Callable[[str], None],
    max_cost: float | None,
    wait: bool,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Collect the judge batches that ended, submit what still needs a score; with `wait`, until all ended."""
    from profilegen.generation.batch.api import api_for
    from profilegen.generation.providers.choice import key_for

    batches = JudgeBatches(
        journal,
        api_for(settings, key_for(settings, api_key()), judge.model),
        judge,
        template,
        prices=settings.prices or None,
        discount=settings.batch_discount,
        max_requests=settings.batch_max_requests,
        notice=notice,
    )
    batches.recover()
    outcome = BatchOutcome()
    pending = {item.key: item for item in work}
    delay = max(settings.batch_poll, 0.01)
    submitted = False
    while True:
        for key, score in batches.collect(outcome).items():
            item = pending.get(key)
            if item is not None and score.get("sha256") == item.sha256:  # a score of the content it has now
                result.scores[item.seen.owner] = score
        if not submitted:
            left = [item for item in work if item.seen.owner not in result.scores]
            batches.submit(left, version, max_cost, outcome)
            submitted = True
            if outcome.not_submitted:
                result.not_sent, result.limit_reached = outcome.not_submitted, True
            if outcome.submitted:
                notice(f"submitted {plural(outcome.submitted, 'profile')} to the judge in a batch")
        if not wait or not batches.open_ids():
            break
        sleep(delay)
        delay = min(delay * 2, MAX_POLL)
    result.judged = outcome.collected
    result.failed += outcome.failed
    result.submitted = outcome.submitted
    result.in_batches = sum(
        1
        for item in work
        if (journal.position(item.key) or {}).get("judge_batch") and item.seen.owner not in result.scores
    )
    result.cost_usd = outcome.cost_usd
