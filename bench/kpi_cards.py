"""HR's KPI workbooks on the real organisation: heads with their own card, ambiguous columns, conflicts,
and positions on department KPIs or templates — from `profilegen kpi map --json`, with its run time.

Run: .venv/bin/python -m bench.kpi_cards
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench.common import A101, STRUCTURE, need_fixture


def _run(*args: str) -> str:
    command = [sys.executable, "-m", "profilegen", *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def main() -> None:
    if not need_fixture():
        return
    where = ["--org", str(STRUCTURE), "--kpi-dir", str(A101 / "kpi")]
    started = time.perf_counter()
    data = json.loads(_run("kpi", "map", "--json", *where))
    seconds = time.perf_counter() - started
    facts = json.loads(_run("facts", "--all", "--json", *where))
    heads = [f for f in facts if f["is_head"]]
    carded = [f for f in heads if f["kpis"]["origin"] == "card" and f["kpis"]["source"] == "position"]
    cards = sum(1 for f in facts if f["kpis"]["origin"] == "card" and f["kpis"]["source"] == "position")
    unit_context = sum(1 for f in facts if f["kpis"]["origin"] == "card" and f["kpis"]["source"] == "department")
    conflicts = [c for c in data["conflicts"] if c["kind"] == "card"]
    print(f"kpi map --json over {len(facts):,} positions and the 9 workbooks: {seconds:.2f} s")
    print(f"positions with their own card: {cards} (heads: {len(carded)} of {len(heads)})")
    print(
        f"ambiguous columns: {len(data['ambiguous'])}; conflicts: {len(conflicts)}; "
        f"cards matching no position: {len(data['unmatched_cards'])}"
    )
    print(f"positions without a card shown their unit's workbook KPIs (no weights): {unit_context}")
    print("positions by KPI source: " + ", ".join(f"{k} {v}" for k, v in data["positions"].items()))


if __name__ == "__main__":
    main()
