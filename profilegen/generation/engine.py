"""The generation run: plan what is out of date, generate with bounded concurrency, journal, export."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from profilegen.errors import ProfilegenError
from profilegen.export.atomic import write_bytes_atomic
from profilegen.export.layout import OutputLayout
from profilegen.export.markdown import render_markdown
from profilegen.generation.context import PositionContext, describe, fingerprint
from profilegen.generation.provider import Provider, ProviderResult
from profilegen.generation.schema import SCHEMA_VERSION
from profilegen.journal import Journal, position_key

EventSink = Callable[[str, dict[str, Any]], None]
RENDERERS: dict[str, Callable[[dict[str, Any], str], bytes]] = {
    "json": lambda doc, _lang: (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    "md": lambda doc, lang: render_markdown(doc, lang).encode("utf-8"),
}


@dataclass(slots=True)
class Task:
    """One position to bring up to date."""

    key: str
    context: PositionContext
    fingerprint: str
    action: str  # "generate", "render" (only missing formats), "up_to_date"
    reason: str = ""


@dataclass(slots=True)
class Outcome:
    key: str
    label: str
    status: str  # generated, rendered, up_to_date, failed
    duration_s: float = 0.0
    tokens_in: int | None = None
    tokens_out: int | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    message: str | None = None
    paths: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RunReport:
    run_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    def counts(self) -> dict[str, int]:
        counts = Counter(o.status for o in self.outcomes)
        return {k: counts.get(k, 0) for k in ("generated", "rendered", "up_to_date", "failed")}

    def totals(self) -> dict[str, Any]:
        tokens_in = sum(o.tokens_in or 0 for o in self.outcomes)
        tokens_out = sum(o.tokens_out or 0 for o in self.outcomes)
        paid = [o for o in self.outcomes if o.status == "generated"]
        unknown = any(o.cost_usd is None for o in paid)
        cost = None if unknown else round(sum(o.cost_usd or 0.0 for o in paid), 6)
        return {"tokens_in": tokens_in, "tokens_out": tokens_out, "cost_usd": cost}


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
        on_event: EventSink | None = None,
    ) -> None:
        unknown = [f for f in formats if f not in RENDERERS]
        if unknown:
            raise ProfilegenError(f"unknown format '{unknown[0]}' (known: {', '.join(RENDERERS)})")
        self.provider = provider
        self.journal = journal
        self.layout = layout
        self.formats = list(dict.fromkeys(["json", *formats]))
        self.language = language
        self.concurrency = concurrency
        self.force = force
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
        tasks = []
        for context in contexts:
            key = position_key(context.unit_path, context.title, context.employee_name)
            fp = fingerprint(context, self.generation_params)
            tasks.append(self._classify(key, context, fp))
        return tasks

    def _classify(self, key: str, context: PositionContext, fp: str) -> Task:
        if self.force:
            return Task(key, context, fp, "generate", "--force")
        record = self.journal.position(key)
        if record is None:
            return Task(key, context, fp, "generate", "new")
        if record.get("status") != "done":
            return Task(key, context, fp, "generate", str(record.get("status", "pending")))
        if record.get("fingerprint") != fp:
            return Task(key, context, fp, "generate", "inputs changed")
        json_path = self._path(context, "json")
        if not json_path.exists():
            return Task(key, context, fp, "generate", "output missing")
        if any(not self._path(context, f).exists() for f in self.formats):
            return Task(key, context, fp, "render", "format missing")
        return Task(key, context, fp, "up_to_date")

    def _path(self, context: PositionContext, fmt: str) -> Path:
        return self.layout.file(context.unit_path, context.title, fmt, context.employee_name)

    # -- running ---------------------------------------------------------------------
    async def run(self, tasks: Sequence[Task], run_id: str) -> RunReport:
        report = RunReport(run_id)
        semaphore = asyncio.Semaphore(self.concurrency)

        async def one(task: Task) -> None:
            async with semaphore:
                report.outcomes.append(await self._execute(task, run_id))

        try:
            await asyncio.gather(*(one(t) for t in tasks))
        except asyncio.CancelledError:
            report.interrupted = True
        return report

    async def _execute(self, task: Task, run_id: str) -> Outcome:
        label = describe(task.context)
        if task.action == "up_to_date":
            self.on_event("position_skipped", {"position": label, "reason": "up to date"})
            return Outcome(task.key, label, "up_to_date")
        if task.action == "render":
            record = self.journal.position(task.key) or {}
            document = json.loads(self._path(task.context, "json").read_text(encoding="utf-8"))
            missing = [f for f in self.formats if not self._path(task.context, f).exists()]
            paths = self._write(task, document, record, missing)
            return Outcome(task.key, label, "rendered", paths=paths)
        return await self._generate(task, run_id, label)

    async def _generate(self, task: Task, run_id: str, label: str) -> Outcome:
        started = time.monotonic()
        previous = self.journal.position(task.key) or {}
        attempts = int(previous.get("attempts", 0)) + 1
        self.journal.update_position(
            task.key, status="running", run_id=run_id, fingerprint=task.fingerprint, attempts=attempts
        )
        try:
            result = await self.provider.generate(task.context)
        except ProfilegenError as exc:
            return self._failed(task, label, started, type(exc).__name__, str(exc))
        self.journal.update_position(task.key, raw_answer=result.raw)
        duration = round(time.monotonic() - started, 3)
        document = self._document(task, result, duration)
        record = self.journal.position(task.key) or {}
        paths = self._write(task, document, record, self.formats)
        self.journal.update_position(
            task.key,
            status="done",
            raw_answer=None,
            last_error=None,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=result.cost_usd,
            duration_s=duration,
            generator=self.provider.generator,
            kpi_source=task.context.kpi_source,
            unit_path=list(task.context.unit_path),
            title=task.context.title,
            warnings=result.warnings,
        )
        fields = {
            "unit_path": list(task.context.unit_path),
            "position": task.context.title,
            "duration_s": duration,
            "tokens_in": result.tokens_in,
            "tokens_out": result.tokens_out,
            "cost_usd": result.cost_usd,
            "kpi_source": task.context.kpi_source,
            "attempts": result.attempts,
        }
        self.on_event("position_generated", fields)
        return Outcome(
            task.key, label, "generated", duration, result.tokens_in, result.tokens_out, result.cost_usd, paths=paths
        )

    def _failed(self, task: Task, label: str, started: float, error_type: str, message: str) -> Outcome:
        self.journal.update_position(
            task.key,
            status="failed",
            last_error={"type": error_type, "message": message},
            unit_path=list(task.context.unit_path),
            title=task.context.title,
        )
        self.on_event("position_failed", {"position": label, "error_type": error_type, "message": message})
        return Outcome(task.key, label, "failed", time.monotonic() - started, error_type=error_type, message=message)

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

    def _write(self, task: Task, document: dict[str, Any], record: dict[str, Any], formats: Sequence[str]) -> list[str]:
        hashes = dict(record.get("file_hashes") or {})
        written = []
        for fmt in formats:
            path = self._path(task.context, fmt)
            data = RENDERERS[fmt](document, self.language)
            write_bytes_atomic(path, data)
            hashes[str(path)] = hashlib.sha256(data).hexdigest()
            written.append(str(path))
        self.journal.update_position(task.key, file_hashes=hashes, outputs=sorted(hashes))
        return written
