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
    load_times, map_times = [], []
    for _ in range(3):  # fresh processes: the lemma cache and the analyser start cold every time
        load_times.append(float(child_run(_LOAD.format(structure=str(STRUCTURE)))[2]))
        code = _MAP.format(structure=str(STRUCTURE), kpi=str(ROOT / "kpi"))
        map_times.append(float(child_run(code)[2]))
    load, mapping = min(load_times), min(map_times)
    print(
        f"map 567 units (pymorphy3 load included): {mapping * 1000:.0f} ms; load fixture: {load * 1000:.0f} ms; "
        f"ratio {mapping / load:.2f}x (goal <= 1.0x)"
    )


if __name__ == "__main__":
    main()
