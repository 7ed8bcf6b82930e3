"""jobs, stats, and nightly reruns that redo only what changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM


def test_changing_one_kpi_file_regenerates_exactly_its_positions(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kpi_copy: Path
) -> None:
    kpi = kpi_copy
    args = ["generate", "--all", "--provider", "offline", *sample_args(tmp_path, kpi=kpi)]
    assert invoke(capsys, *args).code == 0
    procurement = kpi / "procurement.md"
    text = procurement.read_text(encoding="utf-8")
    # every procurement position carries this KPI row (weights in all four columns)
    changed = text.replace(
        "| Экономия по итогам закупочных процедур | 7 |", "| Экономия по итогам закупочных процедур | 9 |"
    )
    assert changed != text
    procurement.write_text(changed, encoding="utf-8")
    dry = json.loads(invoke(capsys, *args, "--dry-run", "--json").stdout)
    units = {tuple(t["path"]) for t in dry["to_generate"]}
    assert units and all("Департамент закупок" in path for path in units)
    assert {t["reason"] for t in dry["to_generate"]} == {"inputs changed: KPI file"}
    rerun = invoke(capsys, *args)
    assert f"generated {len(dry['to_generate'])}," in rerun.stdout
    assert f"up to date {120 - len(dry['to_generate'])}" in rerun.stdout


def test_jobs_and_stats_reflect_a_controlled_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-stats")
    monkeypatch.setenv("PROFILEGEN_VALIDATION_RETRIES", "0")
    with FakeLLM() as server:
        server.cost_per_request = 0.002
        server.by_title["Аналитик"] = ["schema_invalid"]
        server.by_title["Тестировщик"] = ["400"]
        result = invoke(
            capsys,
            "generate",
            "-d",
            "Отдел CRM",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path),
        )
    assert result.code == 1
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)
    assert stats["positions"]["total"] == 6
    assert stats["positions"]["done"] == 4 and stats["positions"]["failed"] == 2
    assert stats["success_rate"] == pytest.approx(4 / 6, abs=1e-4)
    assert stats["errors_by_type"] == {"invalid_output": 1, "bad_request": 1}
    assert stats["generator"] == {"llm": 4}
    assert stats["cost_usd"] == pytest.approx(5 * 0.002)  # the invalid answer was paid for too
    assert stats["kpi_source"] == {"inherited": 4}
    assert stats["tokens"]["in"] > 0
    block = stats["by_top_unit"]["Блок информационных технологий"]
    assert block["positions"] == 6
    assert stats["duration_s"]["p50"] is not None
    runs = json.loads(invoke(capsys, "jobs", "list", "--json", "--out", str(tmp_path / "out")).stdout)
    assert len(runs) == 1
    run = runs[0]
    assert run["outcome"] == "failed"
    assert run["counts"]["generated"] == 4 and run["counts"]["failed"] == 2
    assert "sk-stats" not in json.dumps(run)
    shown = json.loads(invoke(capsys, "jobs", "show", run["id"], "--json", "--out", str(tmp_path / "out")).stdout)
    assert {p["title"] for p in shown["failed_positions"]} == {"Аналитик", "Тестировщик"}
    text = invoke(capsys, "jobs", "show", run["id"], "--out", str(tmp_path / "out"))
    assert "failed: " in text.stdout
    assert run["id"] in invoke(capsys, "jobs", "list", "--out", str(tmp_path / "out")).stdout
    assert "success rate 66.7%" in invoke(capsys, "stats", "--out", str(tmp_path / "out")).stdout
    per_run = json.loads(invoke(capsys, "stats", "--run", run["id"], "--json", "--out", str(tmp_path / "out")).stdout)
    assert per_run["positions"]["total"] == 6
    assert invoke(capsys, "jobs", "show", "nope", "--out", str(tmp_path / "out")).code == 2
    assert "removed 0 run records" in invoke(capsys, "jobs", "purge", "--out", str(tmp_path / "out")).stdout
    purged = invoke(capsys, "jobs", "purge", "--older-than", "0", "--out", str(tmp_path / "out"))
    assert "removed 1 run record" in purged.stdout


def test_jobs_without_journal_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = invoke(capsys, "jobs", "list", "--state-dir", str(tmp_path / "none"))
    assert result.code == 2 and "no journal yet" in result.stderr


def test_a_damaged_journal_is_named_with_what_to_do(tmp_path: Path) -> None:
    """A journal file overwritten (a disk fault, a bad copy): every command that opens it says which file and what
    to do, exit 2 — it was "unexpected error: DatabaseError: database disk image is malformed"."""
    args = sample_args(tmp_path)
    assert run_cli("generate", "-d", "Отдел CRM", "--provider", "offline", *args).code == 0
    state = tmp_path / "out" / ".profilegen"
    (state / "journal" / "cache.db").write_bytes(b"garbage " * 512)
    generate = ["generate", "-d", "Отдел CRM", "--provider", "offline", *args]
    for command in (["stats", "--out", str(tmp_path / "out")], generate):
        result = run_cli(*command)
        assert result.code == 2, (command, result.stderr[-300:])
        assert result.stderr.strip().splitlines() == [
            f"error: {state / 'journal'}: the journal is damaged (database disk image is malformed): restore "
            f"{state} from a backup, or move it aside to start a new journal"
        ], result.stderr[-400:]


def test_a_journal_damaged_past_its_first_pages_is_named_too(tmp_path: Path) -> None:
    """The journal opens (its header and schema sound) but its records' pages are garbage: the commands that query
    it say so as they do for a file that is no database, exit 2 — it was "unexpected error: DatabaseError"."""
    import sqlite3

    args = sample_args(tmp_path)
    out = tmp_path / "out"
    assert run_cli("generate", "--all", "--provider", "offline", *args).code == 0
    state = out / ".profilegen"
    db = state / "journal" / "cache.db"
    with sqlite3.connect(db) as connection:  # the journal's log folded into the file, as SQLite does in time
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = db.stat().st_size
    with db.open("r+b") as file:  # its last third overwritten
        file.seek(size * 2 // 3)
        file.write(bytes(range(256)) * ((size - size * 2 // 3) // 256 + 1))
    said = (
        f"error: {state / 'journal'}: the journal is damaged (database disk image is malformed): restore {state} "
        "from a backup, or move it aside to start a new journal"
    )
    for command in (
        ["stats", "--out", str(out)],
        ["jobs", "list", "--out", str(out)],
        ["generate", "--all", "--provider", "offline", *args],
        ["prune", "--dry-run", "--out", str(out), "--org", args[args.index("--org") + 1]],
    ):
        result = run_cli(*command)
        assert (result.code, result.stderr.strip().splitlines()[-1:]) == (2, [said]), (command, result.stderr[-300:])
