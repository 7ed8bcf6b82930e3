"""llama.cpp's real `llama-server` (issue 17): built from source by the project's own files
(`tests/llama_server.py`, cached in ~/.cache/profilegen-test/), serving a tiny random-weight model with a
real tokenizer. Grammar-constrained decoding makes its answers schema-valid whatever the weights."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_YAML, invoke, sample_args
from tests.llama_server import CACHE, missing_tools, server_binary, vocab
from tests.tiny_model import make_tiny_model

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    absent = missing_tools()
    if absent:
        pytest.skip(f"LLAMA-SERVER TESTS SKIPPED: {', '.join(absent)} not installed (CI has both)")
    binary = server_binary()
    model = make_tiny_model(vocab(), CACHE / "tiny-random-qwen2.gguf")
    port = _free_port()
    log = (CACHE / "llama-server.log").open("wb")
    proc = subprocess.Popen(
        [
            str(binary),
            "-m",
            str(model),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "-c",
            "8192",
            "--parallel",
            "2",
            "--threads",
            "2",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                tail = (CACHE / "llama-server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"llama-server exited: {tail}") from None
            time.sleep(0.5)
    try:
        yield f"{base}/v1"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_json_schema_end_to_end(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, llama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-local-llama")
    args = [
        "generate",
        "-d",
        "Отдел CRM",
        "--position",
        "Аналитик",
        "--provider",
        "openai",
        "--base-url",
        llama,
        "--model",
        "tiny",
        "--max-tokens",
        "3000",
        *sample_args(tmp_path, org=SAMPLE_YAML),
    ]
    result = invoke(capsys, *args)
    assert result.code == 0, result.stderr
    assert "generated 1" in result.stdout and "cost unknown" in result.stdout
    assert "concurrency 2: the server's parallel slots" in result.stderr
    document = json.loads(next((tmp_path / "out").rglob("Аналитик.json")).read_text(encoding="utf-8"))
    assert document["meta"]["generator"] == "llm" and document["meta"]["tokens_out"] > 0
    assert document["meta"]["cost_usd"] is None
    assert document["meta"]["position"]["title"] == "Аналитик"
    assert document["profile"]["qualities"], "the real server's grammar followed the template's schema"
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(tmp_path / "out")).stdout)
    assert stats["tokens"]["out"] > 0 and stats["cost_usd"] is None


def test_none_mode_detects_truncation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, llama: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-local-llama")
    monkeypatch.setenv("PROFILEGEN_RESPONSE_FORMAT", "none")
    args = [
        "generate",
        "-d",
        "Отдел CRM",
        "--position",
        "Аналитик",
        "--provider",
        "openai",
        "--base-url",
        llama,
        "--model",
        "tiny",
        "--max-tokens",
        "256",
        *sample_args(tmp_path, org=SAMPLE_YAML),
    ]
    result = invoke(capsys, *args)
    assert result.code == 1
    assert "truncated" in result.stderr
