"""The smaller things an operator meets (issue 22): `jobs show last` and id prefixes, the recorded command as a
shell would take it, sheet names in any case, prune leaving no empty folders, review counts in `stats`,
what a dry run would keep, exports that name hand-edited files, and a version the README agrees with."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_XLSX, SAMPLE_YAML, invoke, sample_args

CRM = ["generate", "-d", "Отдел CRM", "--provider", "offline"]


def _where(tmp_path: Path) -> list[str]:
    return sample_args(tmp_path)[4:]


def test_jobs_show_last_and_a_prefix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert invoke(capsys, *CRM, *sample_args(tmp_path)).code == 0
    last = invoke(capsys, "jobs", "show", "last", *_where(tmp_path))
    assert last.code == 0 and last.stdout.startswith("run "), last.stderr
    run_id = last.stdout.split()[1].rstrip(":")
    prefixed = invoke(capsys, "jobs", "show", run_id[:-3], *_where(tmp_path))
    assert prefixed.code == 0 and run_id in prefixed.stdout
    command = next(line for line in last.stdout.splitlines() if "command:" in line).split("command: ", 1)[1]
    assert "Отдел CRM" in shlex.split(command), "the recorded command, pasted into a shell, is the same command"


def test_a_sheet_name_in_another_case(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shown = invoke(capsys, "org", "show", "--org", str(SAMPLE_XLSX), "--sheet", "ВЫГРУЗКА")
    assert shown.code == 0, shown.stderr


def test_prune_leaves_no_empty_unit_folders(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    args = ["generate", "--all", "--provider", "offline", *sample_args(tmp_path, org=org)]
    assert invoke(capsys, *args).code == 0
    crm = next(p for p in (tmp_path / "out").rglob("Отдел CRM") if p.is_dir())
    org.write_text(org.read_text(encoding="utf-8").replace("Отдел CRM", "Отдел клиентских систем"), encoding="utf-8")
    assert invoke(capsys, *args).code == 0
    pruned = invoke(capsys, "prune", "--org", str(org), "--out", str(tmp_path / "out"))
    assert pruned.code == 0, pruned.stderr
    assert not crm.exists(), "the emptied unit folder was left behind"
    assert crm.parent.is_dir(), "the folder above still holds profiles"


def test_stats_shows_review_counts_and_a_dry_run_what_it_would_keep(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert invoke(capsys, *CRM, *sample_args(tmp_path)).code == 0
    md = next((tmp_path / "out").rglob("Тестировщик.md"))
    md.write_text(md.read_text(encoding="utf-8") + "\nПравка HR.\n", encoding="utf-8")
    assert invoke(capsys, "freeze", "Отдел CRM", "--position", "Аналитик", *_where(tmp_path)).code == 0
    dry = invoke(capsys, *CRM, "--force", "--dry-run", *sample_args(tmp_path))
    assert "1 kept (edited by hand" in dry.stdout and "1 frozen" in dry.stdout, dry.stdout
    assert invoke(capsys, *CRM, "--force", *sample_args(tmp_path)).code == 0
    stats = invoke(capsys, "stats", *_where(tmp_path))
    assert "review: frozen 1, kept as edited 1, pending .new 1, quarantined 0" in stats.stdout, stats.stdout


def test_exports_name_the_files_edited_by_hand(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert invoke(capsys, *CRM, *sample_args(tmp_path)).code == 0
    md = next((tmp_path / "out").rglob("Тестировщик.md"))
    md.write_text(md.read_text(encoding="utf-8") + "\nПравка HR.\n", encoding="utf-8")
    workbook = invoke(capsys, "export", "xlsx", "--to", str(tmp_path / "all.xlsx"), *_where(tmp_path))
    assert workbook.code == 0 and "1 file edited by hand" in workbook.stderr and str(md) in workbook.stderr
    docx = invoke(capsys, "export", "docx", *_where(tmp_path))
    assert docx.code == 0 and str(md) in docx.stderr


def test_the_version_and_the_readme_agree(capsys: pytest.CaptureFixture[str]) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    shown = invoke(capsys, "--version")
    assert shown.stdout.strip() == f"profilegen {version}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"profilegen (\d+\.\d+)", readme))
    major_minor = ".".join(version.split(".")[:2])
    assert major_minor in mentioned, f"the README never names this version ({version}); it names {mentioned}"
    assert all(tuple(map(int, m.split("."))) <= tuple(map(int, major_minor.split("."))) for m in mentioned)


def test_export_shows_progress_on_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import os
    import sys

    from tests.helpers import run_on_terminal

    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path)).code == 0
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    command = [sys.executable, "-m", "profilegen", "export", "md", "--out", str(tmp_path / "out")]
    code, text = run_on_terminal(command, env, tmp_path)
    assert code == 0, text[-2000:]
    assert "export md" in text and "120/120" in text and "rendered 120 md files" in text
    quiet = invoke(capsys, "export", "md", "--out", str(tmp_path / "out"))
    assert "export md" not in quiet.stderr  # not a terminal: no bar


def test_check_and_report_show_progress_on_a_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A cold check of 100,000 profiles takes most of a minute: on a terminal a bar says how far it is (the JSON
    on stdout untouched); piped, nothing."""
    import os
    import sys

    from tests.helpers import run_on_terminal

    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path)).code == 0
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    where = sample_args(tmp_path)
    for command, shown in (("check", "check"), ("report", "report")):
        extra = ["--to", str(tmp_path / "report.html")] if command == "report" else ["--all"]
        code, text = run_on_terminal([sys.executable, "-m", "profilegen", command, *extra, *where], env, tmp_path)
        assert code in (0, 1), text[-2000:]
        assert f"{shown} " in text and "120/120" in text, text[-2000:]
    piped = invoke(capsys, "check", "--all", "--json", *where)
    assert "120/120" not in piped.stderr and json.loads(piped.stdout)["summary"]["profiles"] == 120


def test_every_review_command_can_leave_sub_units_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--no-subunits` works on freeze, unfreeze, diff, accept and reject as on approve, check and generate: the
    unit's own positions only (it was "No such option" on all five)."""
    args = sample_args(tmp_path)
    where = args[:2] + args[4:]  # --org and --out
    unit = "Департамент информационных технологий"
    assert invoke(capsys, "generate", "-d", unit, "--provider", "offline", *args).code == 0
    own = invoke(capsys, "freeze", unit, "--no-subunits", *where)
    assert own.code == 0, own.stderr
    everything = invoke(capsys, "unfreeze", unit, *where)
    assert own.stdout.strip() == "froze 2 positions" and everything.stdout.strip() == "unfroze 2 positions"
    assert int(invoke(capsys, "freeze", unit, *where).stdout.split()[1]) > 2, "sub-units included by default"
    assert invoke(capsys, "unfreeze", unit, *where).code == 0

    # a hand edit in the unit and one in its sub-unit, each with a new version beside it
    edited = [next((tmp_path / "out").rglob(f"{title}.md")) for title in ("Директор департамента", "Тестировщик")]
    for path in edited:
        path.write_text(path.read_text(encoding="utf-8") + "\nПравка HR.\n", encoding="utf-8")
    assert invoke(capsys, "generate", "-d", unit, "--provider", "offline", "--force", *args).code == 0
    assert all(path.with_suffix(".new.md").exists() for path in edited)
    shown = invoke(capsys, "diff", unit, "--no-subunits", "--json", *where)
    assert shown.code == 0 and {d["position"] for d in json.loads(shown.stdout)} == {
        "Директор департамента",
        "Бизнес-аналитик",
    }
    assert invoke(capsys, "reject", unit, "--no-subunits", *where).code == 0
    assert [path.with_suffix(".new.md").exists() for path in edited] == [False, True]
    assert invoke(capsys, "accept", unit, "--no-subunits", *where).stdout.startswith("accepted 0 files")


def test_the_summary_on_a_terminal_shows_only_the_counts_that_say_something(tmp_path: Path) -> None:
    """A run's summary table on a terminal lists what was generated, is up to date and failed, then only the other
    counts a run had (it listed fourteen rows, ten of them zeros: exported, rendered, frozen, quarantined, …)."""
    import sys

    from tests.helpers import run_on_terminal

    command = [sys.executable, "-m", "profilegen", "generate", "-d", "Отдел CRM", "--provider", "offline"]
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "120"}
    code, text = run_on_terminal([*command, *sample_args(tmp_path)], env, ROOT)
    assert code == 0, text[-2000:]
    rows = [line.strip("│ ").split("│")[0].strip() for line in text.splitlines() if line.startswith("│")]
    assert rows == ["generated", "up to date", "failed", "tokens in / out", "cost", "profiles in"], rows
    code, text = run_on_terminal([*command, *sample_args(tmp_path), "--format", "json,md,docx"], env, ROOT)
    rows = [line.strip("│ ").split("│")[0].strip() for line in text.splitlines() if line.startswith("│")]
    assert "rendered" in rows and "exported" not in rows, rows
