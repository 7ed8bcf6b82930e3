"""Quiet nights and helpful days (issue 16): cron-clean output, bounded logs, readable records, options
in the user's words, plurals, the whole-file schema, clean TSV, and a progress bar that says something."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from profilegen.text import ru_plural
from tests.conftest import KPI_DIR, ROOT, SAMPLE_YAML, invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM
from tests.helpers import run_on_terminal

ALL = ["generate", "--all", "--provider", "offline"]


def test_quiet_success_prints_nothing_and_failure_prints_a_line(tmp_path: Path) -> None:
    args = [*ALL, *sample_args(tmp_path)]
    assert run_cli(*args).code == 0
    quiet = run_cli("--quiet", *args)
    assert (quiet.code, quiet.stdout, quiet.stderr) == (0, "", ""), "cron mails nothing on success"
    log = tmp_path / "night.jsonl"
    cron = run_cli("--quiet", "--log-format", "json", "--log-file", str(log), *args)  # the README's cron line
    assert (cron.code, cron.stdout, cron.stderr) == (0, "", ""), "the events go to the log file, not to cron's mail"
    assert '"run_finished"' in log.read_text(encoding="utf-8")
    with FakeLLM() as server:
        server.always = "400"
        failing = run_cli(
            "-q",
            "generate",
            "-d",
            "Отдел CRM",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path, out=tmp_path / "llm"),
            env={"PROFILEGEN_API_KEY": "sk-operator-test"},
        )
    assert failing.code == 1
    assert failing.stdout.count("\n") == 1 and failing.stdout.startswith("generated 0")
    assert failing.stderr.count("failed: ") == 6


def test_a_quiet_night_logs_a_count_not_every_position(tmp_path: Path) -> None:
    log = tmp_path / "night.jsonl"
    args = ["--log-format", "json", "--log-file", str(log), *ALL, *sample_args(tmp_path)]
    assert run_cli(*args).code == 0
    worked = log.read_text(encoding="utf-8").splitlines()
    assert sum('"position_generated"' in line for line in worked) == 120, "a night with work: a line per change"
    log.unlink()
    assert run_cli(*args).code == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 5, lines
    finished = json.loads(next(line for line in lines if '"run_finished"' in line))
    assert finished["up_to_date"] == 120
    log.unlink()
    assert run_cli("-v", *args).code == 0
    assert sum('"position_skipped"' in line for line in log.read_text(encoding="utf-8").splitlines()) == 120


def test_records_read_as_text_and_unknown_runs_are_said(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert invoke(capsys, *ALL, *sample_args(tmp_path)).code == 0
    out = ["--out", str(tmp_path / "out")]
    (run,) = json.loads(invoke(capsys, "jobs", "list", "--json", *out).stdout)
    shown = invoke(capsys, "jobs", "show", run["id"], *out).stdout
    assert "{'" not in shown and f"run {run['id']}: completed" in shown and "generated 120" in shown
    assert json.loads(invoke(capsys, "jobs", "show", run["id"], "--json", *out).stdout)["id"] == run["id"]
    bogus = invoke(capsys, "stats", "--run", run["id"][:-2], *out)
    assert bogus.code == 2 and f"Did you mean: {run['id']}" in bogus.stderr
    stats = invoke(capsys, "stats", *out).stdout
    assert "{'" not in stats and "generator: offline 120" in stats


def test_options_in_the_users_words(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    formats = invoke(
        capsys,
        "generate",
        "-d",
        "Отдел CRM",
        "--provider",
        "offline",
        "--format",
        " md, JSON,Docx",
        "--max-duration",
        "2h30m",
        *sample_args(tmp_path),
    )
    assert formats.code == 0, formats.stderr
    assert len(list((tmp_path / "out").rglob("*.docx"))) == 6
    day = invoke(
        capsys, "generate", "-d", "Отдел CRM", "--provider", "offline", "--max-duration", "1d", *sample_args(tmp_path)
    )
    assert day.code == 0
    bad = invoke(capsys, "generate", "--all", "--max-duration", "abc", *sample_args(tmp_path))
    assert bad.code == 2 and "--max-duration: 'abc' is not a duration like 90m, 6h or 1d" in bad.stderr
    assert "Value error" not in bad.stderr
    unknown = invoke(capsys, "generate", "--all", "--format", "pdf", *sample_args(tmp_path))
    assert unknown.code == 2 and "--format: 'pdf' is not a format (known: json, md, docx)" in unknown.stderr
    config = tmp_path / "profilegen.yaml"
    config.write_text("excel:\n  sheeet: Лист1\n", encoding="utf-8")
    nested = invoke(capsys, "--config", str(config), "config", "show")
    assert nested.code == 2 and "unknown key 'excel.sheeet'. Did you mean 'sheet'?" in nested.stderr
    flag = invoke(capsys, "prune", "--dry-run", "true", "--org", str(SAMPLE_YAML), "--out", str(tmp_path / "out"))
    assert flag.code == 2, "a flag takes no value"


def test_words_and_plurals(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = ["generate", "-d", "Отдел CRM", "--provider", "offline", *sample_args(tmp_path)]
    assert invoke(capsys, *args).code == 0
    froze = invoke(
        capsys,
        "freeze",
        "Отдел CRM",
        "--position",
        "Аналитик",
        "--org",
        str(SAMPLE_YAML),
        "--out",
        str(tmp_path / "out"),
    )
    assert froze.stdout.strip() == "froze 1 position"
    analyst = json.loads(next((tmp_path / "out").rglob("Аналитик.json")).read_text(encoding="utf-8"))
    # no company documents configured: experience is not invented (and "1 года", "5 лет" are word forms)
    assert analyst["profile"]["experience_previous"] == "требует уточнения HR"
    assert [ru_plural(n, "года", "лет", "лет") for n in (1, 2, 5, 21)] == ["1 года", "2 лет", "5 лет", "21 года"]
    shown = invoke(capsys, "org", "show", "--org", str(SAMPLE_YAML)).stdout
    assert " 1 positions" not in shown and "1 own position," in shown


def test_schema_describes_the_whole_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from profilegen.generation.schema import ProfileMeta

    whole = json.loads(invoke(capsys, "schema").stdout)
    assert set(whole["required"]) == {"schema_version", "template", "profile", "meta"}
    assert "skills" in whole["properties"]["profile"]["properties"], "the profile part comes from the template"
    part = json.loads(invoke(capsys, "schema", "--profile-only").stdout)
    assert "skills" in part["properties"] and "category" not in part["properties"], "facts are not the model's"
    assert invoke(capsys, *ALL, *sample_args(tmp_path)).code == 0
    for path in (tmp_path / "out").rglob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        assert set(document) == set(whole["required"])
        assert set(document["profile"]) == set(whole["properties"]["profile"]["required"])
        ProfileMeta.model_validate(document["meta"])


def test_kpi_map_is_clean_tsv(tmp_path: Path) -> None:
    mapped = run_cli("kpi", "map", "--org", str(SAMPLE_YAML), "--kpi-dir", str(KPI_DIR))
    rows = mapped.stdout.splitlines()
    assert len({row.count("\t") for row in rows}) == 1 and len(rows) == 44
    assert "coverage: " in mapped.stderr and "coverage" not in mapped.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal")
def test_the_progress_bar_says_what_a_run_costs_and_when_it_ends(tmp_path: Path) -> None:
    with FakeLLM(latency=0.15) as server:
        command = [
            sys.executable,
            "-m",
            "profilegen",
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
        env = {**os.environ, "PROFILEGEN_API_KEY": "sk-operator-test", "TERM": "xterm", "COLUMNS": "200"}
        env.pop("NO_COLOR", None)
        code, text = run_on_terminal(command, env, ROOT)
    assert code == 0, text[-2000:]
    assert "ETA " in text and "/min" in text and "failed 0" in text and "cost unknown" in text
