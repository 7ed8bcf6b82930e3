"""What `generate` shows while it runs: events to the log, and on a terminal a progress bar that says
done/total, failed, tokens, cost so far, rate and a labelled ETA."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from profilegen.cli.output import info, stderr
from profilegen.cli.state import OPTIONS
from profilegen.observability import EventLog

WORK_EVENTS = ("position_generated", "position_failed")


class RunProgress:
    """Passes events to the log (skipped positions one by one only with -v) and drives the bar."""

    def __init__(self, log: EventLog, enabled: bool) -> None:
        self.log = log
        self.enabled = enabled
        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()
        self._worked = 0  # positions this run generated or failed (skipped ones say nothing about speed)
        self._failed = 0
        self._tokens = 0
        self._cost: float | None = 0.0

    def __enter__(self) -> RunProgress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("failed {task.fields[failed]} · tokens {task.fields[tokens]} · {task.fields[cost]}"),
                TextColumn("· {task.fields[rate]} · ETA {task.fields[eta]}"),
                console=stderr(),
                transient=True,
            )
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def __call__(self, event: str, fields: dict[str, Any]) -> None:
        if event == "notice" and not self.log.echo:
            info(str(fields["message"]))  # plain text on stderr (not with --quiet); the log file gets the event
        if event != "position_skipped" or OPTIONS.verbose:  # a quiet night logs a count, not 1,689 lines
            self.log(event, fields)
        if event in WORK_EVENTS:
            self._count(event, fields)
        if self._bar is None:
            return
        if event == "run_started":
            self._started = time.monotonic()
            self._task = self._bar.add_task("generating", total=fields.get("positions"), **self._fields())
        elif event in (*WORK_EVENTS, "position_skipped") and self._task is not None:
            self._bar.update(self._task, advance=1, **self._fields())

    def _count(self, event: str, fields: dict[str, Any]) -> None:
        self._worked += 1
        self._failed += event == "position_failed"
        self._tokens += int(fields.get("tokens_in") or 0) + int(fields.get("tokens_out") or 0)
        cost = fields.get("cost_usd")
        self._cost = None if cost is None or self._cost is None else self._cost + float(cost)

    def _fields(self) -> dict[str, str]:
        elapsed = time.monotonic() - self._started
        rate = self._worked / elapsed * 60 if elapsed > 0 and self._worked else 0.0
        eta = "—"
        if self._task is not None and self._worked:
            task = self._bar.tasks[0]
            remaining = max(0.0, (task.total or 0) - task.completed - 1)
            eta = _duration(remaining * elapsed / self._worked)
        return {
            "failed": str(self._failed),
            "tokens": f"{self._tokens:,}",
            "cost": "cost unknown" if self._cost is None else f"${self._cost:.4f}",
            "rate": f"{rate:.1f}/min",
            "eta": eta,
        }


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


@contextlib.contextmanager
def counting(total: int, label: str) -> Iterator[Callable[[], None]]:
    """A bar of ``total`` steps on a terminal (not with --quiet); elsewhere a step costs nothing."""
    with stepping(label) as show:
        done = 0

        def advance() -> None:
            nonlocal done
            done += 1
            show(done, total)

        show(0, total)
        yield advance


@contextlib.contextmanager
def stepping(label: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on a terminal (not with --quiet) for work whose size is known once it has started: the callback
    says how many steps of how many are done; elsewhere it costs nothing."""
    if OPTIONS.quiet or not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=stderr(), transient=True
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
