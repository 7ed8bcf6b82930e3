"""Scale: every command on synthetic organisations shaped like the real one, from 1.7K to 99K positions.

The real `Structure.xlsx` is copied N times under renamed blocks (unit codes kept unique) into a CSV
with the same columns; for each size a fresh offline `generate --all` fills OUT and its journal, then
each command runs as a whole process: wall time, peak RSS, and the log-log slope of the time between
sizes (1.0 = linear, 2.0 = quadratic).

Run: .venv/bin/python -m bench.scale [COPIES,...]   (default 1,6,30,59: 1.7K, 10K, 50K, 99K positions)

With PROFILEGEN_SCALE_DIR=DIR the organisations and output folders are kept in DIR and reused by the
next run (`org-N.csv`, `out-N`): a size whose folder exists skips the fresh generation (shown as
"reused") and measures the rest against it — the 99K generation alone takes a quarter of an hour. A reused
folder's first night is run and printed apart ("night after a change": after a change of code or inputs a night
plans in full) before the quiet night is measured.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, STRUCTURE, need_fixture

GOAL_READ_S = 10.0  # every read command at 100K positions
GOAL_QUIET_S = 15.0  # a quiet night at 100K
GOAL_RSS_MB = 600.0

_MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - started
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, proc.returncode)
sys.stderr.write(proc.stderr[-2000:] if proc.returncode not in (0, 1) else "")
"""


def write_org(copies: int, target: Path) -> int:
    """The real organisation ``copies`` times, each copy's blocks renamed; returns the number of rows."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(STRUCTURE)).get_sheet_by_name("выгрузка").to_python()
    header, body = rows[0], [r for r in rows[1:] if any(str(c).strip() for c in r)]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(header)
        for copy in range(copies):
            for row in body:
                cells = [str(c) for c in row]
                if copy:
                    cells[0] = f"{copy:02d}{cells[0]}"
                    cells[1] = f"{cells[1]} {copy + 1}"
                    # a level column that repeats the block name is the block too
                    cells[2:-1] = [f"{c} {copy + 1}" if c == str(row[1]) else c for c in cells[2:-1]]
                writer.writerow(cells)
    return len(body) * copies


def measure(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole `profilegen` process."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "profilegen", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    )
    wall, peak, code = proc.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"profilegen {' '.join(args)} exited {code}: {proc.stderr}")
    return float(wall), float(peak)


def commands(org: Path, out: Path, xlsx: Path) -> dict[str, list[str]]:
    where = ["--out", str(out)]
    generate = ["generate", "--all", "--provider", "offline", "--org", str(org), "--kpi-dir", str(ROOT / "kpi")]
    # the project an analyst works in: profilegen.yaml naming the org, the KPI folder and OUT (with its state folder)
    project = out.with_name(f"{out.name}-project.yaml")
    project.write_text(f"org: {org}\nkpi_dir: {ROOT / 'kpi'}\nout: {out}\n", encoding="utf-8")
    return {
        "generate offline, fresh": [*generate, *where],
        "quiet night": [*generate, *where],
        "org show": ["org", "show", "--org", str(org)],
        "org validate": ["org", "validate", "--org", str(org)],
        "facts --all --json": ["facts", "--all", "--json", "--org", str(org), "--kpi-dir", str(ROOT / "kpi")],
        # in the project: the org as last parsed and (from its second run) the KPI mapping taken from OUT's state
        "facts, project": ["--config", str(project), "facts", "--all", "--json"],
        "facts, project again": ["--config", str(project), "facts", "--all", "--json"],
        "stats": ["stats", *where],
        "jobs list": ["jobs", "list", *where],
        "jobs show last": ["jobs", "show", "last", *where],
        "prune --dry-run": ["prune", "--dry-run", "--org", str(org), *where],
        "export xlsx": ["export", "xlsx", "--to", str(xlsx), *where],
        "check --all, cold": ["check", "--all", "--json", "--kpi-dir", str(ROOT / "kpi"), *where],
        "check --all, again": ["check", "--all", "--json", "--kpi-dir", str(ROOT / "kpi"), *where],
        "check --all, one changed": ["check", "--all", "--json", "--kpi-dir", str(ROOT / "kpi"), *where],
        "report": ["report", "--to", str(xlsx.with_suffix(".html")), "--kpi-dir", str(ROOT / "kpi"), *where],
        # HR edits a KPI file: every position's facts read again, what the profiles' texts decide kept
        "check --all, input changed": ["check", "--all", "--json", "--kpi-dir", str(_kpi_changed(out)), *where],
    }


def _kpi_changed(out: Path) -> Path:
    """A copy of the KPI folder with one target changed (the sales file's conversion, 8 → 9 %)."""
    import shutil

    changed = out.with_name(f"{out.name}-kpi")
    if not changed.is_dir():
        shutil.copytree(ROOT / "kpi", changed)
        sales = changed / "sales.md"
        cell = "| Конверсия обращений в сделки | 8 |"
        sales.write_text(sales.read_text(encoding="utf-8").replace(cell, cell.replace("8", "9")), encoding="utf-8")
    return changed


def main() -> None:
    if not need_fixture():
        return
    copies = [int(c) for c in (sys.argv[1] if len(sys.argv) > 1 else "1,6,30,59").split(",")]
    results: dict[str, list[tuple[int, float, float]]] = {}
    sizes: list[int] = []
    keep = os.environ.get("PROFILEGEN_SCALE_DIR")
    print(
        f"machine: a 30-million-step Python loop takes {spin():.2f} s (0.86 s in a quiet hour on the 2-core machine)",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for count in copies:
            org = work / f"org-{count}.csv"
            out = work / f"out-{count}"
            reused = out.is_dir()
            if not reused:
                write_org(count, org)
            positions = 0
            for name, args in commands(org, out, work / f"all-{count}.xlsx").items():
                if reused and name == "generate offline, fresh":
                    print(f"{'':>7}            {name:<24} reused {out}", flush=True)
                    results.setdefault(name, []).append((0, -1.0, -1.0))
                    continue
                if reused and name == "quiet night":  # a night after a change of code plans in full: not quiet
                    wall, peak = measure(args, work)
                    print(f"{'':>7}            {'night after a change':<24} {wall:8.2f} s  {peak:7.0f} MB", flush=True)
                if name.endswith(", cold"):  # the check's records of an earlier run let go: every file read
                    for record in (out / ".profilegen").glob("check-*.pickle"):
                        record.unlink()
                if name.endswith(", one changed"):  # what a night that regenerated one position leaves
                    _change_one(out)
                wall, peak = measure(args, work)
                positions = positions or _positions(out)
                results.setdefault(name, []).append((positions, wall, peak))
                print(f"{positions:>7} positions  {name:<24} {wall:8.2f} s  {peak:7.0f} MB", flush=True)
            sizes.append(positions)
    _table(sizes, results)
    print(f"machine: the loop takes {spin():.2f} s now")


def spin() -> float:
    """Seconds a fixed pure-Python loop takes: how busy the shared machine was while the figures were taken."""
    started, total = time.perf_counter(), 0
    for step in range(30_000_000):
        total += step
    return time.perf_counter() - started


def _change_one(out: Path) -> None:
    """One profile's text changed in place (a task added), as a regenerated position's would be."""
    import json
    import time

    path = min(p for p in out.glob("*/*.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profile"]["responsibilities"][0]["items"].append(f"Обязанность, добавленная в {time.time():.0f}")
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    old = time.time() - 60  # settled: the check records it (a file written moments before is read again next time)
    os.utime(path, (old, old))


def _positions(out: Path) -> int:
    from profilegen.journal import Journal

    with Journal(out / ".profilegen") as journal:
        return len(journal.position_summaries())


def _table(sizes: list[int], results: dict[str, list[tuple[int, float, float]]]) -> None:
    print()
    print("| command | " + " | ".join(f"{n:,}" for n in sizes) + " | slope (log-log, last two sizes) | goal |")
    print("|---|" + "---|" * len(sizes) + "---|---|")
    for name, rows in results.items():
        cells = [f"{wall:.2f} s, {peak:.0f} MB" if wall >= 0 else "reused" for _, wall, peak in rows]
        slope = "—"
        if len(rows) >= 2 and rows[-2][1] > 0 and rows[-1][1] > 0:
            (n1, t1, _), (n2, t2, _) = rows[-2], rows[-1]
            slope = f"{math.log(t2 / t1) / math.log(n2 / n1):.2f}"
        goal = _goal(name, rows[-1])
        print(f"| {name} | " + " | ".join(cells) + f" | {slope} | {goal} |")


def _goal(name: str, last: tuple[int, float, float]) -> str:
    positions, wall, peak = last
    if positions < 90_000:
        return "—"
    limit = GOAL_QUIET_S if name == "quiet night" else GOAL_READ_S
    if name in ("generate offline, fresh", "export xlsx", "report"):  # no time goal: linear, and RSS
        return f"RSS {'met' if peak < GOAL_RSS_MB else 'MISSED'}"
    met = wall < limit and peak < GOAL_RSS_MB
    return f"< {limit:.0f} s, < {GOAL_RSS_MB:.0f} MB: {'met' if met else 'MISSED'}"


if __name__ == "__main__":
    main()
