"""KPI mapping of all 567 units of the real fixture (dictionary opening included) vs loading the fixture.

Every figure is the best of three fresh processes: nothing is warm. The mapping's clock starts before the
KPI modules are imported and stops when every unit has its file, so it counts the imports, reading the KPI
folder, opening the dictionary and the mapping itself. A second run adds a KPI file with a word the
dictionary does not know that meets one in the fixture ("цифровизация" / "цифровизации"): that is the
case where pymorphy3's analyser is loaded to predict lemmas.

Run: .venv/bin/python -m bench.kpi_mapping
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, STRUCTURE, child_run, need_fixture

_LOAD = """
import time
from pathlib import Path
started = time.perf_counter()
from profilegen.org.loader import load_org
org = load_org(Path({structure!r}))
print(time.perf_counter() - started)
"""

_LOAD_OPENPYXL = """
import time
from pathlib import Path
started = time.perf_counter()
import openpyxl
from profilegen.org import tabular
book = openpyxl.load_workbook({structure!r}, read_only=True, data_only=True)
org, _ = tabular.build(book["выгрузка"].iter_rows(values_only=True), "fixture")
print(time.perf_counter() - started)
"""

_MAP = """
import sys, time
from pathlib import Path
from profilegen.org.loader import load_org
org = load_org(Path({structure!r}))
started = time.perf_counter()
from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.mapping import KpiMapper
mapping = KpiMapper(load_catalog(Path({kpi!r}))).map_org(org)
elapsed = time.perf_counter() - started
assert len(mapping) == len(org.units)
print(elapsed, "pymorphy3" in sys.modules)
"""

_DIGITAL = """---
department: Департамент цифровой трансформации
aliases: [цифровизация]
---
| КПЭ | Целевое значение | Ед. изм. |
|---|---|---|
| Доля процессов, переведённых в цифровой вид | 60 | % |
"""


def _process(args: list[str]) -> float:
    """Best of three whole `profilegen` processes, start-up included."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "profilegen", *args], capture_output=True, check=True)
        best = min(best, time.perf_counter() - started)
    return best


def _best(code: str) -> tuple[float, str]:
    runs = [child_run(code)[2].split() for _ in range(3)]
    return min(float(run[0]) for run in runs), " ".join(runs[0][1:])


def main() -> None:
    if not need_fixture():
        return
    with tempfile.TemporaryDirectory() as tmp:
        unknown = Path(tmp) / "kpi"
        shutil.copytree(ROOT / "kpi", unknown)
        (unknown / "digital.md").write_text(_DIGITAL, encoding="utf-8")
        load, _ = _best(_LOAD.format(structure=str(STRUCTURE)))
        old_load, _ = _best(_LOAD_OPENPYXL.format(structure=str(STRUCTURE)))
        mapping, loaded = _best(_MAP.format(structure=str(STRUCTURE), kpi=str(ROOT / "kpi")))
        predicting, loaded_then = _best(_MAP.format(structure=str(STRUCTURE), kpi=str(unknown)))
    show = _process(["org", "show", "--org", str(STRUCTURE)])
    kpi_map = _process(["kpi", "map", "--org", str(STRUCTURE), "--kpi-dir", str(ROOT / "kpi")])  # maps afresh
    print(
        f"load fixture (calamine): {load * 1000:.0f} ms; "
        f"map 567 units, sample KPI files (pymorphy3 loaded: {loaded}): {mapping * 1000:.0f} ms, "
        f"ratio {mapping / load:.2f}x (goal <= 1.0x)"
    )
    print(
        f"  + a file with an unknown word (pymorphy3 loaded: {loaded_then}): {predicting * 1000:.0f} ms, "
        f"ratio {predicting / load:.2f}x; against the openpyxl load ({old_load * 1000:.0f} ms): "
        f"{mapping / old_load:.2f}x and {predicting / old_load:.2f}x"
    )
    print(
        f"  whole processes: profilegen kpi map {kpi_map * 1000:.0f} ms vs profilegen org show "
        f"{show * 1000:.0f} ms (ratio {kpi_map / show:.2f}x; both load the fixture and print every unit)"
    )


if __name__ == "__main__":
    main()
