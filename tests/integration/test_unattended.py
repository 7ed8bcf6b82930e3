"""Cron-safe behaviour: never degrade, never pile up, never pay forever; the inputs HR exports; personal data."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from profilegen.journal import Journal
from profilegen.org.loader import load_org
from profilegen.org.rows import level_rows
from tests.conftest import A101, SAMPLE_YAML, invoke, needs_a101, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-unattended-test"


def _mtimes(out: Path) -> dict[Path, int]:
    """Profiles and their renderings (the journal in OUT/.profilegen changes on every run)."""
    files = (p for p in out.rglob("*") if p.is_file() and not any(part.startswith(".") for part in p.parts[-2:]))
    return {p: p.stat().st_mtime_ns for p in files if ".profilegen" not in p.parts}


def test_lost_key_is_exit_2_and_offline_keeps_llm_profiles(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["generate", "-d", "Отдел CRM", *sample_args(tmp_path)]
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        assert invoke(capsys, *base, "--base-url", server.base_url).code == 0
    out = tmp_path / "out"
    before = _mtimes(out)
    monkeypatch.delenv("PROFILEGEN_API_KEY")
    lost = invoke(capsys, *base)
    assert lost.code == 2
    assert "no API key in the environment" in lost.stderr and "written by an LLM" in lost.stderr
    assert _mtimes(out) == before, "nothing rewritten"
    kept = invoke(capsys, *base, "--provider", "offline")
    assert kept.code == 0
    assert "6 kept (llm profile)" in kept.stdout
    assert _mtimes(out) == before
    forced = invoke(capsys, *base, "--provider", "offline", "--force")
    assert forced.code == 0 and "generated 6" in forced.stdout
    generators = {json.loads(p.read_text(encoding="utf-8"))["meta"]["generator"] for p in out.rglob("*.json")}
    assert generators == {"offline"}


def test_orphans_are_reported_left_out_and_pruned(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path)).code == 0
    smaller = tmp_path / "smaller.yaml"
    text = SAMPLE_YAML.read_text(encoding="utf-8")
    start = text.index("          - name: Отдел казначейства")
    end = text.index("          - name: Отдел планирования и контроллинга")
    smaller.write_text(text[:start] + text[end:], encoding="utf-8")
    args = sample_args(tmp_path, org=smaller)
    run = invoke(capsys, "generate", "--all", "--provider", "offline", *args)
    assert run.code == 0
    assert "3 profiles of positions no longer in the org" in run.stderr
    assert json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)["orphans"] == 3
    book = invoke(
        capsys,
        "export",
        "xlsx",
        "--out",
        str(tmp_path / "out"),
        "--org",
        str(smaller),
        "--to",
        str(tmp_path / "b.xlsx"),
    )
    assert "(117 profiles)" in book.stdout and "left out 3 orphan" in book.stderr
    treasury = next((tmp_path / "out").rglob("Отдел казначейства"))
    files = sorted(p.name for p in treasury.iterdir())
    assert len(files) == 6  # 3 positions × json + md
    dry = invoke(capsys, "prune", "--dry-run", "--org", str(smaller), "--out", str(tmp_path / "out"))
    assert "would move 6 files of 3 orphan profiles" in dry.stdout
    assert sorted(p.name for p in treasury.iterdir()) == files
    pruned = invoke(capsys, "prune", "--org", str(smaller), "--out", str(tmp_path / "out"))
    assert "moved 6 files" in pruned.stdout
    archived = sorted(p.name for p in (tmp_path / "out" / ".archive").rglob("*") if p.is_file())
    assert archived == files
    assert not treasury.exists()  # the unit folder it emptied is removed too
    assert treasury.parent.is_dir()
    assert len([p for p in (tmp_path / "out").rglob("*.json") if ".archive" not in p.parts]) == 117
    with Journal(tmp_path / "out" / ".profilegen") as journal:
        assert journal.meta("orphans") == {"keys": []}
        assert sum(1 for _ in journal.positions()) == 117


def test_repeated_failures_are_quarantined(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    monkeypatch.setenv("PROFILEGEN_VALIDATION_RETRIES", "0")
    with FakeLLM() as server:
        server.by_title["Аналитик"] = ["schema_invalid"] * 10
        args = [
            "generate",
            "-d",
            "Отдел CRM",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path),
        ]
        codes = [invoke(capsys, *args).code for _ in range(3)]
        assert codes == [1, 1, 1]
        assert server.titles().count("Аналитик") == 3
        fourth = invoke(capsys, *args)
        assert fourth.code == 0, "a quarantined position does not fail the run by itself"
        assert server.titles().count("Аналитик") == 3
        assert "1 quarantined" in fourth.stdout and "quarantined: " in fourth.stdout
        assert json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)["quarantined"] == 1
        server.by_title["Аналитик"] = []
        retry = invoke(capsys, *args, "--retry-quarantined")
        assert retry.code == 0 and "generated 1" in retry.stdout
    assert json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)["quarantined"] == 0


def test_max_duration_stops_with_exit_4_and_resumes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM(latency=0.4) as server:
        args = [
            "generate",
            "-d",
            "Отдел CRM",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            "--concurrency",
            "1",
            *sample_args(tmp_path),
        ]
        stopped = invoke(capsys, *args, "--max-duration", "0.7s")
        assert stopped.code == 4
        assert "run stopped (duration)" in stopped.stderr
        first = len(server.requests)
        assert 1 <= first < 6
        rest = invoke(capsys, *args)
        assert rest.code == 0 and f"generated {6 - first}" in rest.stdout
        assert len(server.requests) == 6
    bad = invoke(capsys, "generate", "-d", "Отдел CRM", "--max-duration", "soon", *sample_args(tmp_path))
    assert bad.code == 2 and "not a duration" in bad.stderr


def test_employee_name_never_reaches_the_llm_or_the_logs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "Анна Смирнова-Кузнецова"
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    log = tmp_path / "log.jsonl"
    with FakeLLM() as server:
        result = invoke(
            capsys,
            "--log-format",
            "json",
            "--log-file",
            str(log),
            "generate",
            "-d",
            "Отдел CRM",
            "--position",
            "Аналитик",
            "--employee-name",
            name,
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path),
        )
        assert result.code == 0, result.stderr
        sent = json.dumps(server.requests, ensure_ascii=False)
    assert name not in sent and "Смирнова" not in sent
    logged = log.read_text(encoding="utf-8")
    assert name not in logged and "person:" in logged
    journal_files = (tmp_path / "out" / ".profilegen").rglob("*")
    state = "".join(p.read_bytes().decode("utf-8", "replace") for p in journal_files if p.is_file())
    assert "Смирнова" not in state
    (profile,) = (tmp_path / "out").rglob(f"Аналитик ({name}).json")
    assert json.loads(profile.read_text(encoding="utf-8"))["meta"]["employee_name"] == name


def test_send_employee_name_when_configured(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    monkeypatch.setenv("PROFILEGEN_SEND_EMPLOYEE_NAME", "true")
    with FakeLLM() as server:
        invoke(
            capsys,
            "generate",
            "-d",
            "Отдел CRM",
            "--position",
            "Аналитик",
            "--employee-name",
            "Олег",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path),
        )
        assert '"employee_name": "Олег"' in server.requests[0]["messages"][1]["content"]


def test_accept_and_reject_pending_new_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["generate", "-d", "Отдел CRM", "--provider", "offline", *sample_args(tmp_path)]
    assert invoke(capsys, *args).code == 0
    out = tmp_path / "out"
    analyst = next(out.rglob("Аналитик.md"))
    tester = next(out.rglob("Тестировщик.md"))
    for path in (analyst, tester):
        path.write_text("# правка\n", encoding="utf-8")
    assert invoke(capsys, *args, "--force").code == 0
    assert analyst.with_name("Аналитик.new.md").exists() and tester.with_name("Тестировщик.new.md").exists()
    where = ["--org", str(SAMPLE_YAML), "--out", str(out)]
    accepted = invoke(capsys, "accept", "Отдел CRM", "--position", "Аналитик", *where)
    assert "accepted 1 file" in accepted.stdout
    assert analyst.with_name("Аналитик.bak.md").read_text(encoding="utf-8") == "# правка\n"
    assert analyst.read_text(encoding="utf-8").startswith("# Аналитик")
    assert not analyst.with_name("Аналитик.new.md").exists()
    rejected = invoke(capsys, "reject", "Отдел CRM", "--position", "Тестировщик", *where)
    assert "rejected 1 file" in rejected.stdout
    assert tester.read_text(encoding="utf-8") == "# правка\n" and not tester.with_name("Тестировщик.new.md").exists()
    again = invoke(capsys, *args, "--force")
    assert "1 frozen" in again.stdout and "kept (edited" not in again.stdout
    assert tester.read_text(encoding="utf-8") == "# правка\n"


@needs_a101
@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "ending"),
    [
        ("utf8.csv", "utf-8-sig", ";", "\r\n"),
        ("win.csv", "cp1251", ",", "\r\n"),
        ("plain.csv", "utf-8", "\t", "\n"),
        ("mac.csv", "utf-8", ";", "\r"),  # old Mac line ends: no line feed anywhere
    ],
)
def test_fixture_as_csv_loads_identically(
    tmp_path: Path, name: str, encoding: str, delimiter: str, ending: str
) -> None:
    original = load_org(A101 / "Structure.xlsx")
    path = tmp_path / name
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=ending).writerows(level_rows(original))
    copy = load_org(path)
    assert len(copy.units) == 567
    assert sorted((p.unit_path, p.title, p.headcount) for p in copy.positions()) == sorted(
        (p.unit_path, p.title, p.headcount) for p in original.positions()
    )
    assert copy.units[("Блок безопасности",)].code == "024001190"


@needs_a101
def test_fixture_as_xls_loads_identically(tmp_path: Path) -> None:
    import xlwt

    original = load_org(A101 / "Structure.xlsx")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("выгрузка")
    for r, row in enumerate(level_rows(original)):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "Structure.xls"))
    copy = load_org(tmp_path / "Structure.xls")
    assert len(copy.units) == 567 and sum(1 for _ in copy.positions()) == 1689
    assert sum(p.headcount for p in copy.positions()) == 2844


def test_a_csv_field_may_hold_a_line_break(tmp_path: Path) -> None:
    path = tmp_path / "org.csv"
    path.write_text(
        'Уровень 1;Уровень 2;Должность\r\nБлок;Отдел;"Ведущий\nспециалист"\r\nБлок;Отдел;Аналитик\r\n', encoding="utf-8"
    )
    org = load_org(path)
    assert [p.title for p in org.positions()] == ["Ведущий\nспециалист", "Аналитик"]
