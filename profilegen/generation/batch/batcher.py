"""Batch generation driven by the journal: submit what needs an answer, collect what ended.

A position in an open batch is `submitted` (with the batch id and its `custom_id`) and is never sent
again until that batch has ended. Collecting journals each answer as the live path does (so nothing
paid for is requested again); the run then writes the profiles from the journal like any answered
position. Failed requests and invalid answers go into the next batch (an invalid one as a re-ask),
within the usual validation retries and quarantine.

A submission is written to the journal as an intent before it is sent (tagged in the batch's metadata)
and adopted once the provider answers, so a process killed in between finds its batch again
instead of paying for it twice.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from profilegen.errors import GenerationError, InputError, ProviderAbort, RunAborted
from profilegen.generation.batch.api import BatchApi, BatchInfo, BatchResult, SubmissionLost, split
from profilegen.generation.batch.cost import add_cost, result_cost
from profilegen.generation.context import fingerprint_parts
from profilegen.generation.failures import record_failure
from profilegen.generation.planning import Task, context_params
from profilegen.journal import Journal
from profilegen.text import plural

if TYPE_CHECKING:
    from profilegen.generation.providers.openai_compatible import OpenAIProvider

OPEN = "open-batches"
INTENTS = "batch-intents"


@dataclass(slots=True)
class BatchWork:
    """What the batch side of one run did."""

    answered: int = 0  # valid answers journaled (written as profiles by the run)
    reasked: int = 0  # invalid answers, asked again in the next batch
    failed: int = 0
    returned: int = 0  # positions of an expired, cancelled or failed batch, to be submitted again
    submitted: int = 0
    not_submitted: int = 0  # left out by --max-cost
    submitted_ids: list[str] = field(default_factory=list)
    submitted_keys: list[str] = field(default_factory=list)  # a position re-asked in a later batch: twice
    failed_keys: list[str] = field(default_factory=list)
    estimated_cost_usd: float | None = 0.0
    still_open: int = 0


def open_batch_ids(journal: Journal) -> list[str]:
    """The batches of this state folder that have not ended (or not been collected) yet."""
    return list((journal.meta(OPEN) or {}).get("ids", []))


def _set_open(journal: Journal, ids: Sequence[str]) -> None:
    journal.set_meta(OPEN, {"ids": list(dict.fromkeys(ids))})


def custom_id(key: str) -> str:
    """A request's id in a batch: derived from the position key, naming nothing and no one."""
    return "pg-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


class Batcher:
    """Submits and collects one state folder's batches through one Batch API."""

    def __init__(
        self,
        journal: Journal,
        api: BatchApi,
        provider: OpenAIProvider,
        *,
        prices: dict[str, float] | None,
        discount: float,
        validation_retries: int,
        quarantine_after: int,
        max_requests: int,
        params: dict[str, Any],
        send_employee_name: bool,
        notice: Callable[[str], None],
    ) -> None:
        self.journal = journal
        self.api = api
        self.provider = provider
        self.prices = prices
        self.discount = discount
        self.validation_retries = validation_retries
        self.quarantine_after = quarantine_after
        self.max_requests = max_requests
        self.params = params  # the run's generation parameters (for what a dry run says changed)
        self.send_employee_name = send_employee_name
        self.notice = notice

    def open_ids(self) -> list[str]:
        return open_batch_ids(self.journal)

    # -- submitting ---------------------------------------------------------------------------------
    def estimate(self, tasks: Sequence[Task]) -> list[tuple[Task, dict[str, Any], float | None]]:
        """Each task's request body and estimated cost (prompt plus expected answer, at the batch price)."""
        from profilegen.generation.prompt import estimate_tokens

        expected_out = self._expected_answer_tokens()
        priced = []
        for task in tasks:
            record = self.journal.position(task.key) or {}
            body = self.provider.batch_request(task.context, record.get("batch_fix"))
            tokens_in = estimate_tokens(body["messages"])
            cost = None
            if self.prices and "input" in self.prices and "output" in self.prices:
                cost = (tokens_in * self.prices["input"] + expected_out * self.prices["output"]) * self.discount / 1e6
            priced.append((task, body, cost))
        return priced

    def _expected_answer_tokens(self) -> int:
        """The mean answer of the profiles generated so far, else the answer limit."""
        outs = [
            int(r["tokens_out"])
            for _, r in self.journal.positions()
            if r.get("status") == "done" and r.get("generator") == "llm" and r.get("tokens_out")
        ]
        return round(sum(outs) / len(outs)) if outs else self.provider.settings.max_tokens

    def submit(self, tasks: Sequence[Task], run_id: str, max_cost: float | None) -> BatchWork:
        work = BatchWork()
        priced = self.estimate(tasks)
        chosen: list[tuple[Task, dict[str, Any]]] = []
        total: float | None = 0.0
        for task, body, cost in priced:
            if max_cost is not None:
                if cost is None:
                    raise InputError("--max-cost with --batch needs `prices` in the config to estimate the cost")
                if (total or 0.0) + cost > max_cost:
                    work.not_submitted = len(priced) - len(chosen)
                    break
            total = add_cost(total, cost)
            chosen.append((task, body))
        work.estimated_cost_usd = None if total is None else round(total, 6)
        tasks_by_id = {custom_id(t.key): (t, body) for t, body in chosen}
        requests = [(cid, body) for cid, (_, body) in tasks_by_id.items()]
        for chunk in split(requests, self.max_requests):
            tag = uuid.uuid4().hex
            ids = {cid: [tasks_by_id[cid][0].key, tasks_by_id[cid][0].fingerprint] for cid, _ in chunk}
            intent = {"tag": tag, "since": time.time(), "run_id": run_id, "custom_ids": ids, "total": len(chunk)}
            self.journal.set_meta(f"batch-intent:{tag}", intent)
            self._set_intents([*self._intents(), tag])
            try:
                info = self.api.submit(chunk, tag)
            except SubmissionLost as exc:
                found = self._find(intent)
                if found is None:  # the intent stays: the next run looks for the batch before sending anything
                    raise RunAborted(
                        f"{exc}; the provider does not list it yet, so nothing more is submitted: the next run "
                        "looks for it before submitting these positions again"
                    ) from None
                self.notice(f"found batch {found.id} by its tag: the answer to its submission was lost")
                info = found
            self._adopt(intent, info, {cid: task for cid, (task, _) in tasks_by_id.items()})
            work.submitted += len(chunk)
            work.submitted_keys += [key for key, _fp in ids.values()]
            work.submitted_ids.append(info.id)
        return work

    def _intents(self) -> list[str]:
        return list((self.journal.meta(INTENTS) or {}).get("tags", []))

    def _set_intents(self, tags: Sequence[str]) -> None:
        self.journal.set_meta(INTENTS, {"tags": list(tags)})

    def _adopt(self, intent: dict[str, Any], info: BatchInfo, tasks: dict[str, Task] | None = None) -> None:
        """Record a batch the provider accepted, and mark its positions `submitted` (one commit)."""
        now = time.time()
        record = {
            "id": info.id,
            "api": self.api.shape,
            "model": self.provider.model,
            "base_url": self.provider.settings.base_url,
            "status": info.status,
            "submitted_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(intent["since"])),
            "submitted_ts": intent["since"],
            "run_id": intent["run_id"],
            "requests": intent["total"],
            "counts": {"total": info.total or intent["total"], "completed": info.completed, "failed": info.failed},
            "custom_ids": {cid: key for cid, (key, _fp) in intent["custom_ids"].items()},
            "tokens_in": 0,
            "tokens_out": 0,
            "cost_usd": None,
            "collected": False,
            "spend_ledger": True,  # its answers' cost is recorded per answer (`Journal.spending`)
        }
        with self.journal.transaction():
            self.journal.save_batch(record)
            for cid, (key, fp) in intent["custom_ids"].items():
                position = self.journal.position(key) or {}  # read once, written once
                position.update(
                    status="submitted",
                    batch_id=info.id,
                    custom_id=cid,
                    run_id=intent["run_id"],
                    fingerprint=fp,
                    attempts=int(position.get("attempts") or 0) + 1,
                    raw_answer=None,
                    submitted_ts=now,
                )
                task = (tasks or {}).get(cid)
                if task is not None:
                    params = context_params(task.context, self.params, self.send_employee_name)
                    position.update(
                        fingerprint_parts=fingerprint_parts(task.context, params),
                        unit_path=list(task.context.unit_path),
                        title=task.context.title,
                        kpi_source=task.context.kpi_source,
                    )
                self.journal.save_position(key, position)
            _set_open(self.journal, [*self.open_ids(), info.id])
            self.journal.delete_meta(f"batch-intent:{intent['tag']}")
            self._set_intents([t for t in self._intents() if t != intent["tag"]])

    def recover(self) -> None:
        """Submissions cut off before their batch id was journaled: find the batch, or drop the intent."""
        known = {b["id"] for b in self.journal.batches()}
        for tag in self._intents():
            intent = self.journal.meta(f"batch-intent:{tag}")
            if intent is None:
                self._set_intents([t for t in self._intents() if t != tag])
                continue
            info = self._find(intent)
            if info is not None and info.id not in known:
                self._adopt(intent, info)
                self.notice(f"found batch {info.id}, submitted by a run that stopped before recording it")
            else:
                self.journal.delete_meta(f"batch-intent:{tag}")
                self._set_intents([t for t in self._intents() if t != tag])

    def _find(self, intent: dict[str, Any]) -> BatchInfo | None:
        return self.api.find(intent["tag"], self.provider.model, int(intent["total"]), float(intent["since"]))

    # -- collecting ---------------------------------------------------------------------------------
    def collect(self) -> BatchWork:
        """Poll every open batch; journal the results of those that ended."""
        work = BatchWork()
        still = []
        for batch_id in self.open_ids():
            batch = self.journal.batch(batch_id)
            if batch is None:
                continue
            where = batch.get("base_url")
            if where and where != self.provider.settings.base_url:  # never resubmit what another server holds
                self.notice(
                    f"batch {batch_id} was submitted to {where}, not {self.provider.settings.base_url}: not collected"
                )
                still.append(batch_id)
                continue
            try:
                info = self.api.poll(batch_id)
            except ProviderAbort:
                raise
            except RunAborted as exc:  # the server is down, or forgot the batch: its positions stay in it
                self.notice(
                    f"batch {batch_id} not polled: {exc} (the next run tries again; `profilegen jobs cancel "
                    f"{batch_id}` gives its positions back)"
                )
                still.append(batch_id)
                continue
            batch.update(
                status=info.status, counts={"total": info.total, "completed": info.completed, "failed": info.failed}
            )
            if not info.ended:
                self.journal.save_batch(batch)
                still.append(batch_id)
                continue
            self._collect(batch, info, work)
        _set_open(self.journal, still)
        work.still_open = len(still)
        return work

    def _collect(self, batch: dict[str, Any], info: BatchInfo, work: BatchWork) -> None:
        returned = strays = 0
        tokens_in = tokens_out = 0
        cost: float | None = 0.0
        seen: set[str] = set()
        for result in self.api.results(info):
            key = batch["custom_ids"].get(result.custom_id)
            if key is None or result.custom_id in seen:  # never sent, or said twice: not ours to count
                strays += 1
                continue
            seen.add(result.custom_id)
            spent = result_cost(result, self.prices, self.discount)
            tokens_in, tokens_out, cost = tokens_in + spent[0], tokens_out + spent[1], add_cost(cost, spent[2])
            if spent != (0, 0, 0.0):  # paid by the run that submitted the batch
                entry = f"batch:{batch['id']}:{result.custom_id}"
                self.journal.record_spend(entry, str(batch.get("run_id") or ""), "batch", *spent)
            record = self.journal.position(key)
            if record is None or record.get("batch_id") != batch["id"]:
                continue  # journaled before a crash cut the last collection short (counted: it was paid)
            self._settle(key, record, result, spent, work)
        if strays:
            self.notice(
                f"batch {batch['id']}: {plural(strays, 'result')} for requests never sent or answered twice "
                "left out (not written, not counted)"
            )
        for key in batch["custom_ids"].values():  # no result: the batch expired, was cancelled or failed
            record = self.journal.position(key) or {}
            if record.get("batch_id") == batch["id"]:
                error = {"type": f"batch_{info.status}", "message": info.error or f"the batch {info.status}"}
                self.journal.update_position(key, status="pending", batch_id=None, last_error=error)
                returned += 1
        ended = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        batch.update(collected=True, ended_at=ended, tokens_in=tokens_in, tokens_out=tokens_out, cost_usd=cost)
        if info.error:
            batch["error"] = info.error
        self.journal.save_batch(batch)
        work.returned += returned
        if returned:
            self.notice(f"batch {batch['id']} {info.status}: {plural(returned, 'position')} go into the next batch")

    def _settle(
        self,
        key: str,
        record: dict[str, Any],
        result: BatchResult,
        spent: tuple[int, int, float | None],
        work: BatchWork,
    ) -> None:
        """One answer, journaled as the live path would: valid (to be written), invalid (re-asked) or failed."""
        fixes = int(record.get("batch_fixes") or 0)
        if fixes:  # a re-ask: the position's spend is that of every attempt
            spent = (
                int(record.get("tokens_in") or 0) + spent[0],
                int(record.get("tokens_out") or 0) + spent[1],
                add_cost(record.get("cost_usd"), spent[2]),
            )
        tokens: dict[str, Any] = {"tokens_in": spent[0], "tokens_out": spent[1], "cost_usd": spent[2]}
        body = result.body
        if body is None:
            code = f"http_{result.status_code}" if result.status_code else "batch_error"
            self._fail(key, GenerationError(code, str(result.error), **tokens), work)  # a re-ask stays one
            return
        choice = (body.get("choices") or [{}])[0]
        content = str((choice.get("message") or {}).get("content") or "")
        if choice.get("finish_reason") == "length":
            error = GenerationError("truncated", "answer cut off at max_tokens (finish_reason=length)", **tokens)
            self._fail(key, error, work, batch_fixes=0)
            return
        from profilegen.generation.answer import InvalidAnswer, parse_answer  # the models load only for answers

        try:
            parse_answer(content, self.provider.prompt.template)
        except InvalidAnswer as exc:
            if fixes < self.validation_retries:
                fix = {"answer": content, "errors": exc.errors}
                self.journal.update_position(
                    key, status="pending", batch_id=None, batch_fix=fix, batch_fixes=fixes + 1, **tokens
                )
                work.reasked += 1
                return
            first = exc.errors.splitlines()[0] if exc.errors else "invalid"
            error = GenerationError(
                "invalid_output", f"answer failed validation {plural(fixes + 1, 'time')}: {first}", **tokens
            )
            self._fail(key, error, work, batch_fix=None, batch_fixes=0)
            return
        self.journal.update_position(
            key,
            status="pending",
            batch_id=None,
            raw_answer=content,
            model=str(body.get("model") or self.provider.model),
            batch_fix=None,
            batch_fixes=0,
            **tokens,
        )
        work.answered += 1

    def _fail(self, key: str, error: GenerationError, work: BatchWork, **extra: Any) -> None:
        record_failure(self.journal, key, error, self.quarantine_after, batch_id=None, **extra)
        work.failed += 1
        work.failed_keys.append(key)


def release(journal: Journal, batch: dict[str, Any], status: str) -> int:
    """Give back the positions of a batch the server no longer knows: they go into the next batch."""
    count = 0
    for key in batch["custom_ids"].values():
        if (journal.position(key) or {}).get("batch_id") == batch["id"]:
            error = {"type": f"batch_{status}", "message": "the server does not know this batch"}
            journal.update_position(key, status="pending", batch_id=None, last_error=error)
            count += 1
    # what the server forgot it never answered here: nothing of it was paid through this journal
    batch.update(status=status, collected=True, ended_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), cost_usd=0.0)
    journal.save_batch(batch)
    _set_open(journal, [i for i in open_batch_ids(journal) if i != batch["id"]])
    return count
