"""HR's own KPI workbooks: each head gets exactly his card, nobody gets someone else's, ambiguity and
conflicts are listed, and the profile's KPIs are the card whatever the model answered."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import A101, needs_a101, run_cli
from tests.fake_llm import FakeLLM

pytestmark = needs_a101

STRUCTURE = A101 / "Structure.xlsx"
WORKBOOKS = A101 / "kpi"
IT = ("Блок операционного директора", "Департамент информационных технологий")
PROCUREMENT = ("Блок операционного директора", "Департамент закупок")
DIT = "КПЭ 2025_ДИТ.xlsx"


def _facts(kpi_dir: Path, *selection: str) -> list[dict[str, Any]]:
    shown = run_cli("facts", *selection, "--json", "--org", str(STRUCTURE), "--kpi-dir", str(kpi_dir))
    assert shown.code == 0, shown.stderr
    return list(json.loads(shown.stdout))


def _one(facts: list[dict[str, Any]], path: tuple[str, ...], title: str) -> dict[str, Any]:
    found = [f for f in facts if tuple(f["position"]["unit_path"]) == path and f["position"]["title"] == title]
    assert len(found) == 1, (path, title)
    return found[0]


def _card_in_sheet(file: str, sheet: str, title: str) -> list[tuple[str, float]]:
    """The card read straight from the workbook: (KPI, weight) of the one column titled ``title``."""
    rows = list(openpyxl.load_workbook(WORKBOOKS / file, read_only=True, data_only=True)[sheet].values)
    header = next(i for i, r in enumerate(rows) if r[0] == "КПЭ")
    columns = [i for i, t in enumerate(rows[header - 1]) if isinstance(t, str) and " ".join(t.split()) == title]
    assert len(columns) == 1
    found = []
    for row in rows[header + 1 :]:
        cell = row[columns[0]] if columns[0] < len(row) else None
        if row[0] and cell not in (None, "", "-"):
            found.append((" ".join(str(row[0]).split()), round(float(str(cell).replace(",", ".")), 6)))
    return found


@pytest.fixture(scope="module")
def kpi_map() -> dict[str, Any]:
    shown = run_cli("kpi", "map", "--json", "--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS), timeout=300)
    assert shown.code == 0, shown.stderr
    return dict(json.loads(shown.stdout))


@pytest.mark.parametrize(
    ("path", "title", "file", "sheet"),
    [
        (IT, "Директор по информационным технологиям", "КПЭ 2025_ДИТ.xlsx", "Заполнить"),
        (("ГК А101",), "Генеральный директор", "КПЭ 2025_ТОП_финал.xlsx", "ТОП"),
        (
            ("Блок операционного директора", "Департамент закупок"),
            "Директор по закупкам",
            "КПЭ 2025_Закупки.xlsx",
            "Заполнить",
        ),
    ],
)
def test_a_head_gets_exactly_his_own_card(path: tuple[str, ...], title: str, file: str, sheet: str) -> None:
    fact = _one(_facts(WORKBOOKS, "-d", " / ".join(path), "--no-subunits"), path, title)
    kpis = fact["kpis"]
    assert kpis["source"] == "position" and not kpis["notes"]
    assert {(i["file"], i["sheet"]) for i in kpis["items"]} == {(file, sheet)}
    assert [(i["name"], i["weight"]) for i in kpis["items"]] == _card_in_sheet(file, sheet, title)
    weighted = sum(i["weight"] for i in kpis["items"] if not i["trigger"])
    assert abs(weighted - 1) <= 0.001


def test_the_it_directors_two_cards_are_a_listed_conflict(kpi_map: dict[str, Any]) -> None:
    conflicts = [c for c in kpi_map["conflicts"] if c["kind"] == "card"]
    it = [c for c in conflicts if c["position"]["title"] == "Директор по информационным технологиям"]
    assert len(it) == 1
    assert {c["file"] for c in it[0]["cards"]} == {"КПЭ 2025_ДИТ.xlsx", "КПЭ 2025_ТОП_финал.xlsx"}
    assert it[0]["chosen"]["file"] == "КПЭ 2025_ДИТ.xlsx", "the department's own workbook wins"


def test_ambiguous_columns_are_listed_with_their_candidates(kpi_map: dict[str, Any]) -> None:
    it_heads = [
        a for a in kpi_map["ambiguous"] if a["file"] == "КПЭ 2025_ДИТ.xlsx" and a["title"] == "Руководитель управления"
    ]
    assert sorted(a["column"] for a in it_heads) == ["F", "G", "H"]
    assert all(len(a["candidates"]) == 3 for a in it_heads)
    assert kpi_map["positions"]["position"] >= 20 and sum(kpi_map["positions"].values()) == 1689


def test_settling_an_ambiguous_column_gives_that_card_to_that_head_only(
    tmp_path: Path, kpi_map: dict[str, Any]
) -> None:
    kpi = tmp_path / "kpi"
    shutil.copytree(WORKBOOKS, kpi)
    column = next(a for a in kpi_map["ambiguous"] if a["file"] == "КПЭ 2025_ДИТ.xlsx" and a["column"] == "F")
    chosen = column["candidates"][1]
    entry = {"file": "КПЭ 2025_ДИТ.xlsx", "sheet": "Заполнить", "column": "F", "unit": " / ".join(chosen["unit_path"])}
    (kpi / "mapping.yaml").write_text(json.dumps({"cards": [entry]}, ensure_ascii=False), encoding="utf-8")
    facts = _facts(kpi, "-d", " / ".join(IT))
    own = [f for f in facts if f["kpis"]["source"] == "position"]
    holders = [f for f in own if any(i["column"] == "F" and i["file"] == DIT for i in f["kpis"]["items"])]
    assert [(f["position"]["title"], f["position"]["unit_path"]) for f in holders] == [
        (chosen["title"], chosen["unit_path"])
    ]
    others = [c for c in column["candidates"] if c != chosen]
    for other in others:
        assert _one(facts, tuple(other["unit_path"]), other["title"])["kpis"]["source"] != "position"


def test_hr_overrides_a_conflict_in_mapping_yaml(tmp_path: Path, kpi_map: dict[str, Any]) -> None:
    conflict = next(
        c for c in kpi_map["conflicts"] if c.get("kind") == "card" and c["position"]["title"] == "Директор по закупкам"
    )
    chosen = conflict["chosen"]
    other = next(c for c in conflict["cards"] if (c["file"], c["column"]) != (chosen["file"], chosen["column"]))
    kpi = tmp_path / "kpi"
    shutil.copytree(WORKBOOKS, kpi)
    entry = {k: other[k] for k in ("file", "sheet", "column")} | {"unit": " / ".join(PROCUREMENT)}
    (kpi / "mapping.yaml").write_text(json.dumps({"cards": [entry]}, ensure_ascii=False), encoding="utf-8")
    fact = _one(_facts(kpi, "-d", " / ".join(PROCUREMENT), "--no-subunits"), PROCUREMENT, "Директор по закупкам")
    assert {(i["file"], i["column"]) for i in fact["kpis"]["items"]} == {(other["file"], other["column"])}
    overridden = json.loads(run_cli("kpi", "map", "--json", "--org", str(STRUCTURE), "--kpi-dir", str(kpi)).stdout)
    settled = next(c for c in overridden["conflicts"] if c["position"]["title"] == "Директор по закупкам")
    assert (settled["chosen"]["file"], settled["chosen"]["column"]) == (other["file"], other["column"])


def test_a_specialist_gets_no_card_and_is_told_so() -> None:
    facts = _facts(WORKBOOKS, "-d", " / ".join(IT))
    specialists = [f for f in facts if not f["is_head"] and f["deputy_of"] is None]
    assert specialists
    for fact in specialists:
        assert fact["kpis"]["source"] != "position"
        assert "КПЭ должности не установлены" in fact["kpis"]["notes"]
        items = fact["kpis"]["items"]
        assert items and len(items) <= 5, "the unit's KPIs, a handful, as context"
        assert all(i["weight"] is None for i in items), "never with someone else's weights"
        assert fact["kpis"]["source"] == "department"


def test_an_answer_with_kpis_of_its_own_is_reasked_and_the_card_stands(tmp_path: Path) -> None:
    title = "Директор по информационным технологиям"
    with FakeLLM() as llm:
        llm.by_title[title] = ["other_kpis"]
        done = run_cli(
            "generate",
            "-d",
            " / ".join(IT),
            "--no-subunits",
            "--org",
            str(STRUCTURE),
            "--kpi-dir",
            str(WORKBOOKS),
            "--out",
            str(tmp_path / "out"),
            "--provider",
            "openai",
            "--base-url",
            llm.base_url,
            env={"PROFILEGEN_API_KEY": "test-key"},
        )
    assert done.code == 0, done.stderr
    document = json.loads(next((tmp_path / "out").rglob(f"{title}.json")).read_text(encoding="utf-8"))
    card = _card_in_sheet("КПЭ 2025_ДИТ.xlsx", "Заполнить", title)
    assert [(k["name"], k["weight"]) for k in document["profile"]["kpis"]] == card
    assert document["meta"]["attempts"] == 2, "KPIs are not the model's to write: its answer was asked again"


def test_a_card_whose_weights_do_not_sum_to_one_is_reported(tmp_path: Path) -> None:
    kpi = tmp_path / "kpi"
    kpi.mkdir()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Заполнить"
    sheet.append([None, None, None, "Директор по закупкам"])
    sheet.append(["КПЭ", "Целевое значение", "Ед. изм.", "Сотрудник 1", "Тип показателя"])
    sheet.append(["Триггер"])
    sheet.append(["NPV", "80", "%", "1", "На увеличение"])
    sheet.append(["Личные КПЭ"])
    sheet.append(["Экономия", "5", "%", "0.6", "На увеличение"])
    sheet.append(["Сроки закупок", "30", "дн", "0.3", "На уменьшение"])
    book.save(kpi / "КПЭ 2025_Закупки.xlsx")
    shown = run_cli("kpi", "map", "--json", "--org", str(STRUCTURE), "--kpi-dir", str(kpi))
    assert shown.code == 0, shown.stderr
    found = json.loads(shown.stdout)["inconsistent_cards"]
    assert [(c["column"], c["weight_sum"]) for c in found] == [("D", 0.9)], "the trigger is outside the sum"
    # the profile of its holder says so, in every format, and `check` rejects it
    where = ["--org", str(STRUCTURE), "--kpi-dir", str(kpi), "--out", str(tmp_path / "out")]
    selected = ["-d", " / ".join(PROCUREMENT), "--no-subunits", "--position", "Директор по закупкам"]
    assert run_cli("generate", *selected, "--provider", "offline", *where).code == 0
    stem = next((tmp_path / "out").rglob("Директор по закупкам.json"))
    warnings = json.loads(stem.read_text(encoding="utf-8"))["meta"]["warnings"]
    assert any(w.startswith("card_inconsistent:") and "0.9" in w for w in warnings), warnings
    assert "card_inconsistent" in stem.with_suffix(".md").read_text(encoding="utf-8")
    checked = run_cli("check", *selected, *where, "--json")
    assert checked.code == 1 and any(f["rule"] == "kpi_weights" for f in json.loads(checked.stdout)["findings"])


def test_a_malformed_workbook_is_named_and_the_rest_loads(tmp_path: Path) -> None:
    kpi = tmp_path / "kpi"
    shutil.copytree(WORKBOOKS, kpi)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Заполнить"
    sheet.append([None, None, None, "Директор по закупкам"])
    sheet.append(["КПЭ", "Целевое значение", "Ед. изм.", "Сотрудник 1", "Тип показателя"])
    sheet.append(["Выручка", "100", "%", "половина", "На увеличение"])
    book.save(kpi / "КПЭ 2025_Сломанный.xlsx")
    shown = run_cli("kpi", "map", "--org", str(STRUCTURE), "--kpi-dir", str(kpi))
    assert shown.code == 0, shown.stderr
    assert "КПЭ 2025_Сломанный.xlsx" in shown.stderr and "row 3" in shown.stderr and "'Заполнить'" in shown.stderr
    fact = _one(_facts(kpi, "-d", " / ".join(IT), "--no-subunits"), IT, "Директор по информационным технологиям")
    assert fact["kpis"]["source"] == "position"


def test_editing_one_card_regenerates_only_its_holder(tmp_path: Path) -> None:
    kpi = tmp_path / "kpi"
    shutil.copytree(WORKBOOKS, kpi)
    for path in kpi.iterdir():
        path.chmod(0o644)
    where = ["--org", str(STRUCTURE), "--kpi-dir", str(kpi), "--out", str(tmp_path / "out")]
    generate = ["generate", "-d", " / ".join(IT), "--provider", "offline", *where]
    assert run_cli(*generate).code == 0
    book = openpyxl.load_workbook(kpi / DIT)
    sheet = book["Заполнить"]
    row = next(r for r in range(1, sheet.max_row + 1) if str(sheet.cell(r, 1).value or "").startswith("NPS"))
    sheet.cell(row, 4).value = "0.2"  # column D: the IT director's weight for this KPI
    book.save(kpi / DIT)
    plan = run_cli(*generate, "--dry-run", "--json")
    assert plan.code == 0, plan.stderr
    planned = [(p["path"][-1], p["position"]) for p in json.loads(plan.stdout)["to_generate"]]
    assert planned == [(IT[-1], "Директор по информационным технологиям")]


def test_kpi_explain_shows_the_card_chosen_and_why() -> None:
    shown = run_cli("kpi", "explain", " / ".join(IT), "--json", "--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS))
    assert shown.code == 0, shown.stderr
    cards = json.loads(shown.stdout)[0]["cards"]
    assert [(c["position"], c["file"], c["column"]) for c in cards] == [
        ("Директор по информационным технологиям", DIT, "D")
    ]
    assert "ДИТ" in cards[0]["reason"] and "fewer units" in cards[0]["reason"]


def test_what_hr_reads_names_units_and_marks_the_trigger(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli(
        "generate",
        "-d",
        "ГК А101",
        "--position",
        "Генеральный директор",
        "--provider",
        "offline",
        "--org",
        str(STRUCTURE),
        "--kpi-dir",
        str(WORKBOOKS),
        "--out",
        str(out),
    )
    assert done.code == 0, done.stderr
    text = next(out.rglob("Генеральный директор.md")).read_text(encoding="utf-8")
    assert "- Операционный директор (Блок операционного директора)" in text, "a feeder names its unit"
    npv = next(line for line in text.splitlines() if line.startswith("| NPV"))
    assert "триггер (условие, вне весов)" in npv and "| 1 |" not in npv
    assert "the head" not in text and "rung" not in text, "no English reason in a Russian profile"


def test_a_folder_of_workbooks_alone_is_told_where_its_templates_come_from(tmp_path: Path) -> None:
    """HR's folder holds only KPI files (no `templates/`): the notice says the shipped templates serve, not that a
    folder the user never made "lacks" them; a `templates/` missing some is told which."""
    from tests.conftest import KPI_DIR, SAMPLE_YAML

    kpi = tmp_path / "kpi"
    kpi.mkdir()
    shutil.copy(KPI_DIR / "sales.md", kpi)
    shown = run_cli("kpi", "map", "--org", str(SAMPLE_YAML), "--kpi-dir", str(kpi))
    assert shown.code == 0, shown.stderr
    said = [line for line in shown.stderr.splitlines() if "shipped" in line]
    assert said == [f"{kpi}: no templates/ folder, so the KPI templates shipped with profilegen serve"], said
    (kpi / "templates").mkdir()
    shutil.copy(KPI_DIR / "templates" / "generic.md", kpi / "templates")
    shown = run_cli("kpi", "map", "--org", str(SAMPLE_YAML), "--kpi-dir", str(kpi))
    assert any(f"{kpi / 'templates'} lacks" in line for line in shown.stderr.splitlines()), shown.stderr


def test_a_card_listing_one_kpi_twice_is_reported(kpi_map: dict[str, Any]) -> None:
    """HR's ДПУ workbook lists one KPI twice in the chief power engineer's card (rows 16 and 18, alike to the
    weight): `kpi map` names the card and the KPI for HR to fix; both rows stay in the facts, as HR made them."""
    repeated = [(r["file"], r["sheet"], r["column"], r["kpi"]) for r in kpi_map["repeated_kpis"]]
    twice = 'Осуществление ТП электроснабжения 2 этапа ЖК "Южные сады"- 01.09.25.;'
    assert ("КПЭ 2025_ДПУ.xlsx", "Заполнить", "G", twice) in repeated
    assert len(repeated) == len(set(repeated))
    shown = run_cli("kpi", "map", "--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS), timeout=300)
    assert f"warning: repeated KPI: КПЭ 2025_ДПУ.xlsx / Заполнить / G 'Главный энергетик': «{twice}» twice" in (
        shown.stderr.splitlines()
    )
    # what HR must fix goes to stderr: stdout, piped, stays the table alone (four columns a row, for a TSV reader)
    rows = shown.stdout.splitlines()
    assert rows[0] == "unit\tsource\tfile\treason" and all(row.count("\t") == 3 for row in rows), [
        row for row in rows if row.count("\t") != 3
    ][:3]
    assert any(line.startswith("warning: ambiguous card: ") for line in shown.stderr.splitlines())
    assert "coverage: " in shown.stderr
    quiet = run_cli("--quiet", "kpi", "map", "--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS), timeout=300)
    assert quiet.stdout == shown.stdout
    assert "coverage" not in quiet.stderr and "positions by KPI source" not in quiet.stderr
    assert any(line.startswith("warning: repeated KPI: ") for line in quiet.stderr.splitlines())


def test_an_offline_task_for_a_kpi_without_a_target_names_no_empty_one(tmp_path: Path) -> None:
    """A card's KPI with no target value (ДПУ's personal KPIs) makes the task «Обеспечивать достижение показателя
    «…»», not one ending in «(цель: )»."""
    unit = "Дирекция проектного управления по г.Москве, Московской области и объектам МПТ / Служба главного энергетика"
    where = ["--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS), "--out", str(tmp_path / "out")]
    assert run_cli("generate", "-d", unit, "--no-subunits", "--provider", "offline", *where).code == 0
    tasks = [
        task
        for path in (tmp_path / "out").rglob("*.json")
        for area in json.loads(path.read_text(encoding="utf-8"))["profile"]["responsibilities"]
        for task in area["items"]
        if task.startswith("Обеспечивать достижение показателя")
    ]
    assert tasks and not [t for t in tasks if "(цель: )" in t or t.endswith(": )")], tasks
    assert any("(цель: " in t for t in tasks), "a KPI with a target still names it"
    # HR's card lists one KPI twice (rows 16 and 18): the draft says its task once
    for path in (tmp_path / "out").rglob("*.json"):
        for area in json.loads(path.read_text(encoding="utf-8"))["profile"]["responsibilities"]:
            assert len(area["items"]) == len(set(area["items"])), (path.name, area["items"])
