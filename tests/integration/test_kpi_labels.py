"""Where a profile's KPIs came from is said in every format: Markdown, DOCX and the XLSX Summary."""

from __future__ import annotations

from pathlib import Path

import docx
import openpyxl

from tests.conftest import run_cli, sample_args

TEMPLATE = "Шаблон КПЭ (templates/security.md): не утвержден HR, требует проверки"
UNIT_KPIS = "КПЭ должности не установлены; показаны КПЭ подразделения"


def test_template_and_unit_kpis_are_labelled_in_every_format(tmp_path: Path) -> None:
    args = sample_args(tmp_path)
    done = run_cli("generate", "--all", "--provider", "offline", "--format", "json,md,docx", *args)
    assert done.code == 0, done.stderr
    out = tmp_path / "out"
    guard = next(p for p in out.rglob("Специалист по экономической безопасности.md"))
    assert TEMPLATE in guard.read_text(encoding="utf-8")
    text = "\n".join(p.text for p in docx.Document(str(guard.with_suffix(".docx"))).paragraphs)
    assert TEMPLATE in text
    analyst = next(p for p in out.rglob("Аналитик.md") if "Отдел CRM" in str(p))
    assert UNIT_KPIS in analyst.read_text(encoding="utf-8")
    book = tmp_path / "all.xlsx"
    exported = run_cli("export", "xlsx", "--to", str(book), *args[4:])
    assert exported.code == 0, exported.stderr
    rows = list(openpyxl.load_workbook(book, read_only=True)["Сводка"].values)
    column = rows[0].index("Источник КПЭ")
    labels = {row[1]: row[column] for row in rows[1:]}
    assert labels["Специалист по экономической безопасности"] == TEMPLATE
    categories = {row[1]: row[2] for row in rows[1:]}
    assert categories["Специалист по экономической безопасности"] == "Специалист", "HR's label, not a code"
