"""Careers and facts on the real organisation: how many positions get a career map, the ladders found,
the heads chosen by seniority, the deputies placed — and how long `profilegen facts --all --json` takes.

Run: .venv/bin/python -m bench.careers
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

from bench.common import ROOT, STRUCTURE, need_fixture
from profilegen.org.ladders import read_grade


def main() -> None:
    if not need_fixture():
        return
    started = time.perf_counter()
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "profilegen",
            "facts",
            "--all",
            "--json",
            "--org",
            str(STRUCTURE),
            "--kpi-dir",
            str(ROOT / "kpi"),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    seconds = time.perf_counter() - started
    facts = json.loads(shown.stdout)
    total = len(facts)
    feeders = sum(1 for f in facts if f["career"]["feeders"])
    targets = sum(1 for f in facts if f["career"]["targets"])
    both = sum(1 for f in facts if f["career"]["feeders"] and f["career"]["targets"])
    by_unit: dict[tuple[str, ...], list[dict]] = {}  # type: ignore[type-arg]
    for fact in facts:
        by_unit.setdefault(tuple(fact["position"]["unit_path"]), []).append(fact)
    ladders = 0
    for positions in by_unit.values():
        professions = Counter(g.profession for f in positions if (g := read_grade(f["position"]["title"])))
        ladders += sum(1 for count in professions.values() if count > 1)
    # the goal: every position whose unit or sibling units hold another rung of its ladder has both
    eligible = missing = 0
    for fact in facts:
        path = tuple(fact["position"]["unit_path"])
        grade = read_grade(fact["position"]["title"])
        if grade is None:
            continue
        near = [f for p, fs in by_unit.items() if p[:-1] == path[:-1] for f in fs if f is not fact]
        if any((g := read_grade(f["position"]["title"])) and g.profession == grade.profession for f in near):
            eligible += 1
            missing += not (fact["career"]["feeders"] and fact["career"]["targets"])
    seniority = sum(1 for f in facts if f["is_head"] and "highest rung" in f["head_reason"])
    deputies = [f for f in facts if f["deputy_of"]]
    tracks = Counter(c["track"] for f in facts for c in f["career"]["feeders"] + f["career"]["targets"])
    categories = Counter(f["category"]["label"] for f in facts)
    print(f"facts --all --json over {total:,} positions: {seconds:.2f} s")
    print(
        f"career maps: {feeders / total:.0%} with a feeder, {targets / total:.0%} with a target, "
        f"{both / total:.0%} with both ({feeders:,} / {targets:,} / {both:,})"
    )
    print(
        f"rungs with another rung of their ladder in their unit or a sibling: {eligible:,}, "
        f"lacking a feeder or a target: {missing}"
    )
    print(f"ladders (a profession with 2+ rungs in one unit): {ladders:,}; tracks: {dict(tracks)}")
    print(f"heads by seniority: {seniority}; deputies placed under the head they deputise: {len(deputies)}")
    print("categories: " + ", ".join(f"{label} {count}" for label, count in categories.most_common()))


if __name__ == "__main__":
    main()
