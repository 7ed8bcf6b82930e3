"""The real organisation through the CLI (issue 15): heads and categories in profiles, HR's overrides,
numbers and names shown whole, and the spreadsheets HR really exports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest

from profilegen.org.loader import load_org
from profilegen.org.rows import level_rows
from tests.conftest import A101, KPI_DIR, invoke, needs_a101, run_cli

pytestmark = needs_a101
STRUCTURE = A101 / "Structure.xlsx"


def test_the_ceo_profile_says_what_the_org_says(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["generate", "-d", "ГК А101", "--no-subunits", "--provider", "offline", "--org", str(STRUCTURE)]
    assert invoke(capsys, *args, "--kpi-dir", str(KPI_DIR), "--out", str(out)).code == 0
    ceo = json.loads((out / "ГК А101" / "Генеральный директор.json").read_text(encoding="utf-8"))["profile"]
    assert ceo["category"] == "Руководитель высшего уровня (департамент, блок)" and ceo["manager"] is None
    assert ceo["headcount_below"] == 2843
    assert ceo["subordinate_units"] == 8, "the blocks and units directly under the general director"
    analytics = json.loads((out / "ГК А101" / "Руководитель управления аналитики.json").read_text(encoding="utf-8"))
    assert analytics["profile"]["manager"] == "Генеральный директор (ГК А101)"
    assert analytics["profile"]["category"] == "Специалист"


def test_org_show_names_each_head_and_never_cuts(capsys: pytest.CaptureFixture[str]) -> None:
    shown = run_cli("org", "show", "--org", str(STRUCTURE), env={"COLUMNS": "60"})
    assert shown.code == 0
    assert "1,689 positions (unit and title pairs), headcount 2,844" in shown.stdout.splitlines()[0]
    assert "├── ГК А101 (6 own positions, headcount 7 with sub-units; head: Генеральный директор)" in shown.stdout
    legal = "Блок директора по правовому обеспечению и управлению рисками"
    assert f"{legal} (4 own positions, headcount 109 with sub-units; head: Директор по правовому" in shown.stdout
    data = json.loads(invoke(capsys, "org", "show", "--org", str(STRUCTURE), "--json").stdout)
    top = next(u for u in data["units"] if u["path"] == ["ГК А101"])
    assert top["head"]["title"] == "Генеральный директор" and "general director" in top["head"]["reason"]
    assert sum(1 for u in data["units"] if "head" in u) == 567
    checked = invoke(capsys, "org", "validate", "--org", str(STRUCTURE))
    assert checked.code == 0, "head warnings do not fail validation"
    assert "warning: " in checked.stdout and "no position heads this unit" in checked.stdout


def test_hr_corrects_heads_in_the_config_and_the_sheet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "profilegen.yaml"
    config.write_text('heads:\n  "ГК А101": Руководитель управления аналитики\n', encoding="utf-8")
    data = json.loads(invoke(capsys, "--config", str(config), "org", "show", "--org", str(STRUCTURE), "--json").stdout)
    top = next(u for u in data["units"] if u["path"] == ["ГК А101"])
    assert top["head"]["title"] == "Руководитель управления аналитики" and "set by HR" in top["head"]["reason"]
    config.write_text('heads:\n  "ГК А10": Генеральный директор\n', encoding="utf-8")
    wrong = invoke(capsys, "--config", str(config), "org", "show", "--org", str(STRUCTURE))
    assert wrong.code == 2 and "setting 'heads'" in wrong.stderr and "Did you mean" in wrong.stderr
    # a sheet column marks the head
    org = load_org(STRUCTURE)
    org.marked_heads[("ГК А101",)] = "Советник директора"
    sheet = tmp_path / "marked.xlsx"
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    for row in level_rows(org):
        ws.append(row)
    book.save(sheet)
    marked = json.loads(invoke(capsys, "org", "show", "--org", str(sheet), "--json").stdout)
    assert next(u for u in marked["units"] if u["path"] == ["ГК А101"])["head"]["title"] == "Советник директора"


def test_a_misspelt_position_gets_did_you_mean(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["--org", str(STRUCTURE), "--out", str(tmp_path / "out")]
    for command in (["generate", "--all", "--provider", "offline", "--dry-run"], ["diff", "ГК А101"]):
        wrong = invoke(capsys, *command, "--position", "Юристконсульт", *args)
        assert wrong.code == 2 and "Did you mean: Юрисконсульт" in wrong.stderr, wrong.stderr


def test_exports_hr_really_makes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    renamed = tmp_path / "Structure.csv"
    shutil.copy(STRUCTURE, renamed)
    wrong = run_cli("org", "show", "--org", str(renamed))
    assert wrong.code == 2 and "Traceback" not in wrong.stderr
    assert f"{renamed}: this is an Excel workbook (.xlsx), not CSV or text" in wrong.stderr
    org = load_org(STRUCTURE)
    rows = list(level_rows(org))
    text = "\r\n".join("\t".join(str(c) for c in row) for row in rows) + "\r\n"
    unicode_text = tmp_path / "Structure.txt"  # Excel's "Unicode text": UTF-16 with a BOM, tabs
    unicode_text.write_bytes(text.encode("utf-16"))
    again = load_org(unicode_text)
    assert [(u.path, u.positions) for u in again.units.values()] == [(u.path, u.positions) for u in org.units.values()]
    # --sheet on generate: a workbook whose first sheet is not the org
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = "Сводная"
    first.append(["Должность", "Уровень 1"])
    first.append(["Чужая", "Не та организация"])
    data = book.create_sheet("Оргструктура")
    for row in rows[:40]:
        data.append(row)
    two = tmp_path / "two.xlsx"
    book.save(two)
    ran = invoke(
        capsys,
        "generate",
        "--all",
        "--provider",
        "offline",
        "--org",
        str(two),
        "--sheet",
        "Оргструктура",
        "--kpi-dir",
        str(KPI_DIR),
        "--out",
        str(tmp_path / "out"),
        "--dry-run",
        "--json",
    )
    assert ran.code == 0, ran.stderr
    assert {t["path"][0] for t in json.loads(ran.stdout)["to_generate"]} <= {u.path[0] for u in org.roots}


def test_a_flat_staff_list_of_units_and_positions(tmp_path: Path) -> None:
    """A staff list as payroll systems export it — a unit and a position a row, no hierarchy — is read as units
    side by side (it was "no header row found")."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Штатное расписание на 01.12.2026"])
    sheet.append(["Подразделение", "Должность", "Количество"])
    sheet.append(["Бухгалтерия", "Главный бухгалтер", 1])
    sheet.append(["Бухгалтерия", "Бухгалтер", 3])
    sheet.append(["Отдел продаж", "Руководитель отдела", 1])
    sheet.append(["Отдел продаж", "Менеджер по продажам", 5])
    staff = tmp_path / "staff.xlsx"
    book.save(staff)
    shown = run_cli("org", "show", "--org", str(staff), "--json")
    assert shown.code == 0, shown.stderr
    tree = json.loads(shown.stdout)
    assert [unit["path"] for unit in tree["units"]] == [["Бухгалтерия"], ["Отдел продаж"]]
    assert run_cli("org", "validate", "--org", str(staff)).code == 0
    facts = run_cli("facts", "-d", "Отдел продаж", "--org", str(staff), "--json")
    assert facts.code == 0, facts.stderr
    said = {p["position"]["title"]: p for p in json.loads(facts.stdout)}
    assert said["Руководитель отдела"]["is_head"]
    assert said["Менеджер по продажам"]["manager"]["title"] == "Руководитель отдела"


def test_a_half_time_staff_unit_is_a_slot(tmp_path: Path) -> None:
    """Staff lists count staff units: «0,5» (a half-time slot) is a position someone holds, counted as one slot,
    and «1,5» as two — never 0 (a unit of half-time slots had a headcount of 0)."""
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Номер;Уровень 1;Должность;Численность\n1;Бухгалтерия;Бухгалтер;0,5\n1;Бухгалтерия;Кассир;1.5\n",
        encoding="utf-8",
    )
    shown = run_cli("org", "show", "--org", str(staff), "--json")
    assert shown.code == 0, shown.stderr
    (unit,) = json.loads(shown.stdout)["units"]
    assert [(p["title"], p["headcount"]) for p in unit["positions"]] == [("Бухгалтер", 1), ("Кассир", 2)]
    # the same in a YAML org
    org = tmp_path / "org.yaml"
    org.write_text("units:\n  - name: Бухгалтерия\n    positions: [{title: Бухгалтер, headcount: 0.5}]\n", "utf-8")
    shown = run_cli("org", "show", "--org", str(org), "--json")
    assert shown.code == 0, shown.stderr
    assert json.loads(shown.stdout)["units"][0]["positions"] == [{"title": "Бухгалтер", "headcount": 1}]
