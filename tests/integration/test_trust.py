"""What profilegen writes and says is true: one journal per output folder, identity from the inputs, the
organisation a folder was built from, resumable --force, personal profiles, names out of logs, honest records,
readable files (issue 14, point by point)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import KPI_DIR, ROOT, SAMPLE_YAML, Result, invoke, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-trust-test"
CRM = ["generate", "-d", "Отдел CRM"]


def _generators(out: Path) -> set[str]:
    return {json.loads(p.read_text(encoding="utf-8"))["meta"]["generator"] for p in out.rglob("*.json")}


def _llm(server: FakeLLM) -> list[str]:
    return ["--provider", "openai", "--base-url", server.base_url]


# -- 1. a journal vouches only for the folder it wrote ------------------------------------------------


def test_each_output_folder_has_its_own_journal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path, out=a)).code == 0
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        assert invoke(capsys, *CRM, *_llm(server), *sample_args(tmp_path, out=b)).code == 0
        into_a = invoke(capsys, *CRM, *_llm(server), *sample_args(tmp_path, out=a))
    assert into_a.code == 0 and "generated 6" in into_a.stdout, "A held only offline drafts"
    assert _generators(a) == {"llm"} and (a / ".profilegen" / "journal").is_dir()
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(b)).stdout)
    assert stats["positions"]["total"] == 6
    # another organisation into an empty folder: no orphans of the first one
    other = tmp_path / "other.yaml"
    other.write_text("units:\n  - name: Бюро\n    positions: [Инженер]\n", encoding="utf-8")
    fresh = invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path, org=other))
    assert fresh.code == 0 and "orphan" not in fresh.stderr and "no longer in the org" not in fresh.stderr


def test_a_named_state_folder_is_bound_to_one_output_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = ["--state-dir", str(tmp_path / "state")]
    first = invoke(capsys, *CRM, "--provider", "offline", *state, *sample_args(tmp_path, out=tmp_path / "a"))
    assert first.code == 0
    other = invoke(capsys, *CRM, "--provider", "offline", *state, *sample_args(tmp_path, out=tmp_path / "b"))
    assert other.code == 2
    assert str(tmp_path / "a") in other.stderr and str(tmp_path / "b") in other.stderr
    assert not (tmp_path / "b").exists()
    moved = tmp_path / "moved"
    shutil.move(str(tmp_path / "a"), str(moved))  # a moved OUT keeps its journal
    again = invoke(capsys, *CRM, "--provider", "offline", *state, *sample_args(tmp_path, out=moved))
    assert again.code == 0 and "up to date 6" in again.stdout


def test_the_old_default_journal_is_adopted_by_its_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    work = Path.cwd()
    args = [*CRM, "--provider", "offline", "--org", str(SAMPLE_YAML), "--kpi-dir", str(KPI_DIR)]
    assert invoke(capsys, *args, "--out", "profiles", "--state-dir", ".profilegen").code == 0
    (work / ".profilegen" / "bound-out").unlink()  # as an earlier profilegen left it: ./.profilegen, no binding
    (work / "profiles" / ".profilegen-id").unlink()
    unrelated = invoke(capsys, *args, "--out", str(tmp_path / "elsewhere"))
    assert unrelated.code == 0 and "journal of another output folder" in unrelated.stderr
    assert (work / ".profilegen" / "journal").is_dir(), "not taken by a folder it does not vouch for"
    adopted = invoke(capsys, *args, "--out", "profiles")
    assert adopted.code == 0 and "up to date 6" in adopted.stdout
    assert "moved the journal" in adopted.stderr
    assert not (work / ".profilegen").exists() and (work / "profiles" / ".profilegen" / "journal").is_dir()
    said_once = invoke(capsys, *args, "--out", "profiles")
    assert "moved the journal" not in said_once.stderr


# -- 2. identity comes from the inputs ----------------------------------------------------------------


def test_identity_is_profilegens_not_the_models(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    out = tmp_path / "out"
    with FakeLLM() as server:
        server.by_title["Аналитик"] = ["alter_identity"]  # the model writes the facts too, in its own words
        assert invoke(capsys, *CRM, *_llm(server), *sample_args(tmp_path)).code == 0
        asks = [r for r in server.requests if '"title": "Аналитик"' in r["messages"][1]["content"]]
        assert len(asks) == 2 and "position_title: Extra inputs are not permitted" in asks[1]["messages"][3]["content"]
        rerun = invoke(capsys, *CRM, *_llm(server), *sample_args(tmp_path))
        assert "up to date 6" in rerun.stdout and len(server.requests) == 7, "nothing paid for twice"
    analyst = json.loads(next(out.rglob("Аналитик.json")).read_text(encoding="utf-8"))
    assert "position_title" not in analyst["profile"]
    assert analyst["profile"]["unit"].split(" / ")[-1] == "Отдел CRM"
    assert analyst["meta"]["position"]["title"] == "Аналитик"
    where = ["--out", str(out), "--org", str(SAMPLE_YAML)]
    dry = invoke(capsys, "prune", "--dry-run", *where)
    assert "would move 0 files" in dry.stdout
    workbook = invoke(capsys, "export", "xlsx", *where, "--to", str(tmp_path / "p.xlsx"))
    assert workbook.code == 0 and "(6 profiles)" in workbook.stdout


# -- 3. which organisation a folder was built from ------------------------------------------------------


def test_commands_without_org_use_the_folders_own(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    none = invoke(capsys, "generate", "--all", "--provider", "offline", "--out", str(out))
    assert none.code == 2 and "no organisation: pass --org FILE" in none.stderr and not out.exists()
    # what it says of the folder reads as a sentence (it ended «…; out records none»), and names every kind of file
    assert none.stderr.strip().endswith(f"no earlier run into {out} named one"), none.stderr
    assert "(.xlsx, .xls, .csv, .yaml, .json)" in none.stderr
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path)).code == 0
    again = invoke(capsys, "generate", "--all", "--provider", "offline", "--out", str(out), "--kpi-dir", str(KPI_DIR))
    assert again.code == 0 and "up to date 120" in again.stdout
    assert "would move 0 files" in invoke(capsys, "prune", "--dry-run", "--out", str(out)).stdout
    wrote = invoke(capsys, "export", "xlsx", "--out", str(out), "--to", str(tmp_path / "all.xlsx"))
    assert "(120 profiles)" in wrote.stdout
    other = tmp_path / "other.yaml"
    other.write_text("units:\n  - name: Бюро\n    positions: [Инженер]\n", encoding="utf-8")
    refused = invoke(capsys, "prune", "--out", str(out), "--org", str(other))
    assert refused.code == 2 and "120 of 120 profiles would be archived" in refused.stderr
    assert len(list(out.rglob("*.json"))) == 120
    empty = invoke(capsys, "export", "xlsx", "--out", str(out), "--org", str(other), "--to", str(tmp_path / "x.xlsx"))
    assert empty.code == 2 and "none of the 120 profiles" in empty.stderr and not (tmp_path / "x.xlsx").exists()
    switched = invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path, org=other))
    assert switched.code == 0 and "this folder was generated from" in switched.stderr


# -- 4. an interrupted --force run resumes -----------------------------------------------------------


def test_interrupted_force_run_continues(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM(latency=0.3) as server:
        args = [*CRM, *_llm(server), "--concurrency", "1", "--force", *sample_args(tmp_path)]
        stopped = invoke(capsys, *args, "--max-duration", "0.5s")
        assert stopped.code == 4
        first = len(server.requests)
        assert 1 <= first < 6
        rest = invoke(capsys, *args)
        assert rest.code == 0 and f"generated {6 - first}" in rest.stdout
        assert "continuing the interrupted --force run" in rest.stderr
        assert len(server.requests) == 6, "what the forced run regenerated was not paid for again"
        anew = invoke(capsys, *args)  # that forced run completed: the next --force regenerates everything
        assert anew.code == 0 and "generated 6" in anew.stdout and len(server.requests) == 12


# -- 5. personal profiles are first-class --------------------------------------------------------------


def test_personal_profiles_in_review_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    personal = [*CRM, "--position", "Аналитик", "--employee-name", "Анна Смирнова", "--provider", "offline"]
    assert invoke(capsys, *personal, *sample_args(tmp_path)).code == 0
    md = out / "Блок информационных технологий" / "Департамент информационных технологий" / "Отдел CRM"
    edited = md / "Аналитик (Анна Смирнова).md"
    edited.write_text("# правка\n", encoding="utf-8")
    assert invoke(capsys, *personal, "--force", *sample_args(tmp_path)).code == 0
    assert (md / "Аналитик (Анна Смирнова).new.md").exists()
    where = ["--org", str(SAMPLE_YAML), "--out", str(out)]
    generic = invoke(capsys, "accept", "Отдел CRM", "--position", "Аналитик", *where)
    assert "accepted 0 files" in generic.stdout
    assert "1 personal profile not included" in generic.stderr and "Аналитик (Анна Смирнова)" in generic.stderr
    anna = ["Отдел CRM", "--position", "Аналитик", "--employee-name", "Анна Смирнова", *where]
    accepted = invoke(capsys, "accept", *anna)
    assert "accepted 1 file" in accepted.stdout and edited.read_text(encoding="utf-8") != "# правка\n"
    frozen = invoke(capsys, "freeze", *anna)
    assert frozen.stdout.strip() == "froze 1 position"
    dry = json.loads(invoke(capsys, *personal, "--dry-run", "--json", *sample_args(tmp_path)).stdout)
    assert [f["position"] for f in dry["frozen"]] == ["Аналитик"]
    ambiguous = invoke(capsys, "diff", "Отдел CRM", "--employee-name", "Анна Смирнова", *where)
    assert ambiguous.code == 2 and "needs exactly one position" in ambiguous.stderr


def test_sending_the_name_is_an_input_of_a_personal_profile(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    personal = [*CRM, "--position", "Аналитик", "--employee-name", "Олег", "--provider", "offline"]
    assert invoke(capsys, *personal, *sample_args(tmp_path)).code == 0
    assert "up to date 1" in invoke(capsys, *personal, *sample_args(tmp_path)).stdout
    monkeypatch.setenv("PROFILEGEN_SEND_EMPLOYEE_NAME", "true")
    dry = json.loads(invoke(capsys, *personal, "--dry-run", "--json", *sample_args(tmp_path)).stdout)
    assert [t["reason"] for t in dry["to_generate"]] == ["inputs changed: settings"]


# -- 6. names stay out of logs ------------------------------------------------------------------------


def test_no_employee_name_in_logs_and_the_hash_is_keyed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "Анна Смирнова"
    log = tmp_path / "log.jsonl"
    personal = [*CRM, "--position", "Аналитик", "--employee-name", name, "--provider", "offline"]
    logged = ["--log-format", "json", "--log-file", str(log)]
    assert invoke(capsys, *logged, *personal, *sample_args(tmp_path)).code == 0
    edited = next((tmp_path / "out").rglob(f"Аналитик ({name}).md"))
    edited.write_text("# правка\n", encoding="utf-8")
    assert invoke(capsys, *logged, *personal, "--force", *sample_args(tmp_path)).code == 0
    text = log.read_text(encoding="utf-8")
    assert "Смирнова" not in text
    kept = [json.loads(line) for line in text.splitlines() if '"position_kept"' in line]
    (file,) = kept[0]["files"]
    assert file.startswith("Блок информационных технологий/") and "(person:" in file, "relative to OUT, name hashed"
    state = tmp_path / "out" / ".profilegen"
    secret = state / "secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    unsalted = hashlib.sha256(name.encode("utf-8")).hexdigest()
    assert unsalted[:12] not in text and unsalted[:16] not in text, "a staff list cannot be hashed to find who is who"
    journal = "".join(p.read_bytes().decode("utf-8", "replace") for p in state.rglob("*") if p.is_file())
    assert "Смирнова" not in journal and unsalted[:12] not in journal
    runs = json.loads(invoke(capsys, "jobs", "list", "--json", "--out", str(tmp_path / "out")).stdout)
    assert all("Смирнова" not in json.dumps(run, ensure_ascii=False) for run in runs)


# -- 7. records that tell the truth --------------------------------------------------------------------


def test_limits_and_counts_are_recorded_as_they_were(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    where = ["--org", str(SAMPLE_YAML), "--out", str(out)]
    assert invoke(capsys, "freeze", "Отдел CRM", *where).code == 0
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM(latency=0.3) as server:
        args = ["generate", "--all", *_llm(server), "--concurrency", "1", "--max-duration", "0.5s"]
        stopped = invoke(capsys, *args, *sample_args(tmp_path))
    assert stopped.code == 4
    run = json.loads(invoke(capsys, "jobs", "list", "--json", "--out", str(out)).stdout)[0]
    assert run["outcome"] == "duration_limit"
    counts = run["counts"]
    assert counts["frozen"] == 6
    assert counts["generated"] + counts["failed"] + counts["not_started"] == 120 - 6, "frozen ones need no work"


def test_no_usage_means_cost_unknown_not_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    monkeypatch.setenv("PROFILEGEN_PRICES", '{"input": 1.0, "output": 2.0}')
    with FakeLLM() as server:
        server.always = "no_usage"
        result = invoke(capsys, *CRM, *_llm(server), "--max-cost", "5", *sample_args(tmp_path))
    assert "cost unknown" in result.stdout
    assert "no prices set" not in result.stdout, "prices are set: the answers' usage is what is missing"
    assert result.code == 4, "--max-cost cannot be enforced blind"
    assert json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)["cost_usd"] is None


def test_unreadable_profiles_are_named(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    broken = next(out.rglob("Аналитик.json"))
    broken.write_text("{not json", encoding="utf-8")
    where = ["--out", str(out), "--org", str(SAMPLE_YAML)]
    exported = invoke(capsys, "export", "md", *where)
    assert f"{broken}: unreadable profile JSON" in exported.stderr
    smaller = tmp_path / "smaller.yaml"  # the broken file is an orphan's: prune reads what it would move
    lines = SAMPLE_YAML.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[30].strip() == "- Аналитик"
    smaller.write_text("".join(lines[:30] + lines[31:]), encoding="utf-8")
    pruned = invoke(capsys, "prune", "--dry-run", "--out", str(out), "--org", str(smaller))
    assert f"{broken}: unreadable profile JSON" in pruned.stderr and "would move 0 files" in pruned.stdout
    diff = invoke(capsys, "diff", "Отдел CRM", "--position", "Аналитик", *where)
    assert "unreadable profile JSON" in diff.stdout and "no profile on disk" not in diff.stdout


def test_regeneration_rerenders_every_format_on_disk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import docx

    out = tmp_path / "out"
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    assert invoke(capsys, "export", "docx", "--out", str(out)).code == 0
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        assert invoke(capsys, *CRM, *_llm(server), "--force", *sample_args(tmp_path)).code == 0
    document = docx.Document(str(next(out.rglob("Аналитик.docx"))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "promotion_conditions: Аналитик (Отдел CRM)" in text, "the .docx holds the new generation, not the old one"


def test_a_new_endpoint_for_the_same_model_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as first:
        assert invoke(capsys, *CRM, *_llm(first), *sample_args(tmp_path)).code == 0
    with FakeLLM() as gateway:
        moved = invoke(capsys, *CRM, *_llm(gateway), *sample_args(tmp_path))
        assert moved.code == 0 and "up to date 6" in moved.stdout and gateway.requests == []


def test_diff_sees_a_hand_edited_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke(capsys, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    md = next(out.rglob("Аналитик.md"))
    md.write_text(md.read_text(encoding="utf-8") + "\nДобавлено вручную: ведение CRM-отчётности\n", encoding="utf-8")
    diff = invoke(capsys, "diff", "Отдел CRM", "--position", "Аналитик", "--out", str(out), "--org", str(SAMPLE_YAML))
    assert "no differences" not in diff.stdout
    assert "[markdown:" in diff.stdout and "- Добавлено вручную: ведение CRM-отчётности" in diff.stdout


# -- 8. files people can read --------------------------------------------------------------------------


def _run_with_umask(mask: int, *args: str, cwd: Path) -> Result:
    def set_umask() -> None:
        os.umask(mask)

    proc = subprocess.run(
        [sys.executable, "-m", "profilegen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=set_umask,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_outputs_get_the_umask_mode_and_no_hidden_names(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text("units:\n  - name: Бюро\n    positions: ['../../../escape-a', Инженер]\n", encoding="utf-8")
    out = tmp_path / "out"
    ran = _run_with_umask(
        0o022,
        "generate",
        "--all",
        "--provider",
        "offline",
        "--org",
        str(org),
        "--out",
        str(out),
        "--format",
        "json,md,docx",
        cwd=tmp_path,
    )
    assert ran.code == 0, ran.stderr
    profiles = [p for p in out.rglob("*") if ".profilegen" not in p.parts and p.name != ".profilegen.lock"]
    files = [p for p in profiles if p.is_file() and p.name != ".profilegen-id"]
    assert len(files) == 6
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert not [p for p in profiles if p.name.startswith(".")], "nothing hidden from HR's file manager"
    assert all(p.resolve().is_relative_to(out.resolve()) for p in files)
    assert stat.S_IMODE((out / ".profilegen").stat().st_mode) == 0o700
    config = _run_with_umask(0o002, "config", "init", str(tmp_path / "profilegen.yaml"), cwd=tmp_path)
    assert config.code == 0 and stat.S_IMODE((tmp_path / "profilegen.yaml").stat().st_mode) == 0o664


def test_a_folder_copied_or_moved_to_a_longer_path_keeps_its_file_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A deep position's folder and file names are shortened to keep whole paths under 240 characters, OUT's own
    path counted: the same folder copied one character deeper read 220 of the real org's 1,689 profiles as not
    generated, and the next night generated (paid for) all 220 again beside the old files. The names are those
    of the OUT the folder was first generated in, wherever it is now."""
    long = "Управление по развитию и сопровождению информационных систем"
    title = "Ведущий специалист по сопровождению информационных систем"
    lines = ["units:"]
    for level in range(5):  # five units deep, each in the one above
        pad = "    " * level
        lines += [f"{pad}  - name: {long} {level}", f"{pad}    positions: [{title}]"]
        lines += [f"{pad}    units:"] if level < 4 else []
    units = "\n".join(lines) + "\n"
    org = tmp_path / "org.yaml"
    org.write_text(units, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke(capsys, "generate", "--all", "--provider", "offline", "--org", str(org), "--out", str(out)).code == 0
    written = sorted(p.relative_to(out) for p in out.rglob("*.json") if ".profilegen" not in p.parts)
    assert any("~" in str(p) for p in written), "the deepest names shortened"

    copy = tmp_path / "a copy of the profiles, one folder deeper" / "out"
    shutil.copytree(out, copy)
    checked = invoke(capsys, "check", "--all", "--json", "--org", str(org), "--out", str(copy))
    assert json.loads(checked.stdout)["summary"]["not_generated"] == 0
    again = invoke(capsys, "generate", "--all", "--provider", "offline", "--org", str(org), "--out", str(copy))
    assert "generated 0" in again.stdout + again.stderr
    assert sorted(p.relative_to(copy) for p in copy.rglob("*.json") if ".profilegen" not in p.parts) == written
