"""Hand-edited profiles are never overwritten silently; freeze, diff and dry-run reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_YAML, invoke, sample_args

PROCUREMENT = ("Блок операционного директора", "Департамент закупок")


def _args(tmp: Path, kpi: Path, *extra: str) -> list[str]:
    return ["generate", "-d", "Департамент закупок", "--provider", "offline", *sample_args(tmp, kpi=kpi), *extra]


@pytest.fixture
def kpi(kpi_copy: Path) -> Path:
    return kpi_copy


def _change_procurement_kpi(kpi: Path) -> None:
    path = kpi / "procurement.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("| Соблюдение сроков поставки | 95 |", "| Соблюдение сроков поставки | 97 |"), encoding="utf-8"
    )


def test_edits_are_kept_new_beside_and_overwrite_leaves_bak(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kpi: Path
) -> None:
    assert invoke(capsys, *_args(tmp_path, kpi)).code == 0
    unit = tmp_path / "out" / PROCUREMENT[0] / PROCUREMENT[1] / "Отдел закупок строительных материалов"
    md = unit / "Специалист по закупкам.md"
    js = unit / "Руководитель отдела.json"
    md.write_text(md.read_text(encoding="utf-8") + "\nПравка HR: согласовано.\n", encoding="utf-8")
    doc = json.loads(js.read_text(encoding="utf-8"))
    doc["profile"]["promotion_decision"] = "Исправлено вручную"
    js.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    md_before, js_before = md.read_bytes(), js.read_bytes()
    _change_procurement_kpi(kpi)

    dry = json.loads(invoke(capsys, *_args(tmp_path, kpi), "--dry-run", "--json").stdout)
    reasons = {t["position"]: t["reason"] for t in dry["to_generate"]}
    assert reasons["Специалист по закупкам"] == "inputs changed: KPI file"
    edited = {f for item in dry["edited_by_hand"] for f in item["files"]}
    assert edited == {str(md), str(js)}

    result = invoke(capsys, *_args(tmp_path, kpi))
    assert result.code == 0, result.stderr
    assert md.read_bytes() == md_before and js.read_bytes() == js_before
    assert (unit / "Специалист по закупкам.new.md").exists()
    assert (unit / "Руководитель отдела.new.json").exists()
    assert "2 kept (edited by hand)" in result.stdout
    assert f"kept (edited by hand): {md}" in result.stdout
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)
    assert stats["kept_edited"] == 2

    diff = json.loads(
        invoke(
            capsys,
            "diff",
            "Отдел закупок строительных материалов",
            "--org",
            str(SAMPLE_YAML),
            "--out",
            str(tmp_path / "out"),
            "--position",
            "Руководитель отдела",
            "--json",
        ).stdout
    )
    (only,) = diff
    assert only["compared_with"].endswith("Руководитель отдела.new.json")
    sections = {s["section"]: s for s in only["sections"]}
    assert sections["Решение о повышении"]["changed"][0].startswith("'Исправлено вручную' → ")
    kpis = sections["Ключевые показатели эффективности (КПЭ)"]
    assert any(line.startswith("Соблюдение сроков поставки | 97 | %") for line in kpis["added"])
    assert any(line.startswith("Соблюдение сроков поставки | 95 | %") for line in kpis["removed"])
    out = ["--org", str(SAMPLE_YAML), "--out", str(tmp_path / "out")]
    text = invoke(capsys, "diff", "Отдел закупок строительных материалов", *out)
    assert "[Ключевые показатели эффективности (КПЭ)]" in text.stdout
    assert "+ Соблюдение сроков поставки | 97" in text.stdout

    forced = invoke(capsys, *_args(tmp_path, kpi, "--overwrite-edited"))
    assert forced.code == 0
    assert (unit / "Специалист по закупкам.bak.md").read_bytes() == md_before
    assert (unit / "Руководитель отдела.bak.json").read_bytes() == js_before
    assert "Правка HR" not in md.read_text(encoding="utf-8")
    assert not (unit / "Специалист по закупкам.new.md").exists(), "the stale .new goes once the file is replaced"
    again = invoke(capsys, *_args(tmp_path, kpi))
    assert "up to date 8" in again.stdout and "kept (edited" not in again.stdout


def test_freeze_and_unfreeze_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path, kpi: Path) -> None:
    assert invoke(capsys, *_args(tmp_path, kpi)).code == 0
    where = ["--org", str(SAMPLE_YAML), "--out", str(tmp_path / "out")]
    froze = invoke(capsys, "freeze", "Отдел тендерных процедур", *where)
    assert froze.stdout.strip() == "froze 3 positions"
    _change_procurement_kpi(kpi)
    dry = json.loads(invoke(capsys, *_args(tmp_path, kpi), "--dry-run", "--json").stdout)
    assert {f["position"] for f in dry["frozen"]} == {
        "Руководитель отдела",
        "Специалист по тендерам",
        "Юрист по закупкам",
    }
    assert all("Отдел тендерных процедур" not in t["path"] for t in dry["to_generate"])
    run = invoke(capsys, *_args(tmp_path, kpi))
    assert "3 frozen" in run.stdout
    assert json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)["frozen"] == 3
    thawed = invoke(capsys, "unfreeze", "Отдел тендерных процедур", *where)
    assert thawed.stdout.strip() == "unfroze 3 positions"
    after = json.loads(invoke(capsys, *_args(tmp_path, kpi), "--dry-run", "--json").stdout)
    assert after["frozen"] == []
    regenerate = {(t["path"][-1], t["position"]) for t in after["to_generate"]}
    assert ("Отдел тендерных процедур", "Руководитель отдела") in regenerate
    assert ("Отдел тендерных процедур", "Специалист по тендерам") not in regenerate, "its KPI rows did not change"


def test_diff_without_changes_and_without_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kpi: Path
) -> None:
    missing = invoke(
        capsys,
        "diff",
        "Отдел казначейства",
        "--org",
        str(SAMPLE_YAML),
        "--out",
        str(tmp_path / "out"),
        "--position",
        "Казначей",
    )
    assert "no profile on disk" in missing.stdout
    assert invoke(capsys, *_args(tmp_path, kpi)).code == 0
    same = invoke(
        capsys,
        "diff",
        "Отдел тендерных процедур",
        "--org",
        str(SAMPLE_YAML),
        "--out",
        str(tmp_path / "out"),
        "--position",
        "Специалист по тендерам",
    )
    assert "no differences" in same.stdout


def test_export_protects_hand_edits_too(capsys: pytest.CaptureFixture[str], tmp_path: Path, kpi: Path) -> None:
    assert invoke(capsys, *_args(tmp_path, kpi)).code == 0
    out = tmp_path / "out"
    md = next(out.rglob("Специалист по тендерам.md"))
    md.write_text("# Правлено вручную\n", encoding="utf-8")
    result = invoke(capsys, "export", "md", "--out", str(out), "-d", "Отдел тендерных процедур")
    assert result.code == 0
    assert "rendered 2 md" in result.stdout and f"kept (edited by hand): {md}" in result.stdout
    assert md.read_text(encoding="utf-8") == "# Правлено вручную\n"
    assert md.with_name("Специалист по тендерам.new.md").exists()


@pytest.mark.parametrize("edit", ["meta a list", "every field true", "a group's items a text"])
def test_a_profile_edited_into_nonsense_never_crashes_a_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edit: str
) -> None:
    """Whatever a hand edit leaves in a profile's JSON, every command that reads it answers: the file is named as
    unreadable, or its fields are checked, shown and compared as written — never "unexpected error"."""
    args = sample_args(tmp_path)
    assert invoke(capsys, "generate", "-d", "Отдел CRM", "--provider", "offline", *args).code == 0
    path = next((tmp_path / "out").rglob("Руководитель отдела.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    if edit == "meta a list":
        document["meta"] = [1]
    elif edit == "every field true":
        document["profile"] = {key: True for key in document["profile"]}
    else:
        document["profile"]["responsibilities"] = [{"name": "Учёт", "items": "вести учёт"}]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = ["--out", str(tmp_path / "out")]
    for command in (
        ["check", "-d", "Отдел CRM", *args],
        ["report", "--to", str(tmp_path / "r.html"), *args],
        ["diff", "Отдел CRM", "--org", str(SAMPLE_YAML), *out],
        ["export", "md", *out],
        ["export", "docx", *out],
        ["export", "xlsx", "--to", str(tmp_path / "all.xlsx"), *out],
    ):
        result = invoke(capsys, *command)
        assert result.code in (0, 1) and "unexpected error" not in result.stderr, (command, result.stderr[-300:])
