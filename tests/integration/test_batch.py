"""Nightly at half price: `generate --batch [--wait]` through the loopback server's Batch APIs (issue 18)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import invoke, run_cli, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-batch-test"
CRM = ["generate", "-d", "Отдел CRM"]  # 6 positions of the sample organisation
SHAPES = ["openai", "openrouter"]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)


def _llm(server: FakeLLM, shape: str) -> list[str]:
    return ["--provider", "openai", "--base-url", server.base_url]


def _config(tmp_path: Path, shape: str, **extra: object) -> list[str]:
    path = tmp_path / "profilegen.yaml"
    settings = {"batch_api": shape, "batch_poll": 0.01, "prices": {"input": 1.0, "output": 2.0}, **extra}
    path.write_text(json.dumps(settings), encoding="utf-8")
    return ["--config", str(path)]


def _profiles(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.json") if ".profilegen" not in p.parts)


def _positions(out: Path) -> dict[str, dict[str, object]]:
    state = out / ".profilegen"
    from profilegen.journal import Journal

    with Journal(state) as journal:
        return dict(journal.positions())


@pytest.mark.parametrize("shape", SHAPES)
def test_cron_recipe_submits_then_collects_without_asking_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    with FakeLLM() as server:
        server.batch_shape = shape
        config = _config(tmp_path, shape)
        night1 = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path))
        assert night1.code == 0, night1.stderr
        assert "submitted 6 positions in batch_0001" in night1.stdout
        assert "at the batch price" in night1.stdout
        assert server.requests == [], "nothing answered live"
        records = _positions(tmp_path / "out")
        assert {r["status"] for r in records.values()} == {"submitted"}
        assert "in open batches 6" in invoke(capsys, "stats", *sample_args(tmp_path)[4:]).stdout
        custom_ids = {str(r["custom_id"]) for r in records.values()}
        assert all(c.startswith("pg-") and "CRM" not in c for c in custom_ids), "ids name nothing"
        # the same night again, --force included: nothing is submitted twice while the batch is open
        again = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", "--force", *sample_args(tmp_path))
        assert again.code == 0, again.stderr
        assert "not sent again (--force included)" in again.stderr
        assert len(server.batches.batches) == 1
        # night 2 (the batch ended meanwhile): collect, write the profiles, submit nothing new
        server.batches.steps = 1
        night2 = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path))
        assert night2.code == 0, night2.stderr
        assert "collected 6 answers" in night2.stderr
        assert len(_profiles(tmp_path / "out")) == 6
        assert len(server.batches.batches) == 1 and len(server.requests) == 6, "each position answered once"
        meta = json.loads(_profiles(tmp_path / "out")[0].read_text(encoding="utf-8"))["meta"]
        assert meta["generator"] == "llm" and meta["tokens_in"] > 0
        # cost at the batch price: tokens × prices × 0.5, the same as the batch record says
        batch = json.loads(invoke(capsys, "jobs", "show", "batch_0001", "--json", *sample_args(tmp_path)[4:]).stdout)
        expected = (batch["tokens_in"] * 1.0 + batch["tokens_out"] * 2.0) * 0.5 / 1e6
        assert batch["status"] == "completed" and batch["cost_usd"] == pytest.approx(expected)
        assert batch["api"] == shape
        listed = invoke(capsys, "jobs", "list", *sample_args(tmp_path)[4:])
        assert "batch_0001" in listed.stdout and "completed" in listed.stdout
        header, *rows = listed.stdout.split("\n\n")[0].splitlines()
        columns = header.split("\t")
        nights = [dict(zip(columns, row.split("\t"), strict=True)) for row in rows]
        counted = [(n["submitted"], n["from journal"]) for n in nights]  # newest first
        assert counted[0] == ("0", "6") and counted[-1] == ("6", "0"), "the collecting night, the submitting one"
        stats = invoke(capsys, "stats", *sample_args(tmp_path)[4:])
        assert "cost by mode: live" in stats.stdout and "batch $" in stats.stdout
        quiet = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path))
        assert quiet.code == 0 and "up to date 6" in quiet.stdout and len(server.batches.batches) == 1


@pytest.mark.parametrize("shape", SHAPES)
def test_wait_collects_retries_invalid_answers_and_failed_requests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    with FakeLLM() as server:
        server.batch_shape = shape
        server.batches.page_size = 4  # OpenRouter's results over two pages
        titles = ["Руководитель отдела", "Тестировщик"]
        server.by_title[titles[0]] = ["schema_invalid"]  # re-asked in the next batch, then valid
        server.by_title[titles[1]] = ["500"]  # a failed request: failed tonight, submitted again tomorrow
        done = invoke(
            capsys, *_config(tmp_path, shape), *CRM, *_llm(server, shape), "--batch", "--wait", *sample_args(tmp_path)
        )
        assert done.code == 1, done.stderr  # one position failed
        assert len(_profiles(tmp_path / "out")) == 5
        assert len(server.batches.batches) == 2, "the invalid answer went into a second batch"
        fix = server.batches.requests["batch_0002"][0][1]
        assert fix["messages"][-2]["role"] == "assistant", "the re-ask carries the invalid answer"
        assert "http_500" in done.stderr
        assert "cost $0.0000" in done.stdout, "nothing asked live: the batches' cost is on the batches"
        assert "submitted 6 positions (7 requests: re-asks included) in batch_0001, batch_0002" in done.stdout
        assert "the next `profilegen generate` collects" not in done.stdout, "--wait left nothing open"
        tomorrow = invoke(
            capsys, *_config(tmp_path, shape), *CRM, *_llm(server, shape), "--batch", "--wait", *sample_args(tmp_path)
        )
        assert tomorrow.code == 0, tomorrow.stderr
        assert len(_profiles(tmp_path / "out")) == 6 and len(server.batches.batches) == 3


def test_an_expired_batch_gives_up_half_and_the_rest_is_submitted_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        server.batches.outcome = "expired_half"
        config = _config(tmp_path, "openai")
        first = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path))
        assert first.code == 0
        server.batches.steps = 1
        second = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path))
        assert second.code == 0, second.stderr
        assert "batch_0001 expired: 3 positions go into the next batch" in second.stderr
        assert len(_profiles(tmp_path / "out")) == 3
        assert len(server.batches.requests["batch_0002"]) == 3, "only what the expired batch left"
        server.batches.outcome = "completed"
        third = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path))
        assert third.code == 0 and len(_profiles(tmp_path / "out")) == 6
        assert len(server.requests) == 6, "every position answered exactly once"


def test_cancel_then_collect_partial_results(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openrouter"
        config = _config(tmp_path, "openrouter")
        assert invoke(capsys, *config, *CRM, *_llm(server, "x"), "--batch", *sample_args(tmp_path)).code == 0
        where = sample_args(tmp_path)[4:]
        unknown = invoke(capsys, *config, "jobs", "cancel", "batch_0009", *where)
        assert unknown.code == 2 and "batch_0001" in unknown.stderr
        cancelled = invoke(capsys, *config, "jobs", "cancel", "batch_0001", *where)
        assert cancelled.code == 0 and "cancelling" in cancelled.stdout, cancelled.stderr
        assert server.batches.calls["DELETE /batches/…"] == 1
        later = invoke(capsys, *config, *CRM, *_llm(server, "x"), *sample_args(tmp_path))  # live, no --batch
        assert later.code == 0, later.stderr
        assert "cancelled: 3 positions go into the next batch" in later.stderr
        assert len(_profiles(tmp_path / "out")) == 6, "3 collected, 3 generated live"


def test_budget_refusal_no_batch_api_and_dry_run(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with FakeLLM() as server:
        config = _config(tmp_path, "openai")
        missing = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path))
        assert missing.code == 2 and "this server has no Batch API; run without --batch" in missing.stderr
        assert not (tmp_path / "out" / ".profilegen" / "journal").exists() or not _positions(tmp_path / "out")
        server.batch_shape = "openai"
        dry = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", "--dry-run", *sample_args(tmp_path))
        assert dry.code == 0 and "6 to submit in a batch" in dry.stdout and "at the batch price" in dry.stdout
        estimated = float(dry.stdout.split("estimated cost: $")[1].split()[0])
        live = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--dry-run", *sample_args(tmp_path))
        assert estimated < float(live.stdout.split("estimated cost: $")[1].split()[0])
        limited = invoke(
            capsys,
            *config,
            *CRM,
            *_llm(server, "openai"),
            "--batch",
            "--max-cost",
            str(estimated / 2),
            *sample_args(tmp_path),
        )
        assert limited.code == 4, limited.stderr
        assert "--max-cost" in limited.stderr and "submitted" in limited.stderr
        submitted = len(server.batches.requests["batch_0001"])
        assert 0 < submitted < 6


def _spawn(args: list[str], tmp_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PROFILEGEN_API_KEY": KEY}
    return subprocess.Popen(
        [sys.executable, "-m", "profilegen", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_killed_while_submitting_the_batch_is_found_not_paid_twice(tmp_path: Path, shape: str) -> None:
    with FakeLLM() as server:
        server.batch_shape = shape
        server.batches.create_delay = 30.0  # the batch exists; its id never reaches the killed process
        config = _config(tmp_path, shape)
        args = [*config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path)]
        proc = _spawn(args, tmp_path)
        deadline = time.monotonic() + 60
        while not server.batches.batches and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.batches.batches, "the batch was created"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        server.batches.create_delay = 0.0
        server.batches.steps = 1
        again = run_cli(*args)
        assert again.code == 0, again.stderr
        assert "found batch batch_0001" in again.stderr and "collected 6 answers" in again.stderr
        assert len(server.batches.batches) == 1, "not submitted twice"
        assert len(_profiles(tmp_path / "out")) == 6


def test_a_waiting_run_holds_the_lock(tmp_path: Path) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openrouter"
        server.batches.steps = 10_000  # never ends while we look
        config = _config(tmp_path, "openrouter", batch_poll=0.2)
        args = [*config, *CRM, *_llm(server, "x"), "--batch", "--wait", "--max-duration", "1h", *sample_args(tmp_path)]
        waiting = _spawn(args, tmp_path)
        deadline = time.monotonic() + 60
        while not server.batches.batches and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run_cli(*[a for a in args if a != "--wait"])
        waiting.send_signal(signal.SIGTERM)
        assert waiting.wait(30) == 143, "SIGTERM while waiting: stopped cleanly"
        assert second.code == 3, second.stderr
        assert len(server.batches.batches) == 1
        runs = json.loads(run_cli("jobs", "list", "--json", *sample_args(tmp_path)[4:]).stdout)
        assert [r["outcome"] for r in runs if r["kind"] == "run"] == ["interrupted"]
        # bounded by --max-duration: exit 4, the batch still open for the next run
        bounded = run_cli(*[a if a != "1h" else "1s" for a in args])
        assert bounded.code == 4 and "--max-duration reached while waiting for 1 batch" in bounded.stderr


def test_killed_while_collecting_loses_nothing_and_asks_nothing_twice(tmp_path: Path) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openrouter"
        server.batches.page_size = 3
        config = _config(tmp_path, "openrouter")
        args = [*config, *CRM, *_llm(server, "x"), "--batch", *sample_args(tmp_path)]
        assert run_cli(*args).code == 0
        server.batches.steps = 1
        server.batches.page_delay = 30.0  # the first page is journaled, the second never comes
        proc = _spawn(args, tmp_path)
        deadline = time.monotonic() + 60
        while server.batches.calls["GET /batches/…/results"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        answered = [r for r in _positions(tmp_path / "out").values() if r.get("raw_answer")]
        assert len(answered) == 3, "the first page's answers were journaled before the kill"
        server.batches.page_delay = 0.0
        again = run_cli(*args)
        assert again.code == 0, again.stderr
        assert len(_profiles(tmp_path / "out")) == 6
        assert len(server.batches.batches) == 1 and len(server.requests) == 6, "nothing asked twice"


def test_a_failed_batch_returns_its_positions_and_reported_cost_is_used(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        server.batches.outcome = "failed"
        server.batches.steps = 1
        server.cost_per_request = 0.001  # the provider reports each answer's real cost
        config = _config(tmp_path, "openai")
        args = [*config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path)]
        assert invoke(capsys, *args).code == 0
        failed = invoke(capsys, *args)
        assert failed.code == 0, failed.stderr
        assert "batch_0001 failed: 6 positions go into the next batch" in failed.stderr
        assert len(server.batches.batches) == 2, "resubmitted at once"
        server.batches.outcome = "completed"
        assert invoke(capsys, *args).code == 0
        batch = json.loads(invoke(capsys, "jobs", "show", "batch_0002", "--json", *sample_args(tmp_path)[4:]).stdout)
        assert batch["cost_usd"] == pytest.approx(0.006), "usage.cost, not prices × discount"
        first = json.loads(invoke(capsys, "jobs", "show", "batch_0001", "--json", *sample_args(tmp_path)[4:]).stdout)
        assert first["status"] == "failed" and first["error"] == "input validation failed"
        assert len(_profiles(tmp_path / "out")) == 6


def test_an_outage_another_server_and_a_forgotten_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with FakeLLM() as server, FakeLLM() as other:
        server.batch_shape = other.batch_shape = "openai"
        config = _config(tmp_path, "openai", max_attempts=1)
        assert invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path)).code == 0
        server.batches.poll_error = 503  # the batch endpoint is down: the live run goes on, the batch stays
        down = invoke(capsys, *config, *CRM, *_llm(server, "openai"), *sample_args(tmp_path))
        assert down.code == 0, down.stderr
        assert "batch batch_0001 not polled" in down.stderr and "in open batches" in down.stdout
        assert server.requests == [], "nothing in the open batch asked live"
        # another server: the batch is not polled there, and nothing of it is sent there
        elsewhere = invoke(capsys, *config, *CRM, *_llm(other, "openai"), "--batch", *sample_args(tmp_path))
        assert elsewhere.code == 0 and "was submitted to" in elsewhere.stderr
        assert other.batches.batches == {} and other.requests == []
        # the server forgot the batch: cancelling gives its positions back, the next night submits them
        server.batches.poll_error = None
        del server.batches.batches["batch_0001"]
        where = sample_args(tmp_path)[4:]
        forgotten = invoke(capsys, *config, "jobs", "cancel", "batch_0001", *where)
        assert forgotten.code == 0 and "unknown to" in forgotten.stdout and "6 positions" in forgotten.stdout
        again = invoke(capsys, *config, *CRM, *_llm(server, "openai"), "--batch", *sample_args(tmp_path))
        assert again.code == 0 and "submitted 6 positions" in again.stdout


@pytest.mark.parametrize("shape", SHAPES)
def test_large_submissions_are_split_and_a_refused_key_stops(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    with FakeLLM() as server:
        server.batch_shape = shape
        server.batches.create_error = 401
        config = _config(tmp_path, shape, batch_max_requests=4)
        refused = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path))
        assert refused.code == 1 and "HTTP 401" in refused.stderr and KEY not in refused.stderr
        runs = json.loads(invoke(capsys, "jobs", "list", "--json", *sample_args(tmp_path)[4:]).stdout)
        assert [r["outcome"] for r in runs] == ["aborted"]
        server.batches.create_error = None
        split = invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path))
        assert split.code == 0, split.stderr
        assert "submitted 6 positions in batch_0001, batch_0002" in split.stdout
        assert sorted(len(r) for r in server.batches.requests.values()) == [2, 4]
        server.batches.steps = 1
        assert invoke(capsys, *config, *CRM, *_llm(server, shape), "--batch", *sample_args(tmp_path)).code == 0
        assert len(_profiles(tmp_path / "out")) == 6
