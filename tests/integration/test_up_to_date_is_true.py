""" "Up to date" must be true (issue 22): the org hashed as parsed, a copied OUT, a forgotten --state-dir,
read-only commands that change nothing behind a lock, and a state folder that names its OUT."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_YAML, invoke, sample_args

CRM = ["generate", "-d", "Отдел CRM", "--provider", "offline"]


def _serve_twice(fifo: Path, first: bytes, second: bytes, stop: threading.Event) -> None:
    """Answer the first open of ``fifo`` with ``first`` and any second open with ``second``: a file replaced
    between two reads of one run."""
    for data in (first, second):
        while not stop.is_set():  # until the last reader has closed the pipe (ENXIO: no reader)
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError as exc:
                if exc.errno == errno.ENXIO:
                    break
                raise
            time.sleep(0.01)
        while not stop.is_set():  # until a new reader opens it
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:
                    raise
                time.sleep(0.01)
                continue
            os.set_blocking(fd, True)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            break


def test_the_org_is_hashed_as_it_was_parsed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    before = SAMPLE_YAML.read_bytes()
    crm = "              - title: Разработчик\n                headcount: 3"
    after = before.replace(crm.encode(), crm.replace("3", "4").encode())
    assert after != before
    org = tmp_path / "org.yaml"
    os.mkfifo(org)
    stop = threading.Event()
    server = threading.Thread(target=_serve_twice, args=(org, before, after, stop), daemon=True)
    server.start()
    try:
        first = invoke(capsys, *CRM, *sample_args(tmp_path, org=org))
    finally:
        stop.set()
        server.join(5)
    assert first.code == 0, first.stderr
    org.unlink()
    org.write_bytes(after)  # what a second read of the first night saw is what the second night reads
    night = invoke(capsys, *CRM, *sample_args(tmp_path, org=org))
    assert night.code == 0, night.stderr
    assert "up to date 6" not in night.stdout, "the edited org was called up to date"
    assert "generated 0," not in night.stdout, "the headcount 3 → 4 changed what the CRM profiles say"


def _bound(tmp_path: Path, out: Path, state: Path) -> list[str]:
    return ["--org", str(SAMPLE_YAML), "--out", str(out), "--state-dir", str(state)]


def test_a_copied_output_folder_is_a_new_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    assert invoke(capsys, *CRM, *_bound(tmp_path, out, state)).code == 0
    copy = tmp_path / "copy"
    shutil.copytree(out, copy, symlinks=True)  # cp -a: the binding file comes along
    refused = invoke(capsys, *CRM, *_bound(tmp_path, copy, state))
    assert refused.code == 2, refused.stdout
    assert str(out.resolve()) in refused.stderr and "copy" in refused.stderr
    # a moved folder is still the same folder
    moved = tmp_path / "moved"
    shutil.rmtree(copy)
    out.rename(moved)
    again = invoke(capsys, *CRM, *_bound(tmp_path, moved, state))
    assert again.code == 0 and "up to date 6" in again.stdout, again.stderr


def test_a_forgotten_state_dir_uses_the_journal_out_is_bound_to(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    assert invoke(capsys, *CRM, *_bound(tmp_path, out, state)).code == 0
    forgot = invoke(capsys, *CRM, "--org", str(SAMPLE_YAML), "--out", str(out))
    assert forgot.code == 0, forgot.stderr
    assert "up to date 6" in forgot.stdout, "a new journal regenerated what the bound one vouches for"
    assert not (out / ".profilegen").exists()
    assert not list(out.rglob("*.new")), ".new files written beside every profile"
    assert invoke(capsys, *CRM, *_bound(tmp_path, out, state)).code == 0, "the proper command still works"
    shutil.rmtree(state)  # the bound journal is gone: refuse before anything is sent
    lost = invoke(capsys, *CRM, "--org", str(SAMPLE_YAML), "--out", str(out))
    assert lost.code == 2 and str(state.resolve()) in lost.stderr


def test_a_state_folder_alone_names_its_out(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "state"
    assert invoke(capsys, *CRM, *_bound(tmp_path, out, state)).code == 0
    stats = invoke(capsys, "stats", "--state-dir", str(state))
    assert stats.code == 0 and "done 6" in stats.stdout, stats.stderr
    listed = invoke(capsys, "jobs", "list", "--state-dir", str(state))
    assert listed.code == 0, listed.stderr


def test_read_only_commands_leave_an_old_journal_to_the_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    work = Path.cwd()
    out = tmp_path / "out"
    assert invoke(capsys, *CRM, *sample_args(tmp_path)).code == 0
    shutil.move(str(out / ".profilegen"), str(work / ".profilegen"))  # the journal as profilegen 0.1 kept it
    listed = invoke(capsys, "jobs", "list", "--out", str(out))
    assert (work / ".profilegen" / "journal").is_dir(), "a read-only command moved the journal"
    assert listed.code == 0 and "generate" in (listed.stdout + listed.stderr)
    moved = invoke(capsys, *CRM, *sample_args(tmp_path))
    assert moved.code == 0 and "up to date 6" in moved.stdout, moved.stderr
    assert (out / ".profilegen" / "journal").is_dir()


def test_orphans_are_counted_the_same_by_stats_generate_and_prune(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    assert invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path, org=org)).code == 0
    for profile in (tmp_path / "out").rglob("Тестировщик.*"):
        profile.unlink()  # an orphan-to-be whose files are gone: nothing left for prune to move
    org.write_text(org.read_text(encoding="utf-8").replace("Тестировщик", "Инженер по тестированию"), "utf-8")
    night = invoke(capsys, "generate", "--all", "--provider", "offline", *sample_args(tmp_path, org=org))
    pruned = invoke(capsys, "prune", "--dry-run", *sample_args(tmp_path, org=org)[:2], "--out", str(tmp_path / "out"))
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)
    counted = [line for line in (night.stdout + night.stderr).splitlines() if "no longer in the org" in line]
    assert stats["orphans"] == 0 and not counted, (stats["orphans"], counted, pruned.stdout)
