"""HR's sign-off: approved profiles are frozen, counted in `stats`, and need approval again once changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke, sample_args

UNIT = "Отдел CRM"


def _generate(capsys: pytest.CaptureFixture[str], tmp_path: Path, *extra: str) -> str:
    result = invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path), *extra)
    assert result.code == 0, result.stderr
    return result.stdout


def _stats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> dict[str, int]:
    result = invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.stderr
    approval: dict[str, int] = json.loads(result.stdout)["approval"]
    return approval


def test_approval_survives_force_and_is_lost_by_a_change(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _generate(capsys, tmp_path)
    out = str(tmp_path / "out")
    analyst = next(p for p in (tmp_path / "out").rglob("Аналитик.json") if p.parent.name == UNIT)
    missing_by = invoke(capsys, "approve", UNIT, "--out", out)
    assert missing_by.code == 2 and "--by" in missing_by.stderr
    approved = invoke(capsys, "approve", UNIT, "--by", "Иванова А.А.", "--note", "проверено", "--out", out)
    assert approved.code == 0 and approved.stdout.strip() == "approved 6 profiles", approved.stderr
    assert invoke(capsys, "approve", UNIT, "--by", "Иванова А.А.", "--out", out).stdout.strip() == "approved 0 profiles"
    assert _stats(capsys, tmp_path) == {"approved": 6, "changed": 0, "unapproved": 114}
    stats_text = invoke(capsys, "stats", "--out", out).stdout
    assert "approval: approved 6, changed since approval 0, not approved 114" in stats_text
    jobs_text = invoke(capsys, "jobs", "list", "--out", out).stdout
    assert "review: approved 6, changed since approval 0, not approved 114" in jobs_text

    before = analyst.read_bytes()
    _generate(capsys, tmp_path, "--force")
    assert analyst.read_bytes() == before, "an approved profile is frozen: --force leaves it"
    checked = invoke(capsys, "check", "-d", UNIT, *sample_args(tmp_path), "--unapproved", "--json")
    assert json.loads(checked.stdout)["summary"]["approved_skipped"] == 6

    document = json.loads(before)
    document["profile"]["experience_total"] = "Не менее 3 лет"  # a hand edit after the sign-off
    analyst.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert _stats(capsys, tmp_path)["changed"] == 1
    checked = invoke(capsys, "check", "-d", UNIT, *sample_args(tmp_path), "--unapproved", "--json")
    summary = json.loads(checked.stdout)["summary"]
    assert summary["approved_skipped"] == 5 and summary["profiles"] == 1, "the changed profile is checked again"

    assert invoke(capsys, "unapprove", UNIT, "--position", "Аналитик", "--out", out).stdout.strip() == (
        "unapproved 1 profile"
    )
    assert _stats(capsys, tmp_path) == {"approved": 5, "changed": 0, "unapproved": 115}
    _generate(capsys, tmp_path, "--force")
    assert analyst.with_name("Аналитик.new.json").exists(), "no longer frozen: regenerated (beside the hand edit)"


def test_a_position_frozen_before_approval_stays_frozen(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _generate(capsys, tmp_path)
    out = str(tmp_path / "out")
    assert invoke(capsys, "freeze", UNIT, "--position", "Аналитик", "--out", out).code == 0
    assert invoke(capsys, "approve", UNIT, "--position", "Аналитик", "--by", "HR", "--out", out).code == 0
    assert invoke(capsys, "unapprove", UNIT, "--position", "Аналитик", "--out", out).code == 0
    assert json.loads(invoke(capsys, "stats", "--json", "--out", out).stdout)["frozen"] == 1
    nothing = invoke(capsys, "approve", "Проектный офис", "--by", "HR", "--out", str(tmp_path / "other"))
    assert nothing.code == 2, "an OUT never generated has no organisation to approve in"
