"""The openai provider against our loopback chat-completions server, through the real CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from profilegen.journal import Journal
from tests.conftest import Result, invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-test-key-DO-NOT-LEAK-4242"
CRM = ["-d", "Отдел CRM"]  # six positions


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    monkeypatch.setenv("PROFILEGEN_RETRY_BACKOFF", "0.01")
    with FakeLLM() as fake:
        yield fake


def generate(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, *extra: str) -> Result:
    args = ["generate", *CRM, "--provider", "openai", "--base-url", server.base_url, "--model", "test/model"]
    return invoke(capsys, *args, *sample_args(tmp_path), *extra)


def documents(tmp_path: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "out").rglob("*.json"))]


def journal_records(tmp_path: Path) -> dict[str, dict[str, Any]]:
    with Journal(tmp_path / "out" / ".profilegen") as journal:
        return dict(journal.positions())


def test_happy_path_records_tokens_and_unknown_cost(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    result = generate(capsys, tmp_path, server)
    assert result.code == 0, result.stderr
    assert "cost unknown (no prices set)" in result.stdout, "as the dry run says it: what would make it known"
    assert len(server.requests) == 6
    docs = documents(tmp_path)
    assert len(docs) == 6
    for doc in docs:
        assert doc["meta"]["generator"] == "llm"
        assert doc["meta"]["model"] == "test/model"
        assert doc["meta"]["tokens_in"] > 0 and doc["meta"]["tokens_out"] > 0
        assert doc["meta"]["cost_usd"] is None
        assert doc["meta"]["warnings"] == []
    shown = invoke(capsys, "jobs", "show", "last", "--out", str(tmp_path / "out"))
    assert re.search(r"tokens in/out: \d{1,3}(,\d{3})+/\d{1,3}(,\d{3})*;", shown.stdout), shown.stdout
    again = generate(capsys, tmp_path, server)
    assert "up to date 6" in again.stdout and len(server.requests) == 6
    # tens of thousands of tokens (millions in a night) read at a glance: «tokens 38,558/2,862», not «38558/2862»
    assert re.search(r"tokens \d{1,3}(,\d{3})+/\d{1,3}(,\d{3})*, cost", result.stdout), result.stdout
    stats = invoke(capsys, "stats", "--out", str(tmp_path / "out"))
    assert re.search(r"tokens: in \d{1,3}(,\d{3})+, out \d{1,3}(,\d{3})*;", stats.stdout), stats.stdout


def test_request_shape_and_cacheable_prefix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    assert generate(capsys, tmp_path, server).code == 0
    systems = {r["messages"][0]["content"] for r in server.requests}
    assert len(systems) == 1, "the static prefix must be byte-identical across positions"
    first = server.requests[0]
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["strict"] is True
    assert first["model"] == "test/model"
    assert "provider" not in first  # OpenRouter-only extras stay off other servers
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"


def test_provider_cost_is_summed(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    server.cost_per_request = 0.0015
    result = generate(capsys, tmp_path, server)
    assert "cost $0.0090" in result.stdout
    assert all(d["meta"]["cost_usd"] == 0.0015 for d in documents(tmp_path))


def test_prices_from_config(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    config = tmp_path / "p.yaml"
    config.write_text("prices: {input: 1.0, output: 2.0}\n", encoding="utf-8")
    result = invoke(
        capsys,
        "--config",
        str(config),
        "generate",
        *CRM,
        "--provider",
        "openai",
        "--base-url",
        server.base_url,
        *sample_args(tmp_path),
    )
    assert result.code == 0
    meta = documents(tmp_path)[0]["meta"]
    assert meta["cost_usd"] == pytest.approx((meta["tokens_in"] * 1.0 + meta["tokens_out"] * 2.0) / 1e6)


@pytest.mark.parametrize("fault", ["429", "429ms", "500", "502", "broken_body", "no_choices"])
def test_transient_faults_are_retried(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, fault: str
) -> None:
    server.retry_after = "0.2"
    server.by_title["Аналитик"] = [fault, fault]
    result = generate(capsys, tmp_path, server)
    assert result.code == 0, result.stderr
    assert server.titles().count("Аналитик") == 3
    analyst = next(d for d in documents(tmp_path) if d["meta"]["position"]["title"] == "Аналитик")
    assert analyst["meta"]["attempts"] == 3


def test_fenced_answer_is_accepted(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    server.always = "fenced"
    assert generate(capsys, tmp_path, server).code == 0
    assert len(server.requests) == 6


def test_invalid_answer_is_reasked_with_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    server.by_title["Аналитик"] = ["not_json", "schema_invalid"]
    result = generate(capsys, tmp_path, server)
    assert result.code == 0, result.stderr
    asks = [r for r in server.requests if r["messages"][1]["content"].count('"title": "Аналитик"')]
    assert len(asks) == 3
    second, third = asks[1]["messages"], asks[2]["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[2]["content"].startswith("Конечно!")
    assert "not valid JSON" in second[3]["content"]
    assert len(third) == 4, "the re-ask holds the original prompt, the last answer and its errors only"
    assert "activity: Field required" in third[3]["content"], "the errors name the template's fields"


def test_invalid_output_fails_after_retries_and_keeps_tokens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    server.by_title["Аналитик"] = ["schema_invalid"] * 3
    result = generate(capsys, tmp_path, server)
    assert result.code == 1
    assert "invalid_output" in result.stderr
    assert server.titles().count("Аналитик") == 3
    assert len(documents(tmp_path)) == 5
    failed = [r for r in journal_records(tmp_path).values() if r["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["last_error"]["type"] == "invalid_output"
    assert failed[0]["tokens_in"] > 0 and failed[0]["tokens_out"] > 0
    rerun = generate(capsys, tmp_path, server)
    assert rerun.code == 0 and "generated 1" in rerun.stdout
    assert server.titles().count("Аналитик") == 4


def test_truncation_is_not_reasked(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    server.by_title["Аналитик"] = ["truncated"]
    result = generate(capsys, tmp_path, server)
    assert result.code == 1
    assert "truncated" in result.stderr
    assert server.titles().count("Аналитик") == 1


def test_truncation_retried_once_with_more_tokens(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_TRUNCATION_MAX_TOKENS", "9000")
    server.by_title["Аналитик"] = ["truncated", "truncated"]
    result = generate(capsys, tmp_path, server)
    assert result.code == 1
    analyst = [r for r in server.requests if '"title": "Аналитик"' in r["messages"][1]["content"]]
    assert [r["max_tokens"] for r in analyst] == [4000, 9000]
    server.by_title["Аналитик"] = ["truncated"]
    assert generate(capsys, tmp_path, server).code == 0


@pytest.mark.parametrize(
    ("fault", "kind"), [("401", "auth"), ("403", "auth"), ("402", "no_credits"), ("404", "model_not_found")]
)
def test_fatal_status_aborts_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, fault: str, kind: str
) -> None:
    server.always = fault
    result = generate(capsys, tmp_path, server, "--concurrency", "2")
    assert result.code == 1
    assert f"run stopped (aborted): {kind}" in result.stderr
    assert len(server.requests) <= 2, "nothing new starts after the provider refuses"
    assert KEY not in result.stderr + result.stdout


def test_bad_request_fails_only_that_position(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    server.by_title["Аналитик"] = ["400"]
    result = generate(capsys, tmp_path, server)
    assert result.code == 1
    assert len(documents(tmp_path)) == 5
    assert "bad_request" in result.stderr


def test_slow_answer_times_out_and_is_retried(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_REQUEST_TIMEOUT", "0.3")
    monkeypatch.setenv("PROFILEGEN_MAX_ATTEMPTS", "2")
    server.slow_seconds = 1.0
    server.by_title["Аналитик"] = ["slow", "slow"]
    result = generate(capsys, tmp_path, server)
    assert result.code == 1
    assert "timeout" in result.stderr
    server.by_title["Тестировщик"] = ["slow"]
    rerun = generate(capsys, tmp_path, server)
    assert rerun.code == 0, rerun.stderr


def test_consecutive_failures_stop_the_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROFILEGEN_MAX_CONSECUTIVE_FAILURES", "2")
    monkeypatch.setenv("PROFILEGEN_VALIDATION_RETRIES", "0")
    server.always = "schema_invalid"
    result = generate(capsys, tmp_path, server, "--concurrency", "1")
    assert result.code == 1
    assert "run stopped (failures)" in result.stderr
    assert "4 positions not started" in result.stderr
    assert len(server.requests) == 2


def test_max_cost_stops_with_exit_4(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    server.cost_per_request = 0.01
    result = generate(capsys, tmp_path, server, "--concurrency", "1", "--max-cost", "0.025")
    assert result.code == 4
    assert len(server.requests) == 3
    assert "run stopped (budget)" in result.stderr
    rest = generate(capsys, tmp_path, server, "--concurrency", "1")
    assert rest.code == 0 and "generated 3" in rest.stdout


def test_max_cost_with_unknown_cost_stops(capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM) -> None:
    result = generate(capsys, tmp_path, server, "--concurrency", "1", "--max-cost", "5")
    assert result.code == 4
    assert "cannot be enforced" in result.stderr
    assert len(server.requests) == 1


def test_dry_run_sends_nothing_and_estimates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeLLM
) -> None:
    result = generate(capsys, tmp_path, server, "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert len(data["to_generate"]) == 6
    assert data["estimated_prompt_tokens"] > 1000
    assert data["estimated_cost_usd"] is None
    assert server.requests == []


def test_no_key_for_openai_is_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROFILEGEN_API_KEY", raising=False)
    result = invoke(capsys, "generate", *CRM, "--provider", "openai", *sample_args(tmp_path))
    assert result.code == 2 and "needs an API key" in result.stderr


def test_subprocess_run_with_key_in_env_never_leaks(tmp_path: Path, server: FakeLLM) -> None:
    server.by_title["Аналитик"] = ["401"]
    log = tmp_path / "log.jsonl"
    result = run_cli(
        "-v",
        "--log-format",
        "json",
        "--log-file",
        str(log),
        "generate",
        *CRM,
        "--provider",
        "auto",
        "--base-url",
        server.base_url,
        "--concurrency",
        "1",
        *sample_args(tmp_path),
    )
    assert result.code == 1
    assert "provider: openai (API key found)" in result.stderr
    everything = result.stdout + result.stderr + log.read_text(encoding="utf-8")
    for path in (tmp_path / "out" / ".profilegen").rglob("*"):
        if path.is_file():
            everything += path.read_bytes().decode("utf-8", "replace")
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file() and ".profilegen" not in path.parts:
            everything += path.read_text(encoding="utf-8")
    assert KEY not in everything
