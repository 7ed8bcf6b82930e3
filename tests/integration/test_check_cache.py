"""`check` remembers what it found in each profile file: a file unchanged since, under the same inputs, is not
read again (a check of 100,000 profiles read every one, about a minute, however few the night changed)."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import KPI_DIR, SAMPLE_YAML, invoke, run_cli, sample_args

UNIT = "Отдел CRM"
CACHE = Path(".profilegen") / "check-cache.pickle"


@pytest.fixture
def out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Path:
    """Offline drafts of the sample organisation, written an hour ago (as a night's profiles are by morning)."""
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path)).code == 0
    _age(tmp_path / "out")
    return tmp_path / "out"


def _age(out: Path, seconds: float = 3600) -> None:
    """The profiles and their folders made ``seconds`` ago."""
    when = time.time() - seconds
    for path in sorted(out.rglob("*"), key=lambda p: -len(p.parts)):  # a folder after what it holds
        if CACHE.parent.name not in path.parts:
            os.utime(path, (when, when))


def _garbled(path: Path) -> None:
    """The file overwritten with garbage that keeps its stamp: only what trusts the stamp does not notice it."""
    stat = path.stat()
    path.write_bytes(b"\0" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _generated(capsys: pytest.CaptureFixture[str], args: list[str], org: Path) -> None:
    """Offline drafts made by ``args``, aged an hour with the org file they were made from."""
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *args).code == 0
    _age(Path(args[args.index("--out") + 1]))
    os.utime(org, (time.time() - 3600, time.time() - 3600))


def _target_changed(kpi: Path) -> None:
    """One target of `sales.md` changed: the facts of the positions it serves, and no others."""
    sales = kpi / "sales.md"
    before = sales.read_text(encoding="utf-8")
    after = before.replace("| Конверсия обращений в сделки | 8 |", "| Конверсия обращений в сделки | 9 |")
    assert after != before
    sales.write_text(after, encoding="utf-8")


def _restored(path: Path, kept: bytes) -> None:
    """The file's bytes put back, its stamp as it is."""
    stat = path.stat()
    path.write_bytes(kept)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def _check(capsys: pytest.CaptureFixture[str], out: Path, *before: str) -> tuple[int, dict[str, Any]]:
    result = invoke(capsys, *before, "check", "--all", "--json", *sample_args(out.parent))
    assert result.code in (0, 1), result.stderr
    return result.code, json.loads(result.stdout)


def _profile(out: Path, title: str) -> Path:
    return next(p for p in out.rglob(f"{title}.json") if CACHE.parent.name not in p.parts)


def test_a_second_check_answers_the_same_without_reading_unchanged_profiles(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    first = _check(capsys, out)
    assert (out / CACHE).is_file()
    assert first[1]["summary"]["profiles"] > 20
    assert _check(capsys, out) == first, "the same answer from what the first check recorded"

    # a file of the same size and modification time is taken as unchanged: it is not read (garbage, were it)
    path = _profile(out, "Руководитель отдела")
    _garbled(path)
    again = _check(capsys, out)
    assert again == first and again[1]["summary"]["unreadable"] == []


def test_an_edited_profile_is_read_again_and_its_new_findings_shown(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    _code, before = _check(capsys, out)
    path = _profile(out, "Руководитель отдела")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profile"]["responsibilities"][0]["items"].append("Как правило, вести отчеты, например, в Excel и т.п.")
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _code, after = _check(capsys, out)
    generic = [f for f in after["findings"] if f["rule"] == "generic_markers" and f["title"] == "Руководитель отдела"]
    assert generic and "например" in generic[0]["detail"]
    assert after["summary"]["findings"] > before["summary"]["findings"]

    path.write_text("{broken", encoding="utf-8")  # a file made unreadable since is said to be so
    _age(out)
    _code, broken = _check(capsys, out)
    assert len(broken["summary"]["unreadable"]) == 1 and "Руководитель отдела" in broken["summary"]["unreadable"][0]


def test_changed_inputs_or_settings_check_every_profile_again(
    capsys: pytest.CaptureFixture[str], out: Path, tmp_path: Path
) -> None:
    _code, before = _check(capsys, out)
    assert not any(f["rule"] == "generic_markers" for f in before["findings"])
    # an offline draft says «Отдел CRM» throughout: a marker the settings now count, in every profile
    config = tmp_path / "profilegen.yaml"
    config.write_text("check:\n  generic_markers: ['отдел']\n", encoding="utf-8")
    _code, after = _check(capsys, out, "--config", str(config))
    assert sum(f["rule"] == "generic_markers" for f in after["findings"]) >= after["summary"]["profiles"] // 2


def test_a_file_written_moments_before_the_check_is_not_trusted_by_its_stamp(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    """Within the file system's clock tick a rewrite of the same size keeps its stamp: a file modified moments
    before a check is read again by the next one (git's racily clean entries, the same way)."""
    path = _profile(out, "Руководитель отдела")
    os.utime(path)  # modified just now
    _check(capsys, out)
    stat = path.stat()
    path.write_bytes(b"\0" * stat.st_size)  # rewritten within the tick: the same size, the same stamp
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    _code, after = _check(capsys, out)
    assert len(after["summary"]["unreadable"]) == 1


def test_a_state_folder_that_cannot_take_the_record_only_makes_the_next_check_slower(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    (out / CACHE).mkdir()  # where the record goes, a folder: it can be neither read nor replaced
    first = _check(capsys, out)
    assert _check(capsys, out) == first
    (out / CACHE).rmdir()
    last = out / ".profilegen" / "check-last.pickle"
    for record in (out / CACHE, last):  # a damaged record is checked past, and replaced
        record.write_bytes(b"not a pickle")
    assert _check(capsys, out) == first
    assert (out / CACHE).read_bytes() != b"not a pickle" and last.read_bytes() != b"not a pickle"


def test_nothing_changed_gives_the_last_answer_without_loading_anything(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """With every file and folder the last check read as it was, its answer is given again: the organisation
    is not even loaded (100,000 positions take seconds) — shown here by an org file overwritten with garbage
    that keeps its stamp. A profile removed since changes its folder's stamp: that check is made anew."""
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    args = sample_args(tmp_path, org=org)
    _generated(capsys, args, org)
    out = tmp_path / "out"
    first = invoke(capsys, "check", "--all", "--json", *args)
    assert (out / ".profilegen" / "check-last.pickle").is_file()

    original = org.read_bytes()
    _garbled(org)
    again = invoke(capsys, "check", "--all", "--json", *args)
    assert (again.code, again.stdout) == (first.code, first.stdout)
    org.write_bytes(original)

    removed = _profile(out, "Руководитель отдела")
    removed.unlink()
    after = json.loads(invoke(capsys, "check", "--all", "--json", *args).stdout)
    assert after["summary"]["not_generated"] == json.loads(first.stdout)["summary"]["not_generated"] + 1


def test_the_cron_recipes_unapproved_check_uses_the_records_and_follows_approvals(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    """`check --all --unapproved` (the README's morning recipe) takes unchanged files from the records too, and
    an approval or an edit since is followed: approved profiles left out, one changed since its approval back."""
    first = _check(capsys, out, *())
    unapproved = invoke(capsys, "check", "--all", "--json", "--unapproved", *sample_args(out.parent))
    assert json.loads(unapproved.stdout) == first[1], "nothing approved yet: every profile checked"
    assert invoke(capsys, "approve", UNIT, "--by", "Иванова А.А.", "--out", str(out)).code == 0
    after = json.loads(invoke(capsys, "check", "--all", "--json", "--unapproved", *sample_args(out.parent)).stdout)
    assert after["summary"]["approved_skipped"] == 6
    assert after["summary"]["profiles"] == first[1]["summary"]["profiles"] - 6
    assert not any(f["unit_path"][-1] == UNIT for f in after["findings"])

    # unchanged files are not read: garbage of the same size and modification time is not noticed
    path = next(p for p in sorted(out.rglob("*.json")) if p.parent.name == UNIT)
    outside = next(p for p in out.rglob("*.json") if UNIT not in str(p) and CACHE.parent.name not in p.parts)
    _garbled(outside)
    again = json.loads(invoke(capsys, "check", "--all", "--json", "--unapproved", *sample_args(out.parent)).stdout)
    assert again == after

    # a profile changed since its approval is checked again
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profile"]["responsibilities"][0]["items"].append("Как правило, вести отчеты, например, в Excel.")
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    os.utime(path, (time.time() - 1800, time.time() - 1800))  # rewritten in place: its folder is as it was
    changed = json.loads(invoke(capsys, "check", "--all", "--json", "--unapproved", *sample_args(out.parent)).stdout)
    assert changed["summary"]["approved_skipped"] == 5
    assert any(f["rule"] == "generic_markers" and f["unit_path"][-1] == UNIT for f in changed["findings"])


def test_near_duplicates_after_a_few_profiles_changed_are_the_ones_a_full_check_finds(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    """The texts not read again bring their recorded sketches to the near-duplicate search: a profile rewritten
    as a copy of another joins it there, as a check without records finds; a profile written again with the
    same text keeps the groups."""
    _code, before = _check(capsys, out)
    source, target = _profile(out, "Руководитель отдела"), _profile(out, "Инженер DevOps")
    copied = json.loads(source.read_text(encoding="utf-8"))["profile"]
    document = json.loads(target.read_text(encoding="utf-8"))
    document["profile"] = copied
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    _age(out, 1800)
    _code, after = _check(capsys, out)
    groups = after["summary"]["near_duplicate_groups"]
    assert groups != before["summary"]["near_duplicate_groups"]
    assert any(
        any(label.endswith("— Руководитель отдела") for label in g["positions"])
        and any(label.endswith("— Инженер DevOps") for label in g["positions"])
        for g in groups
    )
    for record in (CACHE, CACHE.with_name("check-last.pickle")):
        (out / record).unlink()
    assert _check(capsys, out)[1] == after, "the same as a check that reads every profile"

    os.utime(target)  # written again, the same text: read again, the groups kept
    _age(out, 900)
    assert _check(capsys, out)[1] == after


def _edit(path: Path, line: str) -> None:
    """A task added to the profile in place, the file then aged (settled: the check records it)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document["profile"]["responsibilities"][0]["items"].append(line)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    os.utime(path, (time.time() - 1800, time.time() - 1800))


def test_a_check_after_a_few_changes_records_only_them_and_answers_as_a_full_check(
    capsys: pytest.CaptureFixture[str], out: Path
) -> None:
    """A night that changed a few of 100,000 profiles left the check rewriting every file's record (half a second
    at that size): only what changed is written, beside the records, and read back with them; many changes
    write the records anew in one file."""
    _check(capsys, out)
    base = (out / CACHE).read_bytes()
    _edit(_profile(out, "Руководитель отдела"), "Как правило, вести отчеты, например, в Excel.")
    first = _check(capsys, out)
    assert (out / CACHE).read_bytes() == base, "the records of unchanged files are not written again"
    edited = _profile(out, "Руководитель отдела")
    os.utime(edited)  # touched just now: recorded beside the records, now not to be trusted by its stamp
    _edit(_profile(out, "Инженер DevOps"), "Обычно согласовывать планы и т.д.")
    changes = out / CACHE.with_name("check-cache-changes.pickle")
    os.utime(changes, (0, 0))
    second = _check(capsys, out)
    assert changes.stat().st_mtime > 0, "what changed written again, without the file touched"
    os.utime(edited, (time.time() - 1200, time.time() - 1200))
    assert second != first and (out / CACHE).read_bytes() == base
    assert _check(capsys, out) == second
    (out / CACHE.with_name("check-last.pickle")).unlink()  # no answer to give again: each file from the records
    assert _check(capsys, out) == second
    assert changes.is_file()
    changes.write_bytes(b"not a pickle")  # damaged: the files it recorded are read again
    (out / CACHE.with_name("check-last.pickle")).unlink()
    assert _check(capsys, out) == second
    for record in (out / CACHE.parent).glob("check-*.pickle"):
        record.unlink()
    assert _check(capsys, out) == second, "the same as a check that reads every profile"

    for path in sorted(p for p in out.rglob("*.json") if CACHE.parent.name not in p.parts):
        _edit(path, "Обязанность, добавленная всем")  # most files changed: the records written anew, whole
    base = (out / CACHE).read_bytes()
    everything = _check(capsys, out)
    assert (out / CACHE).read_bytes() != base and not list((out / CACHE.parent).glob("check-cache-*.pickle"))
    for record in (out / CACHE.parent).glob("check-*.pickle"):
        record.unlink()
    assert _check(capsys, out) == everything


def test_the_records_serve_a_check_however_its_paths_are_spelled(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An analyst in the project folder names `--out out`, cron names the same folder by its absolute path: the
    same check, and the records of one serve the other (they were keyed by the spelling: a cold check each)."""
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    monkeypatch.chdir(tmp_path)
    relative = ["--org", "org.yaml", "--kpi-dir", os.path.relpath(KPI_DIR, tmp_path), "--out", "out"]
    _generated(capsys, relative, org)
    first = invoke(capsys, "check", "--all", "--json", *relative)

    _garbled(org)
    again = invoke(capsys, "check", "--all", "--json", *sample_args(tmp_path, org=org))
    assert (again.code, again.stdout) == (first.code, first.stdout)


def test_a_new_model_or_pace_in_the_settings_keeps_the_records(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How the model is asked (which model, how fast, how often retried) decides no finding: a new model named in
    profilegen.yaml leaves the check's records and its last answer standing (it made every profile read again)."""
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    monkeypatch.chdir(tmp_path)
    settings = tmp_path / "profilegen.yaml"
    settings.write_text("model: vendor/model-a\nconcurrency: 4\n", encoding="utf-8")
    args = sample_args(tmp_path, org=org)
    _generated(capsys, args, org)
    first = invoke(capsys, "check", "--all", "--json", *args)

    settings.write_text(
        "model: vendor/model-b\nconcurrency: 32\ntemperature: 0.7\nmax_attempts: 9\nrpm: 120\n", encoding="utf-8"
    )
    _garbled(org)
    again = invoke(capsys, "check", "--all", "--json", *args)
    assert (again.code, again.stdout) == (first.code, first.stdout)

    settings.write_text("model: vendor/model-b\nprepared_by: Иванова И. И.\n", encoding="utf-8")  # a fact: read anew
    assert invoke(capsys, "check", "--all", "--json", *args).code == 2  # the garbage org, now read


def test_a_report_leaves_the_records_the_next_check_answers_from(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`report` checks every profile as `check` does, on both cores and from the same records: what it found is
    the next check's answer (a report read every profile and its journal record one by one, and kept nothing)."""
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    args = sample_args(tmp_path, org=org)
    _generated(capsys, args, org)
    assert invoke(capsys, "report", "--to", str(tmp_path / "review.html"), *args).code == 0

    _garbled(org)
    again = invoke(capsys, "check", "--all", "--json", *args)
    assert again.code == 0
    assert json.loads(again.stdout)["summary"]["profiles"] == len(list((tmp_path / "out").rglob("*.json")))


def _say_generically(path: Path) -> None:
    """A task of the profile made a generic phrase, the file's size and modification time kept (its stamp)."""
    raw, stat = path.read_bytes(), path.stat()
    areas = (v for v in json.loads(raw)["profile"].values() if isinstance(v, list) and v and isinstance(v[0], dict))
    tasks = (t for area in next(areas) for t in area.get("items") or [] if isinstance(t, str))
    task = next(t for t in tasks if len(t.encode()) > 20 and f'"{t}"'.encode() in raw).encode()
    said = "обычно".encode()
    path.write_bytes(raw.replace(b'"' + task + b'"', b'"' + said + b" " * (len(task) - len(said)) + b'"', 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def test_an_input_changed_reads_the_facts_again_and_keeps_what_the_texts_said(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A KPI file edited changes positions' facts, not what their profiles say: the next check reads every
    profile against the new facts, and takes what only its text decides (generic phrases, sections, repeated
    tasks, shingles) from the records for a file unchanged since (every file was checked in full again)."""
    kpi = tmp_path / "kpi"
    shutil.copytree(KPI_DIR, kpi)
    args = sample_args(tmp_path, kpi=kpi)
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *args).code == 0
    out = tmp_path / "out"
    _age(out)
    first = invoke(capsys, "check", "--all", "--json", *args)
    assert first.code == 0 and "facts_mismatch" not in first.stdout

    profile = _profile(out, "Менеджер по продажам")
    _say_generically(profile)  # seen by a check that reads its text, not by one that trusts its stamp
    _target_changed(kpi)
    again = invoke(capsys, "check", "--all", "--json", *args)
    (out / CACHE).unlink()
    cold = invoke(capsys, "check", "--all", "--json", *args)

    found, everything = json.loads(again.stdout), json.loads(cold.stdout)
    mismatches = [f for f in found["findings"] if f["rule"] == "facts_mismatch"]
    assert len(mismatches) >= 2, "the new facts are read"
    generic = [f for f in everything["findings"] if f["rule"] == "generic_markers"]
    assert [f["title"] for f in generic] == ["Менеджер по продажам"], "a check that reads the text sees the phrase"

    def groups(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # a near-duplicate group's similarity is that of the texts read: with the edited text's, its group's may differ
        return [{**f, "detail": re.sub(r"сходство ≥ [\d.]+", "сходство ≥ …", f["detail"])} for f in findings]

    assert groups(found["findings"]) == groups([f for f in everything["findings"] if f not in generic])


@pytest.mark.parametrize("edited", ["a KPI file", "the org"])
def test_an_input_changed_reads_only_the_profiles_whose_facts_it_changed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edited: str
) -> None:
    """A KPI file edited changes the facts of the positions it serves, and the org edited in one unit (two more
    sales managers) those of the positions around it, and no others: a profile whose position's facts are as they
    were, unchanged since, is not read again (a target changed in one KPI file made a check of 100,000 profiles
    read every one for its facts: 27 s); the answer is a full check's."""
    kpi, org = tmp_path / "kpi", tmp_path / "org.yaml"
    shutil.copytree(KPI_DIR, kpi)
    shutil.copy(SAMPLE_YAML, org)
    args = sample_args(tmp_path, org=org, kpi=kpi)
    _generated(capsys, args, org)
    out = tmp_path / "out"
    assert invoke(capsys, "check", "--all", "--json", *args).code == 0

    crm = _profile(out, "Отдел CRM/Руководитель отдела")  # its KPIs come from dit.md, its unit is far from sales
    kept = crm.read_bytes()
    _garbled(crm)
    if edited == "a KPI file":
        _target_changed(kpi)
    else:
        text = org.read_text(encoding="utf-8")
        more = text.replace("по продажам\n                headcount: 2", "по продажам\n                headcount: 4")
        assert more != text
        org.write_text(more, encoding="utf-8")
    again = invoke(capsys, "check", "--all", "--json", *args)
    found = json.loads(again.stdout)
    assert found["summary"]["unreadable"] == [], "a profile whose facts did not change is not read"
    assert any(f["rule"] == "facts_mismatch" for f in found["findings"]), "the new facts are read"

    _restored(crm, kept)  # the file as it was, to compare with a check that reads everything
    (out / CACHE).unlink()
    cold = invoke(capsys, "check", "--all", "--json", *args)
    assert (again.code, found) == (cold.code, json.loads(cold.stdout))


def test_personal_profiles_after_an_input_change_are_read_as_their_positions_facts_say(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A position's personal profiles share its facts: after a KPI target edit, a sales manager's own profile is
    read against the new facts, while an analyst's elsewhere, unchanged since, is not read at all."""
    kpi = tmp_path / "kpi"
    shutil.copytree(KPI_DIR, kpi)
    args = sample_args(tmp_path, kpi=kpi)
    people = (
        ("Коммерческий департамент/Отдел продаж", "Менеджер по продажам", "Иван Петров"),
        ("Отдел CRM", "Аналитик", "Анна Смирнова"),
    )
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *args).code == 0
    for unit, title, name in people:
        made = invoke(
            capsys, "generate", "-d", unit, "--position", title, "--employee-name", name, *args, "--provider", "offline"
        )
        assert made.code == 0
    out = tmp_path / "out"
    _age(out)
    assert invoke(capsys, "check", "--all", "--json", *args).code == 0

    anna = _profile(out, "Отдел CRM/Аналитик (Анна Смирнова)")
    kept = anna.read_bytes()
    _garbled(anna)
    _target_changed(kpi)
    again = invoke(capsys, "check", "--all", "--json", *args)
    found = json.loads(again.stdout)
    assert found["summary"]["unreadable"] == [], "a personal profile whose position's facts are as they were"
    ivan = [f for f in found["findings"] if f["employee"] == "Иван Петров" and f["rule"] == "facts_mismatch"]
    assert ivan, "the sales manager's own profile is read against the new target"

    _restored(anna, kept)
    (out / CACHE).unlink()
    cold = invoke(capsys, "check", "--all", "--json", *args)
    assert (again.code, found) == (cold.code, json.loads(cold.stdout))


def test_a_check_stopped_by_ctrl_c_keeps_what_it_checked(tmp_path: Path) -> None:
    """Ctrl-C in the middle of a check: exit 130, and the profiles checked so far are recorded — the next check
    takes them from the records (a garbled file with its stamp kept is not read) and answers as a full check."""
    import signal
    import subprocess
    import sys

    units = [
        {"name": f"Отдел {n}", "positions": [f"Специалист {n}-{k}" for k in range(15)]} for n in range(1, 31)
    ]  # 450 positions: the check reads them 200 at a time
    org = tmp_path / "org.yaml"
    org.write_text(json.dumps({"units": [{"name": "Компания", "units": units}]}, ensure_ascii=False), "utf-8")
    args = ["--org", str(org), "--kpi-dir", str(KPI_DIR), "--out", str(tmp_path / "out")]
    out = tmp_path / "out"
    assert run_cli("generate", "--all", "--provider", "offline", *args).code == 0
    _age(out)
    check = [sys.executable, "-m", "profilegen", "check", "--all", "--json", *args]
    full = subprocess.run(check, capture_output=True, text=True, check=False)
    assert full.returncode in (0, 1), full.stderr
    for record in (out / ".profilegen").glob("check-*.pickle"):
        record.unlink()

    # the last unit's first profile a pipe nobody writes to yet: the check waits on it, 400 profiles on
    late = next(out.rglob("Специалист 30-0.json"))
    kept, stamp = late.read_bytes(), late.stat()
    late.unlink()
    os.mkfifo(late)
    stopped = subprocess.Popen(check, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    writer = None
    try:
        deadline = time.monotonic() + 60
        while writer is None and time.monotonic() < deadline:  # opened for writing once the check opened it
            try:
                writer = os.open(late, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.05)
        assert writer is not None, "the check never reached the pipe"
        time.sleep(0.3)  # reading it now
        stopped.send_signal(signal.SIGINT)
        _, said = stopped.communicate(timeout=60)
    finally:
        if writer is not None:
            os.close(writer)
        stopped.kill()
    assert stopped.returncode == 130, said
    assert said.strip().splitlines()[-1] == "error: interrupted; what was done is kept: run the same command again"
    late.unlink()
    late.write_bytes(kept)
    os.utime(late, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))

    _garbled(next(out.rglob("Специалист 1-0.json")))  # checked before the stop: taken from the records
    again = subprocess.run(check, capture_output=True, text=True, check=False)
    assert again.returncode == full.returncode, again.stderr
    assert json.loads(again.stdout) == json.loads(full.stdout)
