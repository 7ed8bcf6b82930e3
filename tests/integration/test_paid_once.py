"""Never pay twice, and say what was paid (issue 22, "Money"): lost batch submissions, stray results,
what unanswered requests cost, and spending added up from what the journal recorded per answer."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import invoke, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-paid-once-test"
CRM = ["generate", "-d", "Отдел CRM"]  # 6 positions of the sample organisation
SHAPES = ["openai", "openrouter"]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)


def _config(tmp_path: Path, shape: str = "openai", **extra: object) -> list[str]:
    path = tmp_path / "profilegen.yaml"
    settings = {"batch_api": shape, "batch_poll": 0.01, "prices": {"input": 1.0, "output": 2.0}, **extra}
    path.write_text(json.dumps(settings), encoding="utf-8")
    return ["--config", str(path)]


def _llm(server: FakeLLM) -> list[str]:
    return ["--provider", "openai", "--base-url", server.base_url]


def _where(tmp_path: Path) -> list[str]:
    return sample_args(tmp_path)[4:]


def _profiles(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.json") if ".profilegen" not in p.parts)


@pytest.mark.parametrize("shape", SHAPES)
def test_a_lost_submission_answer_is_not_submitted_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shape: str
) -> None:
    with FakeLLM() as server:
        server.batch_shape = shape
        server.batches.create_lost = 1  # stored by the provider, its answer lost on the way back
        args = [*_config(tmp_path, shape), *CRM, *_llm(server), "--batch", *sample_args(tmp_path)]
        night = invoke(capsys, *args)
        assert len(server.batches.batches) == 1, "a library retry created (and would bill) a second batch"
        assert night.code == 0, night.stderr
        assert "found batch batch_0001" in night.stderr
        assert sum(len(r) for r in server.batches.requests.values()) == 6
        server.batches.steps = 1
        assert invoke(capsys, *args).code == 0
        assert len(_profiles(tmp_path / "out")) == 6 and len(server.requests) == 6


def test_a_lost_submission_the_provider_does_not_list_waits_for_the_next_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        server.batches.create_lost = 1
        args = [*_config(tmp_path), *CRM, *_llm(server), "--batch", *sample_args(tmp_path)]
        server.batches.unlisted = True  # the listing does not show it (yet): the run must not guess
        lost = invoke(capsys, *args)
        assert lost.code == 1 and "submission" in lost.stderr and "next run" in lost.stderr, lost.stderr
        server.batches.unlisted = False  # the next night the provider lists it: adopted, not paid again
        night = invoke(capsys, *args)
        assert night.code == 0, night.stderr
        assert len(server.batches.batches) == 1 and "found batch batch_0001" in night.stderr


def test_stray_results_are_left_out_and_unanswered_requests_cost_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        server.batches.stray_results = True
        server.by_title["Тестировщик"] = ["500"]  # an error line: nothing answered, nothing paid
        args = [*_config(tmp_path), *CRM, *_llm(server), "--batch", "--wait", *sample_args(tmp_path)]
        done = invoke(capsys, *args)
        assert done.code == 1, done.stderr  # the 500 failed
        assert "2 results" in done.stderr and "left out" in done.stderr, done.stderr
        batch = json.loads(invoke(capsys, "jobs", "show", "batch_0001", "--json", *_where(tmp_path)).stdout)
        positions = json.loads(invoke(capsys, "stats", "--json", *_where(tmp_path)).stdout)
        assert batch["cost_usd"] is not None, "an error line made the batch's cost unknown"
        assert batch["cost_usd"] == pytest.approx(positions["cost_usd"], rel=1e-3), "strays were added to the batch"
        assert batch["tokens_in"] == positions["tokens"]["in"]


def test_a_cancelled_batch_without_answers_cost_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        config = _config(tmp_path)
        assert invoke(capsys, *config, *CRM, *_llm(server), "--batch", *sample_args(tmp_path)).code == 0
        del server.batches.batches["batch_0001"]  # the server forgot it: cancelling gives the positions back
        assert invoke(capsys, *config, "jobs", "cancel", "batch_0001", *_where(tmp_path)).code == 0
        batch = json.loads(invoke(capsys, "jobs", "show", "batch_0001", "--json", *_where(tmp_path)).stdout)
        assert batch["cost_usd"] == 0.0


def test_run_records_and_stats_add_up_what_the_journal_recorded_per_answer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with FakeLLM() as server:
        server.batch_shape = "openai"
        server.cost_per_request = 0.25  # the provider reports each answer's cost
        config = _config(tmp_path)
        waited = invoke(capsys, *config, *CRM, *_llm(server), "--batch", "--wait", *sample_args(tmp_path))
        assert waited.code == 0, waited.stderr
        runs = json.loads(invoke(capsys, "jobs", "list", "--json", *_where(tmp_path)).stdout)
        run = next(r for r in runs if r.get("kind", "run") == "run")
        assert run["cost_usd"] == pytest.approx(1.5), "the run collected 6 answers at $0.25"
        sales = ["generate", "-d", "Коммерческий департамент / Отдел продаж"]
        live = invoke(capsys, *config, *sales, *_llm(server), *sample_args(tmp_path))
        assert live.code == 0, live.stderr
        stats = json.loads(invoke(capsys, "stats", "--json", *_where(tmp_path)).stdout)
        paid = 0.25 * len(server.requests)
        assert stats["spend"]["all_time"]["cost_usd"] == pytest.approx(paid)
        assert stats["spend"]["this_month"]["cost_usd"] == pytest.approx(paid)
        assert stats["cost_by_mode"]["batch"]["cost_usd"] == pytest.approx(1.5)
        assert stats["cost_by_mode"]["live"]["cost_usd"] == pytest.approx(paid - 1.5)
        text = invoke(capsys, "stats", *_where(tmp_path)).stdout
        assert f"spent: this month ${paid:.4f}" in text and f"all time ${paid:.4f}" in text


def test_a_killed_run_is_listed_with_what_it_paid_and_wrote(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    with FakeLLM() as server:
        server.cost_per_request = 0.5
        server.latency = 0.3
        args = [*CRM, *_llm(server), "--concurrency", "1", *sample_args(tmp_path)]
        env = {**os.environ, "PROFILEGEN_API_KEY": KEY}
        command = [sys.executable, "-m", "profilegen", *args]
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        from profilegen.journal import Journal

        def settled() -> bool:
            """Two profiles or more written and journaled as done (not killed between a file and its record)."""
            written = len(_profiles(tmp_path / "out"))
            if written < 2:
                return False
            with Journal(tmp_path / "out" / ".profilegen") as journal:
                return sum(1 for _, r in journal.positions() if r.get("status") == "done") == written

        while not settled() and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        from tests.conftest import run_cli

        listed = run_cli("jobs", "list", "--json", *_where(tmp_path), env={"PROFILEGEN_API_KEY": KEY})
        run = json.loads(listed.stdout)[0]
        assert run["outcome"] == "crashed", "a killed run is not `running` once its process is gone"
        written = len(_profiles(tmp_path / "out"))
        assert run["counts"]["generated"] >= 2 and run["counts"]["generated"] == written

        with Journal(tmp_path / "out" / ".profilegen") as journal:  # answers received (a request in flight is not)
            answered = sum(1 for _, r in journal.positions() if r.get("status") == "done" or r.get("raw_answer"))
        assert run["cost_usd"] == pytest.approx(0.5 * answered) and answered >= 2
