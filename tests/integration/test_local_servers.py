"""On-premises servers' quirks (issue 17), through the loopback server made to answer like them:
`response_format: auto` falls back when `json_schema` is refused and remembers it; raw control
characters inside strings are accepted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from profilegen.generation.answer import InvalidAnswer, parse_answer
from profilegen.template.loader import load_template
from tests.conftest import invoke, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-local-test"


def _llm(server: FakeLLM) -> list[str]:
    return ["generate", "-d", "Отдел CRM", "--provider", "openai", "--base-url", server.base_url, "--concurrency", "1"]


def test_auto_falls_back_from_json_schema_and_remembers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        server.refuse_json_schema = True  # as llama-cpp-python's server does
        first = invoke(capsys, *_llm(server), *sample_args(tmp_path))
        assert first.code == 0, first.stderr
        kinds = [r["response_format"]["type"] for r in server.requests]
        assert kinds[0] == "json_schema" and kinds[1:] == ["json_object"] * 6, "not retried as transient"
        assert all("schema" in r["response_format"] for r in server.requests[1:])
        assert "refused response_format json_schema" in first.stderr and "json_object_schema" in first.stderr
        again = invoke(capsys, *_llm(server), "--force", *sample_args(tmp_path))
        assert again.code == 0 and "refused" not in again.stderr, "remembered, said once"
        assert [r["response_format"]["type"] for r in server.requests[7:]] == ["json_object"] * 6
        explicit = invoke(capsys, *_llm(server), *sample_args(tmp_path))
        monkeypatch.setenv("PROFILEGEN_RESPONSE_FORMAT", "json_object_schema")
        switched = invoke(capsys, *_llm(server), *sample_args(tmp_path))
    assert "up to date 6" in explicit.stdout
    assert "up to date 6" in switched.stdout, "how the schema is conveyed is not an input of a profile"


def test_raw_control_characters_in_strings_are_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    with FakeLLM() as server:
        server.always = "raw_control"
        result = invoke(capsys, *_llm(server), *sample_args(tmp_path))
        assert result.code == 0, result.stderr
        assert len(server.requests) == 6, "no re-ask for JSON that is unambiguous"
    profile = json.loads(next((tmp_path / "out").rglob("Аналитик.json")).read_text(encoding="utf-8"))
    assert "строка\n\tвторая" in profile["profile"].values()


def test_json_errors_read_well() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer('{"activity": "x", }', load_template())
    assert " at line 1, column" in caught.value.errors and "at at" not in caught.value.errors


def test_a_timeout_is_retried_once_and_its_tokens_are_unknown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from profilegen.journal import Journal

    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    monkeypatch.setenv("PROFILEGEN_REQUEST_TIMEOUT", "0.3")
    with FakeLLM() as server:
        server.slow_seconds = 1.0
        server.by_title["Аналитик"] = ["slow"] * 6
        result = invoke(capsys, *_llm(server), "--position", "Аналитик", *sample_args(tmp_path))
        assert result.code == 1 and "timeout" in result.stderr
        assert server.titles().count("Аналитик") == 2, "sent once more, not six times"
    with Journal(tmp_path / "out" / ".profilegen") as journal:
        (record,) = [r for _, r in journal.positions()]
    assert record["tokens_in"] is None and record["cost_usd"] is None, "work the server may have done: unknown"


class _Props(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"total_slots": 3}).encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


def test_llama_server_slots_set_the_default_concurrency() -> None:
    from profilegen.generation.providers.choice import server_slots

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Props)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server_slots(f"http://127.0.0.1:{server.server_port}/v1") == 3
    finally:
        server.shutdown()
    assert server_slots("https://openrouter.ai/api/v1") is None, "a hosted API is not asked"
    with FakeLLM() as fake:
        assert server_slots(fake.base_url) is None
