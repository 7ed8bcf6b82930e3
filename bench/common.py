"""Helpers for benchmarks: best-of-N timing, peak RSS of a child process, fixture location."""

from __future__ import annotations

import compileall
import contextlib
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
A101 = ROOT.parent / "shared" / "fixtures" / "a101"
STRUCTURE = A101 / "Structure.xlsx"

# Measure profilegen as installed: pip byte-compiles a package when it installs it, but an editable
# install under PYTHONDONTWRITEBYTECODE would compile every module from source in every process.
compileall.compile_dir(ROOT / "profilegen", quiet=1)


def best_of(func: Callable[[], Any], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by a noisy machine)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - started)
    return best


def child_run(code: str, *args: str) -> tuple[float, float, str]:
    """Run Python code in a fresh process: (wall seconds, peak RSS in MB, stdout)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, peak_kb / 1024, proc.stdout


def need_fixture() -> bool:
    if not STRUCTURE.exists():
        print(f"skipped: {STRUCTURE} not found")
        return False
    return True


@contextlib.contextmanager
def loopback_llm(latency: float) -> Iterator[str]:
    """The tests' chat-completions server in a process of its own, answering after ``latency``; its base URL."""
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_llm", str(latency)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        yield server.stdout.readline().strip()
    finally:
        server.kill()
        server.wait()
