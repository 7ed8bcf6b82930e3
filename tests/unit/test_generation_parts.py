from __future__ import annotations

import asyncio
import email.utils
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from profilegen.company.choosing import Chooser
from profilegen.company.documents import load_library
from profilegen.config import CompanySettings
from profilegen.errors import InputError
from profilegen.generation.answer import InvalidAnswer, parse_answer, quality_warnings, strip_fences
from profilegen.generation.prompt import PromptBuilder, estimate_tokens
from profilegen.generation.providers.offline import draft_profile
from profilegen.generation.providers.openai_compatible import OpenAIProvider, OpenAISettings, Usage
from profilegen.generation.providers.retry import Pacer, backoff, retry_after
from profilegen.template.loader import load_template
from tests.helpers import sample_contexts

A101 = load_template()


@pytest.fixture(scope="module")
def contexts() -> list[Any]:
    return sample_contexts(employee_name="Иван")


def test_prompt_prefix_is_identical_and_data_comes_last(contexts: list[Any]) -> None:
    prompt = PromptBuilder.load(A101)
    a, b = prompt.messages(contexts[0]), prompt.messages(contexts[50])
    assert a[0] == b[0]
    assert a[1] != b[1]
    assert a[1]["content"].startswith("Данные должности (JSON):")
    assert "Иван" not in a[1]["content"], "employee names are not sent"
    prefix_share = len(a[0]["content"]) / sum(len(m["content"]) for m in a)
    assert prefix_share > 0.3
    assert prompt.version.startswith("5+") and len(prompt.version) == 10
    assert PromptBuilder.load(load_template("en")).version != prompt.version


def test_prompt_file_company_and_schema(tmp_path: Path, contexts: list[Any]) -> None:
    custom = tmp_path / "prompt.md"
    custom.write_text("<!-- prompt-version: 7 -->\nBe brief about {company}.", encoding="utf-8")
    document = tmp_path / "company.md"
    document.write_text("# Резюме\n\nООО «Северная звезда» строит жилье.\n\n# Закупки\n\nТендеры.\n", encoding="utf-8")
    chooser = Chooser(load_library([document]), 6000)
    company = CompanySettings(name="Северная звезда", industry="девелопмент", city="Москва")
    prompt = PromptBuilder.load(A101, custom, company, chooser).with_schema()
    assert prompt.version.startswith("7+")
    assert "Be brief about в компании «Северная звезда» (девелопмент, Москва)." in prompt.system
    assert "строит жилье" in prompt.system and "JSON Schema" in prompt.system
    assert "Тендеры" not in prompt.system, "only the company-wide sections are in the shared prefix"
    other = PromptBuilder.load(A101, custom, company.model_copy(update={"city": "Казань"}), chooser)
    assert other.company_digest != prompt.company_digest and other.version == prompt.version
    fix = prompt.fix_messages(prompt.messages(contexts[0]), "{}", "kpis: missing")
    assert [m["role"] for m in fix] == ["system", "user", "assistant", "user"]
    with pytest.raises(InputError):
        PromptBuilder.load(A101, tmp_path / "missing.md")
    assert estimate_tokens(prompt.messages(contexts[0])) > 100


def test_answer_parsing_and_quality(contexts: list[Any]) -> None:
    context = next(c for c in contexts if c.kpis and c.targets)
    profile = draft_profile(context, A101)
    raw = json.dumps(profile, ensure_ascii=False)
    assert parse_answer(f"```json\n{raw}\n```", A101) == profile
    assert strip_fences("  {}  ") == "{}"
    with pytest.raises(InvalidAnswer, match="not valid JSON"):
        parse_answer("Sure! {", A101)
    with pytest.raises(InvalidAnswer, match="activity: Field required"):
        parse_answer('{"category": "wizard"}', A101)
    with pytest.raises(InvalidAnswer, match="education_level"):
        parse_answer(json.dumps({**profile, "education_level": "Докторантура"}), A101)
    assert quality_warnings(profile, A101) == []
    odd = {**profile, "hardware": [], "speciality": ["Экономика", "экономика"]}
    assert quality_warnings(odd, A101) == ["duplicate_items: Специальность"], "an empty optional list is no fault"
    # the same item in other quotes, or broken over two lines, is said twice all the same
    quoted = {**profile, "speciality": ["Знание «1С:Предприятие»", 'знание "1С:Предприятие"']}
    assert quality_warnings(quoted, A101) == ["duplicate_items: Специальность"]
    broken = {**profile, "speciality": ["Экономика\nи финансы", "Экономика и  финансы"]}
    assert quality_warnings(broken, A101) == ["duplicate_items: Специальность"]
    assert quality_warnings({**profile, "speciality": ["Экономика", "Финансы"]}, A101) == []
    # a group of an areas field saying one of its items twice (a skill listed twice in its group)
    excel = {"name": "Excel", "level": 2}
    skills = [{"name": "Инструменты", "items": [excel, {"name": "Word", "level": 2}, {**excel, "name": "excel"}]}]
    assert quality_warnings({**profile, "skills": skills}, A101) == [
        "duplicate_items: Профессиональные знания и умения / Инструменты"
    ]
    twice = [{"name": "Учёт", "items": ["Вести учёт договоров", "Вести  учёт договоров"]}]
    said = quality_warnings({**profile, "responsibilities": [*profile["responsibilities"], *twice]}, A101)
    assert said == ["duplicate_items: ОБЛАСТИ ОТВЕТСТВЕННОСТИ/ДОЛЖНОСТНЫЕ ОБЯЗАННОСТИ / Учёт"]


def _error(headers: dict[str, str]) -> Exception:
    exc = Exception("x")
    exc.response = SimpleNamespace(headers=headers)  # type: ignore[attr-defined]
    return exc


def test_retry_after_forms() -> None:
    assert retry_after(_error({"retry-after": "7"})) == 7.0
    assert retry_after(_error({"retry-after-ms": "250"})) == 0.25
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after(_error({"retry-after": date})) or 0) <= 31
    assert retry_after(_error({"retry-after": "soon"})) is None
    assert retry_after(Exception("no response")) is None
    assert 0 <= backoff(3, 1.0) <= 4.0


class _Clock:
    """A clock the pacer reads and sleeps on: every wait it asks for is recorded, none is slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def test_pacer_spaces_starts_and_a_429_holds_everyone() -> None:
    clock = _Clock()
    pacer = Pacer(rpm=600, clock=clock, sleep=clock.sleep)  # one start every 0.1 s

    async def run() -> None:
        for _ in range(3):
            await pacer.wait()
        assert clock.sleeps == [0.1, 0.1]
        pacer.hold(5.0)  # one request's 429: every waiter is held, not just that one
        await asyncio.gather(pacer.wait(), pacer.wait())

    asyncio.run(run())
    assert clock.sleeps[2] == pytest.approx(5.0) and len(clock.sleeps) == 4
    assert clock.sleeps[3] == pytest.approx(0.125), "the pace slowed by a quarter after the 429"


def test_pacer_slowdown_is_capped_and_recovers() -> None:
    clock = _Clock()
    pacer = Pacer(rpm=60, quiet_s=60.0, clock=clock, sleep=clock.sleep)
    for _ in range(30):
        pacer.hold(0.0)
    assert pacer.interval == pytest.approx(4.0), "30 holds at --rpm 60: one request every 4 s at most, not 808 s"

    async def quiet_minutes(count: int) -> None:
        for _ in range(count):
            clock.now += 61.0
            await pacer.wait()

    asyncio.run(quiet_minutes(3))
    assert 1.0 < pacer.interval < 4.0, "each quiet minute takes back one step"
    asyncio.run(quiet_minutes(10))
    assert pacer.interval == pytest.approx(1.0), "back to the configured pace"
    assert Pacer().interval == 0.0


def test_usage_cost_sources() -> None:
    usage = Usage()
    usage.add({"prompt_tokens": 1000, "completion_tokens": 500, "cost": 0.5}, None)
    usage.add({"prompt_tokens": 1000, "completion_tokens": 0}, {"input": 2.0, "output": 4.0})
    assert usage.cost_usd == pytest.approx(0.502)
    usage.add({"prompt_tokens": 1, "completion_tokens": 1}, None)
    assert usage.cost_usd is None and usage.tokens_in == 2001 and usage.calls == 3
    priced = Usage()
    priced.add(None, {"input": 2.0, "output": 4.0})
    assert priced.cost_usd is None, "no usage in the answer: the cost is unknown, not $0"
    unreported = Usage()
    unreported.add(None, None)
    assert unreported.cost_usd is None, "a call that reports no usage has an unknown cost, never $0"


def test_openrouter_request_extras(contexts: list[Any]) -> None:
    settings = OpenAISettings(base_url="https://openrouter.ai/api/v1", model="m", app_url="https://hr.example")
    provider = OpenAIProvider(settings, "key", PromptBuilder.load(A101))
    body = provider._request(provider.prompt.messages(contexts[0]), 100)
    assert body["provider"] == {"require_parameters": True}
    assert body["response_format"]["json_schema"]["strict"] is True
    assert provider._client.default_headers["HTTP-Referer"] == "https://hr.example"
    plain = OpenAIProvider(
        replace(settings, base_url="http://127.0.0.1:1/v1", response_format="none"), "k", PromptBuilder.load(A101)
    )
    assert "provider" not in plain._request([], 100)
    assert "response_format" not in plain._request([], 100)
    assert plain._prompt().system.count("JSON Schema:") == 1, "the schema goes into the prompt once"
    assert "JSON Schema:" not in provider._prompt().system, "json_schema carries it in the request"
    asyncio.run(provider.close())


def test_the_schema_goes_into_the_prompt_once(monkeypatch: pytest.MonkeyPatch, contexts: list[Any]) -> None:
    from profilegen.config import load_settings
    from profilegen.generation.providers.choice import choose_provider
    from profilegen.org.loader import load_org
    from tests.conftest import SAMPLE_YAML

    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-schema-once")
    for response_format, times in (("json_object", 1), ("none", 1), ("json_schema", 0), ("auto", 0)):
        settings = load_settings(None, {"org": SAMPLE_YAML, "response_format": response_format})
        provider, _ = choose_provider(settings, "openai", load_org(SAMPLE_YAML))
        system = provider._prompt().system  # type: ignore[attr-defined]
        assert system.count("JSON Schema:") == times, response_format
        asyncio.run(provider.close())


def test_a_run_report_is_shown_in_a_line_however_many_positions_it_holds() -> None:
    """asyncio.run formats its finished task, result included, as it restores Ctrl-C's handler (a ValueError's
    message made and thrown away inside `signal.getsignal`): a report spelling out 100,000 outcomes made a
    200 MB string at the end of every large run."""
    from profilegen.generation.report import Outcome, RunReport

    report = RunReport("run-1")
    for i in range(10_000):
        report.add(Outcome(f"key-{i}", f"Отдел / Должность {i}", "up_to_date"))
    shown = repr(report)
    assert len(shown) < 200
    assert "run-1" in shown and "10000 outcomes" in shown

    async def finished() -> RunReport:
        return report

    assert asyncio.run(finished()) is report  # what the engine's caller does with it


def test_a_run_report_counts_every_outcome_and_keeps_only_those_its_summary_names() -> None:
    """A run of 100,000 positions held 60 MB of outcomes to the end: counts and totals are kept as they
    come, and only failures, quarantines and kept edits (the summary names them) stay; a batch run, which
    merges its rounds by position, keeps every one."""
    from profilegen.generation.report import Outcome, RunReport

    def outcomes() -> list[Outcome]:
        return [
            *(Outcome(f"k{i}", f"Должность {i}", "up_to_date") for i in range(1000)),
            Outcome("g1", "Юрист", "generated", tokens_in=100, tokens_out=50, cost_usd=0.25),
            Outcome("g2", "Аналитик", "generated", tokens_in=10, tokens_out=5, cost_usd=0.5, kept=("a.md",)),
            Outcome("f1", "Кассир", "failed", tokens_in=7, tokens_out=0, cost_usd=0.0, error_type="E", message="m"),
            Outcome("q1", "Водитель", "quarantined"),
        ]

    report = RunReport("run-1")
    for outcome in outcomes():
        report.add(outcome)
    counts = report.counts()
    assert counts["up_to_date"] == 1000 and counts["generated"] == 2 and counts["failed"] == 1
    assert counts["quarantined"] == 1 and counts["kept_edited"] == 1
    assert report.totals() == {"tokens_in": 117, "tokens_out": 55, "cost_usd": 0.75}
    assert [o.key for o in report.outcomes] == ["g2", "f1", "q1"]
    assert "1004 outcomes" in repr(report)

    everything = RunReport("run-2", keep_all=True)
    for outcome in outcomes():
        everything.add(outcome)
    assert len(everything.outcomes) == 1004 and everything.counts() == counts

    unknown = RunReport("run-3")
    unknown.add(Outcome("g3", "Юрист", "generated", cost_usd=None))
    unknown.add(Outcome("u", "Юрист", "up_to_date", cost_usd=None))  # not paid: its cost is no one's concern
    assert unknown.totals()["cost_usd"] is None


def test_a_task_sent_to_the_writer_process_leaves_its_key_as_it_was() -> None:
    """Pickling a str keeps its UTF-8 form on the string for as long as it lives: every task's key, sent to
    the writer process, held a copy to the end of a run (28 MB at 100,000 positions)."""
    import pickle

    from profilegen.generation.planning import Task

    key = '[["Блок продаж", "Отдел CRM"], "Руководитель отдела", ""]'
    task = Task("".join(list(key)), ("Блок продаж", "Отдел CRM"), "Руководитель отдела", None, "f" * 16, "generate")
    size = sys.getsizeof(task.key)
    copy = pickle.loads(pickle.dumps(task))
    assert sys.getsizeof(task.key) == size
    assert copy == task and copy.key == key
