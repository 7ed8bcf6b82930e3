"""A quiet night plans from the last plan's fingerprints (no contexts built) — and sees every change the
full planning would (issue 16's nightly no-op)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from profilegen.generation import plan_cache
from profilegen.journal import Journal
from tests.conftest import KPI_DIR, SAMPLE_YAML, invoke

CRM = ["generate", "-d", "Отдел CRM", "--provider", "offline"]


def _setup(tmp_path: Path) -> tuple[list[str], Path, Path]:
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    kpi = tmp_path / "kpi"
    shutil.copytree(KPI_DIR, kpi)
    out = tmp_path / "out"
    return ["--org", str(org), "--kpi-dir", str(kpi), "--out", str(out)], org, kpi


def _forget_plan(out: Path) -> None:
    with Journal(out / ".profilegen") as journal:
        journal.delete_meta(plan_cache.PLAN_CACHE)


def _last_run_planned(out: Path) -> str:
    with Journal(out / ".profilegen") as journal:
        return str(journal.runs()[0]["planned"])


def _records(out: Path) -> dict[str, object]:
    with Journal(out / ".profilegen") as journal:
        return {k: {f: r.get(f) for f in ("status", "fingerprint", "frozen")} for k, r in journal.positions()}


def test_the_quick_plan_is_the_full_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    where, _, _ = _setup(tmp_path)
    out = tmp_path / "out"
    assert invoke(capsys, *CRM, *where).code == 0
    with Journal(out / ".profilegen") as journal:
        recorded = journal.meta(plan_cache.PLAN_CACHE)
    assert recorded is not None and len(recorded["fingerprints"]) == 6
    assert all(len(k) == 16 for k in recorded["fingerprints"]), "kept under short hashes, not the long keys"
    quick = invoke(capsys, "-v", *CRM, *where)
    assert _last_run_planned(out) == "from the last plan"
    records = _records(out)
    _forget_plan(out)
    full = invoke(capsys, "-v", *CRM, *where)
    assert _last_run_planned(out) == "in full"
    assert quick.code == full.code == 0
    assert quick.stdout == full.stdout and "up to date 6" in quick.stdout
    skipped = [line for line in quick.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == 6, "each skipped position still said with -v"
    assert records == _records(out)


@pytest.mark.parametrize(
    "change",
    ["kpi file", "org file", "unit kinds", "category labels", "competencies", "heads", "output deleted", "format"],
)
def test_every_change_is_seen_after_a_quiet_night(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, change: str
) -> None:
    where, org, kpi = _setup(tmp_path)
    out = tmp_path / "out"
    config = tmp_path / "profilegen.yaml"
    config.write_text("{}", encoding="utf-8")
    run = ["--config", str(config), *CRM, *where]
    assert invoke(capsys, *run).code == 0
    assert "up to date 6" in invoke(capsys, *run).stdout  # the quiet night: the plan is recorded and used
    assert _last_run_planned(out) == "from the last plan"
    extra: list[str] = []
    if change == "kpi file":
        dit = kpi / "dit.md"
        dit.write_text(dit.read_text(encoding="utf-8").replace("| 99.3 |", "| 99.5 |"), encoding="utf-8")
    elif change == "org file":
        org.write_text(org.read_text(encoding="utf-8").replace("headcount: 3", "headcount: 4"), encoding="utf-8")
    elif change == "unit kinds":
        config.write_text(json.dumps({"unit_kinds": {"отдел": "line_manager"}}), encoding="utf-8")
    elif change == "category labels":
        config.write_text(json.dumps({"category_labels": {"specialist": "Эксперт"}}), encoding="utf-8")
    elif change == "competencies":
        config.write_text(json.dumps({"competencies": {"base": ["Надежность"]}}), encoding="utf-8")
    elif change == "heads":
        config.write_text(json.dumps({"heads": {"Отдел CRM": "Ведущий разработчик"}}), encoding="utf-8")
    elif change == "output deleted":
        next(out.rglob("Тестировщик.json")).unlink()
    else:
        extra = ["--format", "json,md,docx"]
    after = invoke(capsys, *run, *extra)
    assert after.code == 0, after.stderr
    assert "up to date 6" not in after.stdout, f"{change} went unseen: {after.stdout}"
    _forget_plan(out)
    assert "up to date 6" in invoke(capsys, *run, *extra).stdout, "and the next night is quiet again"
