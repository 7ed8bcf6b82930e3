"""When a run stops starting new positions: cost, duration and failure limits, and Ctrl-C / SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from profilegen.generation.report import Outcome, RunReport


@dataclass(slots=True)
class Limits:
    max_cost: float | None = None
    max_consecutive_failures: int = 10
    max_duration_s: float | None = None
    quarantine_after: int = 3


@dataclass(slots=True)
class RunState:
    """What the limits need to know while a run goes: time, spend, work in flight, failures in a row."""

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

    def answered(self, cost_usd: float | None) -> None:
        self.charge(cost_usd)
        self.consecutive_failures = 0

    def record(self, outcome: Outcome) -> None:
        """A settled outcome; answered positions were charged already."""
        if outcome.status == "failed":
            if not outcome.paid:  # a failure after a paid answer was charged when the answer came
                self.charge(outcome.cost_usd)
            self.consecutive_failures += 1

    def average_cost(self) -> float:
        return self.spent / self.paid if self.paid else 0.0


def check_limits(limits: Limits, report: RunReport, state: RunState) -> None:
    """Set the report's stop reason when a limit is reached (nothing new starts after that)."""
    deadline = limits.max_duration_s
    if deadline is not None and time.monotonic() - state.started >= deadline:
        report.stop_reason = "duration"
        report.stop_message = f"--max-duration of {deadline:g} s reached; stopped starting new positions"
        return
    if state.consecutive_failures >= limits.max_consecutive_failures:
        report.stop_reason = "failures"
        report.stop_message = f"{state.consecutive_failures} positions failed in a row; stopped starting new ones"
        return
    max_cost = limits.max_cost
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


# a closed terminal (SIGHUP) stops a run as SIGTERM does: cleanly, progress saved, never a "crash"
_SIGNALS = {"SIGINT": ("interrupted", 130), "SIGTERM": ("terminated", 143), "SIGHUP": ("terminated", 143)}


def install_signal_handlers(report: RunReport, workers: list[asyncio.Task[None]]) -> Callable[[], None]:
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
