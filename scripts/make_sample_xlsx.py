"""Rebuild org_structure/sample.xlsx from org_structure/sample.yaml (run after editing the YAML)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from profilegen.org.loader import load_org
from profilegen.org.rows import level_rows

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    org = load_org(ROOT / "org_structure" / "sample.yaml")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "выгрузка"
    for row in level_rows(org):
        sheet.append(row)
    for cell in sheet["A"]:
        cell.number_format = "@"
    workbook.save(ROOT / "org_structure" / "sample.xlsx")


if __name__ == "__main__":
    main()
