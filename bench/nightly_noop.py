"""Nightly no-op: `generate --all` over the real fixture with everything up to date, vs `org show`.

Both are whole `profilegen` processes (start-up included); best of three each.
Run: .venv/bin/python -m bench.nightly_noop
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, STRUCTURE, need_fixture


def timed(args: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "profilegen", *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, proc.stdout


def main() -> None:
    if not need_fixture():
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        generate = [
            "generate",
            "--all",
            "--provider",
            "offline",
            "--org",
            str(STRUCTURE),
            "--kpi-dir",
            str(ROOT / "kpi"),
            "--out",
            str(work / "out"),
        ]
        first, _ = timed(generate)
        noop_times, show_times, outputs = [], [], []
        for _ in range(7):  # alternating, so both see the same moments of a shared machine; best of each
            elapsed, out = timed(generate)
            noop_times.append(elapsed)
            outputs.append(out)
            show_times.append(timed(["org", "show", "--org", str(STRUCTURE)])[0])
    noop, show = min(noop_times), min(show_times)
    summary = outputs[-1].splitlines()[0]
    print(
        f"nightly no-op over 1,689 positions: {noop:.2f} s vs org show {show:.2f} s, ratio {noop / show:.2f}x "
        f"(goal <= 1.5x); first full offline run {first:.2f} s; no-op summary: {summary}"
    )


if __name__ == "__main__":
    main()
