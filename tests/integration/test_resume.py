"""Crash-only runs: kill -9 at random moments, Ctrl-C, SIGTERM — rerun finishes without paying twice."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from profilegen.journal import Journal
from tests.conftest import KPI_DIR, run_cli
from tests.fake_llm import FakeLLM, position_data
from tests.helpers import check_profile

KEY = "sk-resume-test"


def write_org(path: Path, units: int, titles: int) -> None:
    lines = ["units:"]
    for unit in range(units):
        lines += [f"  - name: Отдел {unit}", "    positions:"]
        lines += [f"      - Должность {title}" for title in range(titles)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def key_of(request: dict[str, object]) -> tuple[tuple[str, ...], str]:
    data = position_data(request)  # type: ignore[arg-type]
    return tuple(data["unit_path"]), data["title"]


def done_keys(out: Path) -> set[tuple[tuple[str, ...], str]]:
    found = set()
    for path in out.rglob("*.json"):
        if path.name.startswith("."):  # the OUT lock's own note
            continue
        doc = json.loads(path.read_text(encoding="utf-8"))
        found.add((tuple(doc["meta"]["position"]["unit_path"]), doc["meta"]["position"]["title"]))
    return found


def command(org: Path, tmp_path: Path, base_url: str, concurrency: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "profilegen",
        "-q",
        "generate",
        "--all",
        "--provider",
        "openai",
        "--org",
        str(org),
        "--kpi-dir",
        str(KPI_DIR),
        "--out",
        str(tmp_path / "out"),
        "--state-dir",
        str(tmp_path / "state"),
        "--base-url",
        base_url,
        "--concurrency",
        str(concurrency),
    ]


def children(pid: int) -> set[int]:
    """The child processes of ``pid`` (its writer process, when it has one)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.update(int(c) for c in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["process", "thread"])
def test_kill_9_five_times_then_finish(tmp_path: Path, writer: str) -> None:
    """The run killed outright: its writer process (if any) ends by itself, nothing is paid for twice."""
    org = tmp_path / "org.yaml"
    write_org(org, units=20, titles=10)
    env = {**os.environ, "PROFILEGEN_API_KEY": KEY, "PROFILEGEN_WRITER_PROCESS": "on" if writer == "process" else "off"}
    orphans: list[int] = []
    rng = random.Random(20261127)
    concurrency = 4
    with FakeLLM(latency=0.04) as server:
        cmd = command(org, tmp_path, server.base_url, concurrency)
        kills = 0
        done_before: list[set[tuple[tuple[str, ...], str]]] = []
        request_marks: list[int] = []
        for _ in range(5):
            before = len(server.requests)
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            # wait until this run has sent something, then kill it at a random moment
            while len(server.requests) == before and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.05, 0.6))
            if proc.poll() is None:
                left = children(proc.pid)
                proc.send_signal(signal.SIGKILL)
                kills += 1
                orphans += left
            proc.wait()
            assert proc.stderr is not None
            proc.stderr.close()
            done_before.append(done_keys(tmp_path / "out"))
            request_marks.append(len(server.requests))
        final = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert final.returncode == 0, final.stderr
        requests = [key_of(r) for r in server.requests]
    assert kills >= 3, "the kills must land while the run is working"
    if writer == "process":
        assert orphans, "the runs killed had a writer process"
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in orphans) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in orphans if alive(pid)], "a killed run's writer process ends by itself"
    out = tmp_path / "out"
    documents = [p for p in out.rglob("*.json") if not p.name.startswith(".")]
    assert len(documents) == 200
    for path in documents:
        check_profile(json.loads(path.read_text(encoding="utf-8")))
    assert not list(out.rglob("*.tmp")), "no temp files left behind"
    for round_index, done in enumerate(done_before):
        later = requests[request_marks[round_index] :]
        assert not done & set(later), f"a position completed before kill {round_index + 1} was requested again"
    repeats = sum(count - 1 for count in Counter(requests).values())
    assert repeats <= kills * concurrency
    with Journal(tmp_path / "state") as journal:
        assert {r["status"] for _, r in journal.positions()} == {"done"}
        outcomes = Counter(r["outcome"] for r in journal.runs())
    assert outcomes["completed"] == 1 and "running" not in outcomes, "a killed run is not 'running' forever"
    assert outcomes["crashed"] >= kills - 1, "each run killed while it held the journal is closed as crashed"


@pytest.mark.parametrize("writer", ["on", "off"])
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_stops_cleanly_and_rerun_continues(tmp_path: Path, sig: signal.Signals, code: int, writer: str) -> None:
    org = tmp_path / "org.yaml"
    write_org(org, units=2, titles=10)
    env = {**os.environ, "PROFILEGEN_API_KEY": KEY, "PROFILEGEN_WRITER_PROCESS": writer}
    with FakeLLM(latency=0.4) as server:
        cmd = command(org, tmp_path, server.base_url, 2)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(server.requests) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=30)
        assert proc.returncode == code, stderr
        assert "run stopped (" in stderr and "not started" in stderr
        assert "generated" in stdout, "a summary is printed"
        with Journal(tmp_path / "state") as journal:
            statuses = Counter(r["status"] for _, r in journal.positions())
            runs = journal.runs()
        assert "running" not in statuses
        assert runs[0]["outcome"] == "interrupted"
        done = done_keys(tmp_path / "out")
        first_requests = len(server.requests)
        rerun = run_cli(*cmd[3:], env=env)
        assert rerun.code == 0, rerun.stderr
        later = [key_of(r) for r in server.requests[first_requests:]]
        assert not done & set(later)
        assert len(done_keys(tmp_path / "out")) == 20


def test_journaled_answer_is_exported_without_a_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import invoke

    org = tmp_path / "org.yaml"
    write_org(org, units=1, titles=3)
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        args = [a for a in command(org, tmp_path, server.base_url, 1)[3:] if a != "-q"]  # the summary is wanted
        assert invoke(capsys, *args).code == 0
        # simulate a crash after the answer was journaled but before the files were written
        victim = next((tmp_path / "out").rglob("Должность 1.json"))
        victim.unlink()
        victim.with_suffix(".md").unlink()
        with Journal(tmp_path / "state") as journal:
            key = next(k for k, r in journal.positions() if r["title"] == "Должность 1")
            from profilegen.template.loader import load_template

            template = load_template()
            profile = json.loads(victim.parent.joinpath("Должность 0.json").read_text())["profile"]
            written = {f.key: profile[f.key] for f in template.written}  # what the model wrote, no facts
            written["software"] = written["software"][3:]  # without the standard package profilegen adds
            raw = json.dumps(written, ensure_ascii=False).replace("Должность 0", "Должность 1")
            journal.update_position(key, status="running", raw_answer=raw)
        before = len(server.requests)
        result = invoke(capsys, *args)
        assert result.code == 0
        assert "exported from journal 1" in result.stdout
        assert len(server.requests) == before
        assert victim.exists() and victim.with_suffix(".md").exists()


def profiles_of(out: Path) -> dict[str, object]:
    """Every profile under OUT by relative path, its meta's timings left out."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        if path.is_dir() or ".profilegen" in path.parts or path.name.startswith("."):
            continue
        if path.suffix == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            for volatile in ("generated_at", "duration_s"):
                doc["meta"].pop(volatile)
            found[path.relative_to(out).as_posix()] = doc
        else:
            text = path.read_text(encoding="utf-8")
            found[path.relative_to(out).as_posix()] = [line for line in text.splitlines() if "generated_at" not in line]
    return found


def test_a_writer_process_writes_what_the_thread_writes(tmp_path: Path) -> None:
    """`writer_process: on` (a large run's writer) and `off` give the same files, journal and summary; so does
    a run that keeps no context from planning (`contexts_kept: 0`, as a run beyond 20,000 positions does for
    the rest) and makes each again in its turn."""
    org = tmp_path / "org.yaml"
    write_org(org, units=3, titles=7)
    results = {}
    with FakeLLM() as server:
        for writer, kept in (("on", ""), ("off", ""), ("on", "0")):
            env = {
                **os.environ,
                "PROFILEGEN_API_KEY": KEY,
                "PROFILEGEN_WRITER_PROCESS": writer,
                "PROFILEGEN_CONTEXTS_KEPT": kept,
            }
            run = tmp_path / (writer + kept)
            cmd = command(org, run, server.base_url, 4)
            done = subprocess.run([*cmd[:3], *cmd[4:]], env=env, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
            with Journal(run / "state") as journal:
                records = {
                    k: (r["status"], sorted(r["file_hashes"]), r["fingerprint_parts"]) for k, r in journal.positions()
                }
            results[writer + kept] = (
                profiles_of(run / "out"),
                records,
                done.stdout.replace(str(run), "RUN").splitlines()[-3:],
            )
    assert len(results["on"][0]) == 2 * 21 and len(results["on"][1]) == 21
    assert results["on"] == results["off"] == results["on0"]
