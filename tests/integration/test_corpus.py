"""The bad-input corpus through the real CLI: one clear line, the documented exit code, nothing outside OUT."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import KPI_DIR, ROOT, SAMPLE_YAML, Result, invoke, run_cli, sample_args
from tests.helpers import write_xlsx

CORPUS = ROOT / "tests" / "corpus"
LEVELS = ["Номер", "Уровень 2", "Уровень 3", "Уровень 4", "Должность"]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _generate(
    capsys: pytest.CaptureFixture[str], tmp: Path, org: Path, kpi: Path = KPI_DIR, *extra: str, out: Path | None = None
) -> Result:
    return invoke(
        capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp, org=org, kpi=kpi, out=out), *extra
    )


def _one_clear_line(result: Result, *fragments: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def _copy(name: str, tmp: Path) -> Path:
    source = CORPUS / name
    target = tmp / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copy(source, target)
    return target


FATAL_ORG: list[tuple[str, Callable[[Path], Path], tuple[str, ...]]] = [
    ("empty", lambda t: _copy("empty.xlsx", t), ("empty.xlsx", "the file is empty")),
    ("binary garbage", lambda t: _copy("garbage.xlsx", t), ("garbage.xlsx", "not a workbook")),
    (
        "damaged .xls",
        lambda t: _copy("legacy_xls_renamed.xlsx", t),
        ("legacy_xls_renamed.xlsx", "cannot read the workbook"),
    ),
    ("renamed .csv", lambda t: _copy("csv_renamed.xlsx", t), ("csv_renamed.xlsx", "CSV text; name it .csv")),
    (
        "no header",
        lambda t: write_xlsx(t / "nohdr.xlsx", [["a", "b"], ["Блок", "Директор"]]),
        ("nohdr.xlsx", "no header row", "found: a, b", "expected"),
    ),
    ("YAML bomb", lambda t: _copy("bomb.yaml", t), ("bomb.yaml", "line 2", "aliases are not allowed")),
    ("YAML with tabs", lambda t: _copy("tabs.yaml", t), ("tabs.yaml", "line 3")),
    ("YAML list for a map", lambda t: _copy("list_not_map.yaml", t), ("list_not_map.yaml", "expected a mapping")),
    (
        "YAML wrong shape",
        lambda t: _copy("wrong_shape.yaml", t),
        ("wrong_shape.yaml", "units[0].positions[0].headcount"),
    ),
]


@pytest.mark.parametrize(("case", "make", "fragments"), FATAL_ORG, ids=[c[0] for c in FATAL_ORG])
def test_bad_org_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case: str,
    make: Callable[[Path], Path],
    fragments: tuple[str, ...],
) -> None:
    org = make(tmp_path)
    before = _files(tmp_path)
    result = _generate(capsys, tmp_path, org)
    assert result.code == 2
    _one_clear_line(result, *fragments)
    assert _files(tmp_path) - before <= {p for p in _files(tmp_path) if "state" in p.parts}
    assert not (tmp_path / "out").exists()


FATAL_KPI = [
    ("no front matter", "kpi_no_front_matter", ("sales.md", "line 1", "no YAML front matter")),
    ("broken front matter", "kpi_broken_front_matter", ("sales.md", "line 2", "YAML error")),
    ("row wider than header", "kpi_wide_rows", ("sales.md", "line 6", "5 cells but the header has 3")),
    ("a negative weight", "kpi_negative_weight", ("sales.md", "line 7", "weight '-0.5' is below 0")),
    ("a weight above 1", "kpi_weight_above_one", ("sales.md", "line 6", "weight '60' is above 1: write 60% or 0.6")),
    ("mapping names a missing file", "kpi_missing_mapping", ("mapping.yaml", "missing.md")),
]


@pytest.mark.parametrize(("case", "folder", "fragments"), FATAL_KPI, ids=[c[0] for c in FATAL_KPI])
def test_bad_kpi_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str, folder: str, fragments: tuple[str, ...]
) -> None:
    kpi = _copy(folder, tmp_path)
    result = _generate(capsys, tmp_path, SAMPLE_YAML, kpi)
    assert result.code == 2
    _one_clear_line(result, *fragments)
    assert not (tmp_path / "out").exists()


def test_out_inside_state_dir(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = invoke(
        capsys,
        "generate",
        "--all",
        "--provider",
        "offline",
        "--org",
        str(SAMPLE_YAML),
        "--state-dir",
        str(tmp_path / "state"),
        "--out",
        str(tmp_path / "state" / "profiles"),
    )
    assert result.code == 2
    _one_clear_line(result, "must not be inside the state directory")
    assert not (tmp_path / "state" / "profiles").exists()


def test_unwritable_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the output folder should be", encoding="utf-8")
    result = _generate(capsys, tmp_path, SAMPLE_YAML, out=blocker / "profiles")
    assert result.code == 2
    _one_clear_line(result, str(blocker / "profiles"), "cannot create the state folder")


def _warned(result: Result, *fragments: str) -> None:
    assert result.code == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    for fragment in fragments:
        assert any(fragment in line for line in warnings), (fragment, result.stderr)


def _inside_out_only(tmp: Path, before: set[Path]) -> None:
    new = _files(tmp) - before
    assert new, "something was generated"
    for path in new:
        assert path.resolve().is_relative_to((tmp / "out").resolve()) or "state" in path.relative_to(tmp).parts, path


def test_real_xls_renamed_xlsx_still_loads(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("выгрузка")
    for r, row in enumerate([LEVELS, ["1", "Блок", "Отдел", "Отдел", "Инженер"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "renamed.xlsx"))
    result = _generate(capsys, tmp_path, tmp_path / "renamed.xlsx")
    assert result.code == 0, result.stderr
    assert list((tmp_path / "out").rglob("Инженер.json"))


def test_headers_in_row_5(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = write_xlsx(
        tmp_path / "r5.xlsx",
        [["Штатное расписание"], [], ["на 01.01.2026"], [], LEVELS, ["1", "Блок", "Отдел", "Отдел", "Инженер"]],
    )
    result = _generate(capsys, tmp_path, org)
    assert result.code == 0 and "warning" not in result.stderr
    assert list((tmp_path / "out").rglob("Инженер.json"))


def test_level_gap_warns_and_validate_fails(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = write_xlsx(tmp_path / "gap.xlsx", [LEVELS, ["1", "Блок", None, "Группа", "Инженер"]])
    _warned(_generate(capsys, tmp_path, org), "gap.xlsx", "row 2", "gap in the level chain (Блок, –, Группа)")
    validate = invoke(capsys, "org", "validate", "--org", str(org))
    assert validate.code == 1 and "row 2" in validate.stdout


def test_ten_thousand_character_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    name = "Отдел " + "очень " * 1665
    assert len(name) > 9_990
    org = write_xlsx(tmp_path / "long.xlsx", [LEVELS, ["1", "Блок", name, name, "Инженер"]])
    before = _files(tmp_path)
    _warned(
        _generate(capsys, tmp_path, org, KPI_DIR, "--format", "json,md,docx"), "long.xlsx", "row 2", "longer than 300"
    )
    assert len(list((tmp_path / "out").rglob("*.docx"))) == 1  # DOCX properties hold 255 characters at most
    _inside_out_only(tmp_path, before)
    assert all(len(p.name.encode()) < 255 for p in (tmp_path / "out").rglob("*"))


def test_control_characters_and_nul(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = _copy("control_chars.yaml", tmp_path)
    before = _files(tmp_path)
    result = _generate(capsys, tmp_path, org, KPI_DIR, "--format", "json,md,docx")
    assert result.code == 0, result.stderr
    _inside_out_only(tmp_path, before)
    assert not any("\x00" in str(p) or "\x07" in str(p) for p in (tmp_path / "out").rglob("*"))
    assert len(list((tmp_path / "out").rglob("*.docx"))) == 1
    book = invoke(
        capsys,
        "export",
        "xlsx",
        "--out",
        str(tmp_path / "out"),
        "--org",
        str(org),
        "--to",
        str(tmp_path / "out" / "book.xlsx"),
    )
    assert book.code == 0 and "(1 profile)" in book.stdout
    validate = invoke(capsys, "org", "validate", "--org", str(org))
    assert validate.code == 1 and "control characters" in validate.stdout


def test_odd_rtl_and_emoji_names_work_and_stay_inside(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    org = _copy("odd_names.yaml", tmp_path)
    before = _files(tmp_path)
    result = _generate(capsys, tmp_path, org)
    assert result.code == 0, result.stderr
    _inside_out_only(tmp_path, before)
    out = tmp_path / "out"
    assert len(list(out.rglob("*.json"))) == 14
    assert (out / "قسم المبيعات" / "مدير المبيعات.json").exists()
    assert (out / "Отдел 🎯 целей" / "Аналитик 📊.json").exists()
    assert (out / "_CON.json").exists() is False and list(out.rglob("_CON.json"))
    sales = sorted(p.parent.name for p in out.rglob("Менеджер.json"))
    assert len(sales) == 2 and len(set(sales)) == 2, "names differing only in dropped characters do not collide"
    assert not list(out.rglob("-*")), "no file name starts with '-'"


def test_duplicate_units_and_rows_warn(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _warned(
        _generate(capsys, tmp_path, _copy("duplicate_units.yaml", tmp_path)),
        "duplicate_units.yaml",
        "units[1]",
        "appears twice",
    )
    flat = write_xlsx(tmp_path / "flat.xlsx", [["Path", "Position", "Headcount"], ["A / B", "X", 1], ["A / B", "X", 2]])
    shutil.rmtree(tmp_path / "out")
    _warned(_generate(capsys, tmp_path, flat), "flat.xlsx", "row 3", "duplicate row")


def _mount_tiny_tmpfs(where: Path) -> bool:
    where.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(where)], capture_output=True)
    return proc.returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tiny tmpfs needs root")
def test_full_disk_stops_cleanly_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    if not _mount_tiny_tmpfs(out):
        pytest.skip("this machine does not allow mounting a tmpfs")
    try:
        args = ["generate", "--all", "--provider", "offline", *sample_args(tmp_path, out=out)]
        full = run_cli(*args)
        assert full.code == 1
        lines = [line for line in full.stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "No space left on device" in lines[0] and str(out) in lines[0], full.stderr
        assert "Traceback" not in full.stderr
        subprocess.run(["mount", "-o", "remount,size=16m", str(out)], check=True)
        resumed = run_cli(*args)
        assert resumed.code == 0, resumed.stderr
        assert len(list(out.rglob("*.json"))) == 120
        assert not list(out.rglob("*.tmp"))
    finally:
        subprocess.run(["umount", str(out)], check=False)


def test_symlink_planted_in_out_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["generate", "-d", "Отдел CRM", "--provider", "offline", *sample_args(tmp_path)]
    assert invoke(capsys, *args).code == 0
    crm = next((tmp_path / "out").rglob("Отдел CRM"))
    shutil.rmtree(crm)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    crm.symlink_to(elsewhere, target_is_directory=True)
    result = invoke(capsys, *args, "--force")
    assert result.code == 2
    _one_clear_line(result, "refusing to write outside the output folder")
    assert not any(elsewhere.iterdir())


def test_shell_completion_works(tmp_path: Path) -> None:
    script = run_cli("--show-completion", "bash")
    assert script.code == 0 and "_profilegen_completion" in script.stdout
    env = {"COMP_WORDS": "profilegen gen", "COMP_CWORD": "1", "_PROFILEGEN_COMPLETE": "complete_bash"}
    completed = run_cli(env=env)
    assert completed.stdout.split() == ["generate"]
