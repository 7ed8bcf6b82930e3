"""KPI mapping of all 567 units of the real fixture (analyser loading included) vs loading the fixture.

Run: .venv/bin/python -m bench.kpi_mapping
"""

from __future__ import annotations

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
import time
from pathlib import Path
from profilegen.org.loader import load_org
org = load_org(Path({structure!r}))
started = time.perf_counter()
from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.mapping import KpiMapper
mapping = KpiMapper(load_catalog(Path({kpi!r}))).map_org(org)
assert len(mapping) == len(org.units)
print(time.perf_counter() - started)
"""


def main() -> None:
    if not need_fixture():
        return
    load_times, openpyxl_times, map_times = [], [], []
    for _ in range(3):  # fresh processes: the lemma cache and the analyser start cold every time
        load_times.append(float(child_run(_LOAD.format(structure=str(STRUCTURE)))[2]))
        openpyxl_times.append(float(child_run(_LOAD_OPENPYXL.format(structure=str(STRUCTURE)))[2]))
        code = _MAP.format(structure=str(STRUCTURE), kpi=str(ROOT / "kpi"))
        map_times.append(float(child_run(code)[2]))
    load, mapping, old_load = min(load_times), min(map_times), min(openpyxl_times)
    print(
        f"map 567 units (pymorphy3 load included): {mapping * 1000:.0f} ms; load fixture (calamine): "
        f"{load * 1000:.0f} ms, ratio {mapping / load:.2f}x (goal <= 1.0x); "
        f"load with openpyxl read-only: {old_load * 1000:.0f} ms, ratio {mapping / old_load:.2f}x"
    )


if __name__ == "__main__":
    main()
