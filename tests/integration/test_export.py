"""DOCX, XLSX and Markdown outputs, opened with the libraries HR's tools use."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from profilegen.export.xlsx_writer import sheet_names
from tests.conftest import KPI_DIR, invoke, sample_args


def test_docx_has_sections_in_order_and_real_properties(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("prepared_by: Отдел оценки персонала\n", encoding="utf-8")
    result = invoke(
        capsys,
        "--config",
        str(config),
        "generate",
        "-d",
        "Отдел CRM",
        "--provider",
        "offline",
        "--format",
        "json,md,docx",
        *sample_args(tmp_path),
    )
    assert result.code == 0, result.stderr
    path = next((tmp_path / "out").rglob("Руководитель отдела.docx"))
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["meta"]
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings[:4] == [
        "Подразделение укрупненно",
        "Подразделение",
        "Категория должности",
        "Должность непосредственного руководителя",
    ]
    assert headings.index("Профессиональные знания и умения") < headings.index("Карьерограмма")
    assert headings[-2:] == ["Подготовлено (ФИО ответственного)", "Дата формирования"]
    assert len(doc.tables) >= 2
    kpi_table = doc.tables[-1]
    assert [c.text for c in kpi_table.rows[0].cells] == ["Показатель", "Целевое значение", "Ед. изм.", "Вес", "Период"]
    text = [p.text for p in doc.paragraphs]
    assert text[text.index("Подготовлено (ФИО ответственного)") + 1] == "Отдел оценки персонала"
    assert not any("profilegen" in line for line in text[:-1]), "only the generation line names the tool"
    page = doc.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297), "A4 portrait"
    props = doc.core_properties
    assert props.title == "Руководитель отдела"
    assert props.author == "Отдел оценки персонала"
    expected = datetime.strptime(meta["generated_at"], "%Y-%m-%dT%H:%M:%S%z")
    assert props.created is not None and abs(props.created.timestamp() - expected.timestamp()) < 2
    assert props.created.year >= 2026


def _org_with_titles(path: Path, titles: list[str]) -> None:
    lines = ["units:", "  - name: Отдел", "    positions:"]
    lines += [f"      - {json.dumps(t, ensure_ascii=False)}" for t in titles]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_xlsx_workbook_summary_sheets_and_formula_safety(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hostile = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(1)", "-5"]
    long = [f"Ведущий специалист по сопровождению проектов номер {i}" for i in range(40)]
    org = tmp_path / "org.yaml"
    _org_with_titles(org, hostile + long)
    args = ["--org", str(org), "--kpi-dir", str(KPI_DIR), "--out", str(tmp_path / "out")]
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *args).code == 0
    target = tmp_path / "book.xlsx"
    result = invoke(capsys, "export", "xlsx", "--out", str(tmp_path / "out"), "--org", str(org), "--to", str(target))
    assert result.code == 0, result.stderr
    assert "44 profiles" in result.stdout
    book = openpyxl.load_workbook(target)
    summary = book["Сводка"]
    assert book.sheetnames[0] == "Сводка", "the Summary sheet speaks the template's language"
    assert summary.freeze_panes == "A2"
    assert summary.auto_filter.ref == "A1:L45"
    assert [c.value for c in summary[1]][:4] == ["Подразделение", "Должность", "Категория", "Источник КПЭ"]
    assert summary.cell(row=2, column=3).value == "Специалист"
    titles = [summary.cell(row=r, column=2).value for r in range(2, 46)]
    assert set(hostile) <= set(titles)
    for row in range(2, 46):
        cell = summary.cell(row=row, column=2)
        assert cell.data_type == "s", cell.value
        link = summary.cell(row=row, column=12)
        assert link.hyperlink is not None
        assert link.hyperlink.location == "'{}'!A1".format(str(link.value).replace("'", "''"))
    names = book.sheetnames[1:]
    assert len(names) == 44 == len(set(names))
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
    long_names = [n for n in names if n.startswith("Ведущий")]
    assert all(n.split(" (")[0] in long[0] and not n.split(" (")[0].endswith(" ") for n in long_names)
    assert "Ведущий специалист по (2)" in long_names, "whole words, a repeat numbered"
    sheet = book[names[-1]]
    labels = [sheet.cell(row=r, column=1).value for r in range(3, sheet.max_row + 1)]
    assert [x for x in labels if x][:2] == ["Подразделение укрупненно", "Подразделение"]
    assert "Ключевые показатели эффективности (КПЭ)" in labels
    assert sheet.cell(row=3, column=2).alignment.wrap_text
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    formula_sheet = book[next(n for n in names if n.startswith("=HYPERLINK"))]
    assert formula_sheet.cell(row=1, column=1).data_type == "s"


def test_sheet_names_are_unique_and_bounded() -> None:
    names = sheet_names(["A" * 40] * 40 + ["Summary", "x[1]:y*z?/w\\", "Младший менеджер по закупкам работ"])
    assert len(set(n.casefold() for n in names)) == len(names)
    assert all(len(n) <= 31 for n in names)
    assert names[-2] == "x 1 y z w"
    assert names[-3] != "Summary"
    assert names[-1] == "Младший менеджер по закупкам", "cut at a word, never inside one"
    # a repeated title numbered in order, a number another title took skipped, any letter case
    repeated = sheet_names(["Специалист", "специалист (3)", "Специалист", "Специалист", "СПЕЦИАЛИСТ", "Специалист"])
    assert repeated == [
        "Специалист",
        "специалист (3)",
        "Специалист (2)",
        "Специалист (4)",
        "СПЕЦИАЛИСТ (5)",
        "Специалист (6)",
    ]


def test_export_md_and_docx_rerender_without_generation(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    base = sample_args(tmp_path)
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *base).code == 0
    out = tmp_path / "out"
    for md in out.rglob("*.md"):
        md.unlink()
    result = invoke(capsys, "export", "md", "--out", str(out), "-d", "Департамент закупок")
    assert result.code == 0, result.stderr
    restored = list(out.rglob("*.md"))
    assert restored and all("Департамент закупок" in str(p) for p in restored)
    assert len(restored) == len(list((out / "Блок операционного директора" / "Департамент закупок").rglob("*.json")))
    docx = invoke(capsys, "export", "docx", "--out", str(out))
    assert "rendered 120 docx" in docx.stdout
    quiet = [invoke(capsys, "--quiet", "export", fmt, "--out", str(out)) for fmt in ("md", "docx")]
    quiet.append(invoke(capsys, "--quiet", "report", "--to", str(tmp_path / "review.html"), "--out", str(out)))
    quiet.append(invoke(capsys, "--quiet", "jobs", "purge", "--out", str(out), "--older-than", "30"))
    assert [(r.code, r.stdout, r.stderr) for r in quiet] == [(0, "", "")] * 4, "--quiet: nothing on success (cron)"
    assert (tmp_path / "review.html").stat().st_size > 0
    assert invoke(capsys, "export", "pdf", "--out", str(out)).code == 2
    assert invoke(capsys, "export", "md", "--out", str(tmp_path / "none")).code == 2
    assert invoke(capsys, "export", "md", "--out", str(out), "-d", "Nope").code == 2


def test_an_empty_list_after_a_headed_one_is_not_read_as_part_of_it(tmp_path: Path) -> None:
    """A list field left empty («Дополнительное профессиональное образование»: none) that follows a list shown under
    a heading of its own («### Специальность») gets its own heading too: as a bold line it read as an item of the
    list above it, in the Markdown and the DOCX alike."""
    import docx

    from tests.conftest import run_cli, sample_args

    made = run_cli(
        "generate", "-d", "Отдел CRM", "--provider", "offline", "--format", "json,md,docx", *sample_args(tmp_path)
    )
    assert made.code == 0, made.stderr
    (head,) = (tmp_path / "out").rglob("Руководитель отдела.json")
    assert json.loads(head.read_text(encoding="utf-8"))["profile"]["additional_education"] == []
    lines = head.with_suffix(".md").read_text(encoding="utf-8").splitlines()
    speciality = lines.index("### Специальность")
    following = [line for line in lines[speciality + 1 :] if line.strip()][:3]
    assert following[1:] == ["### Дополнительное профессиональное образование", "- нет"], following
    paragraphs = [
        (p.style.name if p.style is not None else "", p.text)
        for p in docx.Document(str(head.with_suffix(".docx"))).paragraphs
    ]
    at = paragraphs.index(("Heading 2", "Дополнительное профессиональное образование"))
    assert paragraphs[at + 1] == ("List Bullet", "нет")
