"""A run: what it is asked and what it did; its journal record opened and closed with the outcome.

The events are said as they come and the command line is recorded with secrets scrubbed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from profilegen.errors import ProfilegenError
from profilegen.generation.batch.batcher import BatchWork
from profilegen.generation.engine import EventSink
from profilegen.generation.planning import Task
from profilegen.generation.providers.base import Provider
from profilegen.generation.report import RunReport
from profilegen.inputs import Selection
from profilegen.journal import Journal


@dataclass(slots=True)
class GenerateOptions:
    provider: str = "auto"
    force: bool = False
    dry_run: bool = False
    formats: list[str] = field(default_factory=lambda: ["json", "md"])
    overwrite_edited: bool = False
    retry_quarantined: bool = False
    batch: bool = False  # submit to the provider's Batch API instead of asking live
    wait: bool = False  # with batch: poll until the batches end, then write what they answered
    command: list[str] = field(default_factory=list)  # the command line as typed, for the run record


@dataclass(slots=True)
class GenerateResult:
    provider: str
    tasks: list[Task]
    report: RunReport | None = None
    notices: list[str] = field(default_factory=list)

    estimate: dict[str, Any] = field(default_factory=dict)
    edited: list[tuple[Task, list[str]]] = field(default_factory=list)  # dry run: files edited by hand
    orphans: int = 0
    batch: BatchWork | None = None  # what the batch side did (submitted, collected), when it ran

    @property
    def to_generate(self) -> list[Task]:
        return [t for t in self.tasks if t.action == "generate"]


OUTCOMES = {
    "failures": "failed",
    "terminated": "interrupted",
    "interrupted": "interrupted",
    "budget": "budget",
    "duration": "duration_limit",
    "aborted": "aborted",
}
_SECRET = re.compile(r"(sk-[A-Za-z0-9_-]{6,}|(?i:bearer)\s+\S+)")


def record_run(
    journal: Journal,
    selection: Selection,
    options: GenerateOptions,
    provider: Provider,
    positions: int,
    started: list[str],
    on_event: EventSink | None,
    result: GenerateResult,
    execute: Callable[[str], RunReport],
    planned: str = "in full",
) -> GenerateResult:
    """Run ``execute`` as a journaled run: its record opened, closed with the outcome, and the events said.
    ``planned``: "in full", or "from the last plan" (a quiet night, no context built)."""
    run_id = journal.start_run(
        selection=describe_selection(selection),
        provider=provider.name,
        model=provider.model,
        command=scrub_command(options.command, journal.person_hash),
        positions=positions,
        planned=planned,
    )
    started.append(run_id)
    if on_event:
        on_event("run_started", {"run_id": run_id, "positions": positions, "provider": provider.name})
    try:
        result.report = report = execute(run_id)
    except KeyboardInterrupt:
        journal.finish_run(run_id, outcome="interrupted")
        raise
    except ProfilegenError:  # a refused key, a server without a Batch API: the run says how it ended
        journal.finish_run(run_id, outcome="aborted")
        raise
    except Exception:  # a bug: left open, so the next command closes it as crashed, with what it wrote
        raise
    except BaseException:  # SIGTERM/SIGHUP (the CLI raises them where the process is): stopped, not crashed
        journal.finish_run(run_id, outcome="interrupted")
        raise
    outcome = OUTCOMES.get(report.stop_reason or "", "failed" if report.counts()["failed"] else "completed")
    journal.finish_run(run_id, outcome=outcome, counts=report.counts(), **report.totals())
    if on_event:
        fields = {"run_id": run_id, "outcome": outcome, "stop_message": report.stop_message}
        on_event("run_finished", {**fields, **report.counts(), **report.totals()})
    return result


def selection_inputs(selection: Selection, employee: str | None, journal: Journal) -> dict[str, Any]:
    """The selection as the plan digest sees it (a person by keyed hash only)."""
    person = journal.person_hash(employee) if employee else None
    return {**describe_selection(selection), "employee": person}


def scrub_command(argv: Sequence[str], person_hash: Callable[[str], str]) -> list[str]:
    """The command line as run, with anything that looks like a key replaced and employee names hashed."""
    scrubbed: list[str] = []
    for i, arg in enumerate(argv):
        if i and argv[i - 1] == "--employee-name":
            arg = f"person:{person_hash(arg.strip())}"
        elif arg.startswith("--employee-name="):
            arg = f"--employee-name=person:{person_hash(arg.split('=', 1)[1].strip())}"
        scrubbed.append(_SECRET.sub("***", arg))
    return scrubbed


def describe_selection(selection: Selection) -> dict[str, Any]:
    return {
        "departments": selection.departments,
        "position": selection.position,
        "subunits": selection.subunits,
        "employee": bool(selection.employee_name),
    }
