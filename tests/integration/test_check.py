"""`profilegen check`: what an HR reviewer would reject, found in the profiles on disk with no model call."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from profilegen.template.loader import load_template
from tests.conftest import invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-test-check"
UNIT = "Отдел CRM"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LLM profiles of one department from the loopback server (its answers are each position's own)."""
    tmp = tmp_path_factory.mktemp("check")
    with FakeLLM() as server:
        result = run_cli(
            "generate",
            "-d",
            UNIT,
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp),
            env={"PROFILEGEN_API_KEY": KEY},
        )
    assert result.code == 0, result.stderr
    return tmp


def _copy(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated / "out", tmp_path / "out")
    return tmp_path


def _edit(root: Path, title: str, change: Any) -> None:
    path = next((root / "out").rglob(f"{title}.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["profile"])
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def _check(capsys: pytest.CaptureFixture[str], root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = invoke(capsys, "check", "-d", UNIT, *sample_args(root), "--json", *extra)
    return result.code, json.loads(result.stdout)


def test_a_clean_folder_has_no_findings(capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path) -> None:
    code, report = _check(capsys, _copy(generated, tmp_path))
    assert report["findings"] == [] and code == 0
    assert report["summary"]["profiles"] == 6 and report["summary"]["errors"] == 0


def test_planted_defects_are_found_under_their_rules(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    root = _copy(generated, tmp_path)

    def generic(profile: dict[str, Any]) -> None:
        area = profile["responsibilities"][0]
        area["items"] += ["Вести отчетность, например, в Power BI или аналоги", "Как правило, готовить планы"]

    def foreign(profile: dict[str, Any]) -> None:
        profile["responsibilities"][0]["items"].append("Настраивать сетевое оборудование отдела инфраструктуры")
        # naming the unit to work with it is the position's own work
        profile["responsibilities"][0]["items"].append("Взаимодействовать с отделом инфраструктуры по стендам")

    def heavy(profile: dict[str, Any]) -> None:  # a card whose weights sum to 1.3
        for row in profile["kpis"]:
            row["weight"] = 0.0
        profile["kpis"][0]["weight"] = 1.3

    def emptied(profile: dict[str, Any]) -> None:
        profile["responsibilities"] = []

    def wrong_manager(profile: dict[str, Any]) -> None:
        profile["manager"] = "Генеральный директор (Генеральная дирекция)"

    def twice(profile: dict[str, Any]) -> None:
        area = profile["responsibilities"][0]
        area["items"].append(area["items"][0].upper())

    _edit(root, "Аналитик", generic)
    _edit(root, "Тестировщик", foreign)
    _edit(root, "Руководитель отдела", heavy)
    _edit(root, "Специалист по внедрению", emptied)
    _edit(root, "Ведущий разработчик", wrong_manager)
    _edit(root, "Разработчик", twice)
    # a profile copied under another position: the tester's written text in the leading developer's file
    tester = json.loads(next((root / "out").rglob("Тестировщик.json")).read_text(encoding="utf-8"))

    def copied(profile: dict[str, Any]) -> None:
        for spec in load_template().written:
            profile[spec.key] = tester["profile"][spec.key]

    _edit(root, "Ведущий разработчик", copied)

    code, report = _check(capsys, root)
    assert code == 1, "an error-level finding makes the exit code 1"
    found = {(f["title"], f["rule"]) for f in report["findings"]}
    assert ("Аналитик", "generic_markers") in found
    assert ("Тестировщик", "foreign_unit_task") in found, sorted(found)
    foreign_tasks = [
        f["detail"] for f in report["findings"] if (f["title"], f["rule"]) == ("Тестировщик", "foreign_unit_task")
    ]
    assert len(foreign_tasks) == 1 and "Настраивать сетевое" in foreign_tasks[0], foreign_tasks
    assert ("Руководитель отдела", "kpi_weights") in found
    assert ("Специалист по внедрению", "empty_section") in found
    assert ("Ведущий разработчик", "facts_mismatch") in found
    assert ("Разработчик", "duplicate_tasks") in found
    assert {("Тестировщик", "near_duplicate"), ("Ведущий разработчик", "near_duplicate")} <= found
    generic_finding = next(f for f in report["findings"] if f["rule"] == "generic_markers")
    assert generic_finding["severity"] == "warning"
    # every marker of every text counted (one that opens a text too), the first text holding one quoted
    said = "«например» ×1, «или аналоги» ×1, «как правило» ×1"
    first = "«Вести отчетность, например, в Power BI или аналоги»"
    assert generic_finding["detail"] == f"3 общие фразы ({said}): {first}"  # said in the language of the form
    assert next(f["detail"] for f in report["findings"] if f["rule"] == "duplicate_tasks").startswith(
        "сказано дважды: «"
    )
    manager = next(f for f in report["findings"] if f["rule"] == "facts_mismatch")
    assert manager["severity"] == "error" and "Генеральный директор" in manager["detail"]
    assert all(f["unit_path"][-1] == UNIT and f["employee"] is None for f in report["findings"])
    summary = report["summary"]
    assert summary["by_rule"]["kpi_weights"] == 1 and summary["errors"] >= 3

    # nothing else was flagged on the untouched rule set: the clean profiles stay clean
    assert {f["rule"] for f in report["findings"]} <= {
        "generic_markers",
        "foreign_unit_task",
        "kpi_weights",
        "empty_section",
        "facts_mismatch",
        "duplicate_tasks",
        "near_duplicate",
    }


def test_exceptions_workbook_and_text_output(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    root = _copy(generated, tmp_path)
    _edit(root, "Аналитик", lambda p: p["responsibilities"][0]["items"].append("Обычно, например, отчеты"))
    book = tmp_path / "findings.xlsx"
    result = invoke(capsys, "check", "--all", *sample_args(root), "--xlsx", str(book))
    assert result.code == 0, result.stderr  # warnings only
    assert "generic_markers" in result.stdout and "Аналитик" in result.stdout
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Подразделение", "Должность", "Сотрудник"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert any(r[1] == "Аналитик" and r[3] == "generic_markers" for r in rows)


def test_an_unreadable_profile_is_one_line_and_the_rest_is_checked(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    root = _copy(generated, tmp_path)
    broken = next((root / "out").rglob("Тестировщик.json"))
    broken.write_text("{not json", encoding="utf-8")
    result = invoke(capsys, "check", "-d", UNIT, *sample_args(root), "--json")
    assert result.code == 0 and "Traceback" not in result.stderr
    assert "Тестировщик.json" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    summary = json.loads(result.stdout)["summary"]
    assert summary["profiles"] == 5 and len(summary["unreadable"]) == 1


def test_check_reports_missing_profiles_and_bad_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    code, report = _check(capsys, tmp_path)
    assert code == 0 and report["summary"]["profiles"] == 0 and report["summary"]["not_generated"] == 6
    config = tmp_path / "profilegen.yaml"
    config.write_text("check:\n  near_duplicate: 3\n", encoding="utf-8")
    bad = invoke(capsys, "--config", str(config), "check", "--all", *sample_args(tmp_path))
    assert bad.code == 2 and "near_duplicate" in bad.stderr and "Traceback" not in bad.stderr


def test_each_profile_is_checked_in_the_form_it_was_made_in(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    made = invoke(capsys, "generate", "-d", UNIT, "--provider", "offline", "--template", "en", *sample_args(tmp_path))
    assert made.code == 0, made.stderr
    code, report = _check(capsys, tmp_path)  # the active template is A101's: these profiles are English
    assert code == 0 and not [f for f in report["findings"] if f["rule"] in ("facts_mismatch", "empty_section")]
    assert report["summary"]["profiles"] == 6
    # an English profile's findings are said in English, as an A101 card's are said in Russian
    _edit(tmp_path, "Аналитик", lambda profile: profile.update(purpose=""))
    code, report = _check(capsys, tmp_path)
    details = {f["rule"]: f["detail"] for f in report["findings"] if f["title"] == "Аналитик"}
    assert details["empty_section"].endswith("» is empty"), details


def test_a_title_in_brackets_is_its_own_position_not_a_personal_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """«Специалист (по охране труда)» beside «Специалист»: its file reads like a personal profile of the other."""
    org = tmp_path / "org.yaml"
    org.write_text(
        "units:\n  - name: Отдел охраны труда\n    positions:\n      - Начальник отдела\n      - Специалист\n"
        "      - Специалист (по охране труда)\n",
        encoding="utf-8",
    )
    where = ["--org", str(org), "--out", str(tmp_path / "out")]
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *where).code == 0
    personal = ["-d", "Отдел охраны труда", "--position", "Специалист", "--employee-name", "Анна Иванова"]
    assert invoke(capsys, "generate", *personal, "--provider", "offline", *where).code == 0
    checked = json.loads(invoke(capsys, "check", "--all", "--json", *where).stdout)["summary"]
    assert checked["profiles"] == 4, "three positions and one personal profile, none read twice"
    owners = {
        (f["title"], f["employee"])
        for f in json.loads(invoke(capsys, "check", "--all", "--json", *where).stdout)["findings"]
    }
    assert ("Специалист", "по охране труда") not in owners


def test_a_section_edited_out_of_its_shape_is_an_error_and_shown_as_written(
    capsys: pytest.CaptureFixture[str], generated: Path, tmp_path: Path
) -> None:
    """A JSON profile edited by hand into another shape — a text where the template has groups of rows, a table
    of numbers — is an error-level finding naming the field, and the Markdown shows what was written (it showed a
    group per letter: «1. м», «2. н» …)."""
    root = _copy(generated, tmp_path)

    def reshaped(profile: dict[str, Any]) -> None:
        profile["skills"] = "много всего"
        profile["speciality"] = {"основная": "Экономика"}
        profile["kpis"] = [1, 2]  # a fact field's table: its facts say otherwise (`facts_mismatch`)

    _edit(root, "Руководитель отдела", reshaped)
    code, report = _check(capsys, root)
    assert code == 1
    found = {f["detail"] for f in report["findings"] if f["rule"] == "malformed_section"}
    assert found == {
        "«Профессиональные знания и умения»: здесь должны быть группы пунктов, а не текст",
        "«Специальность»: здесь должен быть список пунктов, а не объект",
    }
    assert {f["title"] for f in report["findings"] if f["rule"] == "malformed_section"} == {"Руководитель отдела"}

    assert invoke(capsys, "export", "md", "--out", str(root / "out")).code == 0
    markdown = next((root / "out").rglob("Руководитель отдела.md")).read_text(encoding="utf-8")
    assert "много всего" in markdown and "### 1. м" not in markdown
    # a Word document of it too (a row that is not a row had one cell against the table's columns: a crash)
    exported = invoke(capsys, "export", "docx", "--out", str(root / "out"))
    assert exported.code == 0, exported.stderr
    assert next((root / "out").rglob("Руководитель отдела.docx")).stat().st_size > 0
