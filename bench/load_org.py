"""Org loading: the real fixture vs a bare openpyxl iteration; "did you mean" speed; a 100,000-row sheet.

Run: .venv/bin/python -m bench.load_org
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bench.common import STRUCTURE, best_of, child_run, need_fixture
from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure
from profilegen.org.selection import UnitIndex


def bare_openpyxl() -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(STRUCTURE, read_only=True, data_only=True)
    count = sum(1 for _ in workbook["выгрузка"].iter_rows(values_only=True))
    workbook.close()
    return count


def bare_calamine() -> int:
    from python_calamine import CalamineWorkbook

    with STRUCTURE.open("rb") as handle:
        workbook = CalamineWorkbook.from_filelike(handle)
        return sum(1 for _ in workbook.get_sheet_by_name("выгрузка").iter_rows())


def fixture_ratio() -> None:
    if not need_fixture():
        return
    bare = best_of(bare_openpyxl)
    calamine = best_of(bare_calamine)
    ours = best_of(lambda: load_org(STRUCTURE))
    print(
        f"load Structure.xlsx: profilegen {ours * 1000:.0f} ms, bare openpyxl read-only iteration "
        f"{bare * 1000:.0f} ms -> ratio {ours / bare:.2f}x (goal <= 1.5x); bare calamine iteration "
        f"{calamine * 1000:.0f} ms (ratio {ours / calamine:.2f}x)"
    )


def did_you_mean() -> None:
    rng = random.Random(7)
    stems = ["Отдел", "Управление", "Группа", "Сектор", "Департамент", "Служба"]
    words = [
        "продаж",
        "закупок",
        "маркетинга",
        "финансов",
        "учета",
        "контроля",
        "развития",
        "персонала",
        "логистики",
        "аналитики",
        "безопасности",
        "проектирования",
        "строительства",
        "сервиса",
    ]
    org = OrgStructure()
    for i in range(5000):
        name = f"{rng.choice(stems)} {rng.choice(words)} {rng.choice(words)} {i}"
        org.add_position((f"Блок {i % 20}", name), "Специалист")
    index = UnitIndex(org)
    index.suggest("warm-up")
    queries = [f"{rng.choice(stems)} {rng.choice(words)}к {rng.choice(words)}" for _ in range(200)]
    started = time.perf_counter()
    for query in queries:
        index.suggest(query)
    per_query = (time.perf_counter() - started) / len(queries)
    print(f"did-you-mean over {len(org.units)} unit names: {per_query * 1000:.2f} ms per query (goal <= 1 ms)")


_BIG_SHEET = """
import sys, time, resource
from pathlib import Path
from profilegen.org.loader import load_org
started = time.perf_counter()
org = load_org(Path(sys.argv[1]))
print(len(org.units), sum(1 for _ in org.positions()), time.perf_counter() - started)
"""


def big_sheet() -> None:
    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.xlsx"
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("выгрузка")
        sheet.append(["Номер", "Уровень 2", "Уровень 3", "Уровень 4", "Уровень 5", "Должность"])
        for i in range(100_000):
            unit = i % 1013  # 1,013 units in 97 departments in 10 blocks, ~99 staff slots each
            a, b, c = f"Блок {unit % 97 % 10}", f"Департамент {unit % 97}", f"Отдел {unit}"
            sheet.append([f"{unit:09d}", a, b, c, c, f"Должность {i % 37}"])
        workbook.save(path)
        wall, peak_mb, out = child_run(_BIG_SHEET, str(path))
        units, positions, load_s = out.split()
        print(
            f"100,000-row sheet: loaded {units} units / {positions} positions in {float(load_s):.2f} s "
            f"(process {wall:.2f} s), peak RSS {peak_mb:.0f} MB (goal < 300 MB)"
        )


def main() -> None:
    fixture_ratio()
    did_you_mean()
    big_sheet()


if __name__ == "__main__":
    main()
