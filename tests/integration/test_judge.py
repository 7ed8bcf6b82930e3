"""`check --judge`: the configured model scores each profile through the loopback server; scores are
journaled with the profile's content hash, never paid for twice, limited by --max-cost, resumable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import invoke, sample_args
from tests.fake_llm import FakeLLM

KEY = "sk-test-judge"
UNIT = "Отдел CRM"


@pytest.fixture
def drafts(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROFILEGEN_API_KEY", KEY)
    result = invoke(capsys, "generate", "-d", UNIT, "--provider", "offline", *sample_args(tmp_path))
    assert result.code == 0, result.stderr
    return tmp_path


def _judge(capsys: pytest.CaptureFixture[str], root: Path, server: FakeLLM, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    result = invoke(
        capsys, "check", "-d", UNIT, "--judge", "--base-url", server.base_url, *sample_args(root), "--json", *extra
    )
    assert "Traceback" not in result.stderr and KEY not in result.stderr + result.stdout
    return result.code, json.loads(result.stdout)


def test_scores_are_journaled_and_never_paid_twice(capsys: pytest.CaptureFixture[str], drafts: Path) -> None:
    with FakeLLM() as server:
        server.cost_per_request = 0.01
        code, report = _judge(capsys, drafts, server)
        assert code == 0 and len(server.requests) == 6
        body = server.requests[0]
        assert body["response_format"]["json_schema"]["name"] == "profile_score"
        assert "Профиль должности:" in body["messages"][1]["content"], "the profile goes as people read it"
        assert report["summary"]["judge"] == {
            "judged": 6,
            "reused": 0,
            "failed": 0,
            "not_sent": 0,
            "cost_usd": pytest.approx(0.06),
            "limit_reached": False,
        }
        analyst = next(s for s in report["scores"] if s["title"] == "Аналитик")
        assert analyst["scores"] == dict.fromkeys(("kpis", "skills", "career", "company", "boundaries"), 3)
        assert analyst["mean"] == 3.0 and analyst["reasons"]["kpis"]
        low = [f for f in report["findings"] if f["rule"] == "judge_score"]
        assert len(low) == 30 and all(f["severity"] == "warning" for f in low), "3/10 is at most judge_min_score"

        code, again = _judge(capsys, drafts, server)
        assert len(server.requests) == 6, "nothing changed: nothing judged again"
        assert again["summary"]["judge"]["reused"] == 6 and len(again["scores"]) == 6

        path = next(p for p in (drafts / "out").rglob("Аналитик.json") if p.parent.name == UNIT)
        document = json.loads(path.read_text(encoding="utf-8"))
        document["profile"]["experience_total"] = "Не менее 3 лет"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        _judge(capsys, drafts, server)
        assert len(server.requests) == 7 and server.titles()[-1] == "Аналитик", "only the changed profile"

    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(drafts / "out")).stdout)
    assert stats["judge"]["judged"] == 6 and stats["judge"]["distribution"]["3"] == 6
    assert stats["judge"]["lowest"][0]["mean"] == 3.0
    assert stats["spend"]["all_time"]["cost_usd"] == pytest.approx(0.07), "what the judge paid is in the ledger"
    text = invoke(capsys, "stats", "--out", str(drafts / "out")).stdout
    assert "judge: 6 scored, mean 3.0" in text

    page = drafts / "review.html"
    assert invoke(capsys, "report", "--to", str(page), *sample_args(drafts)).code == 0
    assert '"j":{"mean":3.0' in page.read_text(encoding="utf-8"), "the report shows each score"


def test_max_cost_stops_sending_and_a_rerun_continues(capsys: pytest.CaptureFixture[str], drafts: Path) -> None:
    with FakeLLM() as server:
        server.cost_per_request = 0.01
        code, report = _judge(capsys, drafts, server, "--max-cost", "0.02", "--concurrency", "1")
        judge = report["summary"]["judge"]
        assert code == 4 and judge["limit_reached"] and judge["judged"] == 2 and judge["not_sent"] == 4
        assert len(server.requests) == 2
        code, report = _judge(capsys, drafts, server)
        assert code == 0 and report["summary"]["judge"]["reused"] == 2 and len(server.requests) == 6


def test_a_broken_answer_is_asked_again_and_a_lost_one_is_reported(
    capsys: pytest.CaptureFixture[str], drafts: Path
) -> None:
    with FakeLLM() as server:
        server.by_title["Аналитик"] = ["not_json"]
        server.by_title["Тестировщик"] = ["not_json", "not_json"]
        code, report = _judge(capsys, drafts, server, "--concurrency", "1")
        judge = report["summary"]["judge"]
        assert judge["judged"] == 5 and judge["failed"] == 1, judge
        assert code == 1, "a profile the judge could not score fails the command, as a failed position does"
        assert server.titles().count("Аналитик") == 2 and server.titles().count("Тестировщик") == 2
        assert "Тестировщик" not in {s["title"] for s in report["scores"]}


def test_kill_9_loses_no_paid_score(drafts: Path) -> None:
    with FakeLLM(latency=0.4) as server:
        args = [
            "check",
            "-d",
            UNIT,
            "--judge",
            "--concurrency",
            "1",
            "--base-url",
            server.base_url,
            *sample_args(drafts),
        ]
        env = {**os.environ, "PROFILEGEN_API_KEY": KEY}
        proc = subprocess.Popen([sys.executable, "-m", "profilegen", *args], env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(server.requests) < 3 and time.monotonic() < deadline:  # two answered and journaled
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        first = server.titles()
        answered = first[:-1]  # the last was in flight when the process died
        assert len(answered) >= 2
        result = subprocess.run(
            [sys.executable, "-m", "profilegen", *args, "--json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        again = server.titles()[len(first) :]
        assert not set(again) & set(answered), "a score paid for before the kill is not asked again"
        assert sorted(again + answered) == sorted({*again, *answered}) and len(again) + len(answered) == 6
        assert json.loads(result.stdout)["summary"]["judge"]["reused"] == len(answered)


@pytest.mark.parametrize("shape", ["openai", "openrouter"])
def test_batch_judging_is_journaled_and_paid_once(
    capsys: pytest.CaptureFixture[str], drafts: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    monkeypatch.setenv("PROFILEGEN_BATCH_API", shape)
    with FakeLLM() as server:
        server.batch_shape = shape
        server.cost_per_request = 0.01
        server.batches.create_lost = 1  # the provider stores the batch, the answer to its creation is lost
        server.batches.stray_results = True  # results repeat one request and carry one never sent
        code, report = _judge(capsys, drafts, server, "--batch")
        judge = report["summary"]["judge"]
        assert code == 0 and judge["submitted"] == 6 and judge["in_open_batches"] == 6 and judge["judged"] == 0
        assert len(server.batches.batches) == 1, "a lost creation answer is found by its tag, not sent twice"
        _code, report = _judge(capsys, drafts, server, "--batch")
        assert len(server.batches.batches) == 1, "profiles in an open batch are not sent again"
        _code, report = _judge(capsys, drafts, server, "--batch", "--wait")
        judge = report["summary"]["judge"]
        assert judge["judged"] == 6 and judge["submitted"] == 0 and len(report["scores"]) == 6
        assert judge["cost_usd"] == pytest.approx(0.06), "strays are neither written nor counted"
        _code, report = _judge(capsys, drafts, server, "--batch")
        assert report["summary"]["judge"]["reused"] == 6 and len(server.batches.batches) == 1
    stats = json.loads(invoke(capsys, "stats", "--json", "--out", str(drafts / "out")).stdout)
    assert stats["judge"]["judged"] == 6
    assert stats["spend"]["all_time"]["cost_usd"] == pytest.approx(0.06)


def test_batch_options_need_the_judge(capsys: pytest.CaptureFixture[str], drafts: Path) -> None:
    result = invoke(capsys, "check", "-d", UNIT, "--batch", *sample_args(drafts))
    assert result.code == 2 and "--judge" in result.stderr


def test_an_employees_name_is_not_sent_to_the_judge(capsys: pytest.CaptureFixture[str], drafts: Path) -> None:
    personal = ["-d", UNIT, "--position", "Аналитик", "--employee-name", "Анна Иванова", "--provider", "offline"]
    assert invoke(capsys, "generate", *personal, *sample_args(drafts)).code == 0
    with FakeLLM() as server:
        code, report = _judge(capsys, drafts, server, "--position", "Аналитик")
        assert code == 0 and len(server.requests) == 2, "the position's profile and the personal one"
        assert all("Анна" not in json.dumps(r, ensure_ascii=False) for r in server.requests)
        assert {s["employee"] for s in report["scores"]} == {None, "Анна Иванова"}, "scored, and named in our output"
