"""Cron and operations (issue 22): a configured server is what `auto` means, never a silent offline night;
errors and warnings in the log file with their levels; one clear line for an unreachable server or a
refused key; a closed terminal stops a run cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM

CRM = ["generate", "-d", "Отдел CRM"]


def _config(tmp_path: Path, **settings: object) -> list[str]:
    path = tmp_path / "profilegen.yaml"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return ["--config", str(path)]


def _profiles(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.json") if ".profilegen" not in p.parts)


def _log(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_a_configured_server_is_what_auto_means(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with FakeLLM() as server:
        config = _config(tmp_path, base_url=server.base_url, model="local/tiny")  # no key: a local server
        night = invoke(capsys, *config, "--quiet", *CRM, *sample_args(tmp_path))
        assert night.code == 0, night.stderr
        assert len(server.requests) == 6, "the configured server was not asked: an offline night"
        meta = json.loads(_profiles(tmp_path / "out")[0].read_text(encoding="utf-8"))["meta"]
        assert meta["generator"] == "llm" and meta["model"] == "local/tiny"


def test_a_hosted_provider_without_a_key_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config = _config(tmp_path, base_url="https://openrouter.ai/api/v1", model="openai/gpt-4o-mini")
    night = invoke(capsys, *config, "--quiet", *CRM, *sample_args(tmp_path))
    assert night.code == 2, night.stdout
    assert "PROFILEGEN_API_KEY" in night.stderr and "--provider offline" in night.stderr
    assert not _profiles(tmp_path / "out")
    drafted = invoke(capsys, *config, *CRM, "--provider", "offline", *sample_args(tmp_path))
    assert drafted.code == 0 and len(_profiles(tmp_path / "out")) == 6


def test_errors_and_warnings_reach_the_log_file_with_their_level(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "night.log"
    where = ["--log-file", str(log), "--log-format", "json", "--quiet"]
    bad = invoke(capsys, *where, "generate", "-d", "Отдел НЛО", "--provider", "offline", *sample_args(tmp_path))
    assert bad.code == 2
    last = _log(log)[-1]
    assert last["level"] == "error" and "Отдел НЛО" in str(last["message"]) and last["exit_code"] == 2
    state = tmp_path / "out" / ".profilegen"
    state.mkdir(parents=True)
    (state / "run.lock.info").write_text(json.dumps({"pid": 999_999, "started": "yesterday"}), encoding="utf-8")
    assert invoke(capsys, *where, *CRM, "--provider", "offline", *sample_args(tmp_path)).code == 0
    takeover = [e for e in _log(log) if "took over a lock" in str(e.get("message"))]
    assert takeover and takeover[0]["level"] == "warning"
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-refused-key-123")
    with FakeLLM() as server:
        server.queue = ["401"] * 20
        refused = invoke(
            capsys,
            *where,
            *CRM,
            "--force",
            "--provider",
            "openai",
            "--base-url",
            server.base_url,
            *sample_args(tmp_path),
        )
    assert refused.code == 1
    finished = [e for e in _log(log) if e["event"] == "run_finished"][-1]
    assert finished["level"] == "error" and finished["outcome"] == "aborted"
    assert "the key in PROFILEGEN_API_KEY was refused" in refused.stderr
    assert "sk-refused-key-123" not in log.read_text(encoding="utf-8") + refused.stderr


def test_an_unreachable_server_is_said_once_with_its_url(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-test")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    night = invoke(capsys, *CRM, "--provider", "openai", "--base-url", url, *sample_args(tmp_path))
    assert night.code == 1
    said = night.stdout + night.stderr
    assert said.count("cannot reach") == 1 and url in said and "base_url" in said, said


def test_a_closed_terminal_stops_a_run_cleanly(tmp_path: Path) -> None:
    with FakeLLM() as server:
        server.latency = 0.5
        args = [*CRM, "--provider", "openai", "--base-url", server.base_url, "--concurrency", "1"]
        env = {**os.environ, "PROFILEGEN_API_KEY": "sk-test"}
        command = [sys.executable, "-m", "profilegen", *args, *sample_args(tmp_path)]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGHUP)
        _, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 143, stderr
        runs = json.loads(run_cli("jobs", "list", "--json", *sample_args(tmp_path)[4:]).stdout)
        assert runs[0]["outcome"] == "interrupted", "a closed terminal was recorded as a crash"
        again = run_cli(*args, *sample_args(tmp_path), env={"PROFILEGEN_API_KEY": "sk-test"})
        assert again.code == 0 and len(_profiles(tmp_path / "out")) == 6
