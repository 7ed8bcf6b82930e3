"""The profile in HR's own form: A101's card as the default template, through the CLI on the real org."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from profilegen.org.competencies import CompetencyModel
from profilegen.template.loader import load_template
from tests.conftest import A101, KPI_DIR, needs_a101, run_cli, sample_args
from tests.fake_llm import FakeLLM, position_data

STRUCTURE = A101 / "Structure.xlsx"
WORKBOOKS = A101 / "kpi"
IT = "Департамент информационных технологий"
# HR's reference card, in its order (the list)
HR_LABELS = [
    "Подразделение укрупненно",
    "Подразделение",
    "Категория должности",
    "Должность непосредственного руководителя",
    "Количество подчиненных",
    "Профильная/обеспечивающая деятельность",
    "ОБЛАСТИ ОТВЕТСТВЕННОСТИ/ДОЛЖНОСТНЫЕ ОБЯЗАННОСТИ",
    "Профессиональные знания и умения",
    "Корпоративные компетенции",
    "Личностные качества",
    "Образование и опыт работы",
    "Карьерограмма",
    "Программное и техническое обеспечение должности",
    "Дополнительная информация",
    "Подготовлено (ФИО ответственного)",
    "Дата формирования",
]
LEVEL_TEXTS = {
    1: "Знание основ, опыт применения знаний и навыков на практике необязателен",
    2: "Существенные знания и регулярный опыт применения знаний на практике",
    3: "Существенные знания и опыт применения знаний в ситуациях повышенной сложности, в т.ч. в кризисных ситуациях",
    4: "Экспертные знания, должность подразумевает передачу знаний и опыта другим",
}
CATEGORIES = {
    "Специалист",
    "Линейный руководитель (группа, направление)",
    "Руководитель среднего уровня (отдел, управление)",
    "Руководитель высшего уровня (департамент, блок)",
}
EDUCATION = {"Высшее", "Неоконченное высшее", "Среднее профессиональное"}


def _subsequence(wanted: list[str], seen: list[str]) -> bool:
    rest = iter(seen)
    return all(any(label == item for item in rest) for label in wanted)


@pytest.fixture(scope="module")
def it_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The IT department of the real org through a loopback LLM (one answer outside a list), exported."""
    tmp = tmp_path_factory.mktemp("it")
    out = tmp / "out"
    config = tmp / "profilegen.yaml"
    config.write_text("prepared_by: Петрова А. С.\n", encoding="utf-8")
    base = ["--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS)]
    with FakeLLM() as llm:
        llm.by_title["Директор по информационным технологиям"] = ["outside_enum"]
        done = run_cli(
            "--config",
            str(config),
            "generate",
            "-d",
            IT,
            *base,
            "--out",
            str(out),
            "--format",
            "json,md,docx",
            "--provider",
            "openai",
            "--base-url",
            llm.base_url,
            env={"PROFILEGEN_API_KEY": "test-key"},
            timeout=300,
        )
        requests = list(llm.requests)
    assert done.code == 0, done.stderr
    book = tmp / "it.xlsx"
    exported = run_cli("--config", str(config), "export", "xlsx", "--out", str(out), *base[:2], "--to", str(book))
    assert exported.code == 0, exported.stderr
    facts = run_cli("facts", "-d", IT, *base, "--json", timeout=300)
    assert facts.code == 0, facts.stderr
    documents = [json.loads(p.read_text(encoding="utf-8")) for p in out.rglob("*.json") if not p.name.startswith(".")]
    return {"out": out, "book": book, "requests": requests, "facts": json.loads(facts.stdout), "documents": documents}


@needs_a101
def test_the_schema_sent_carries_the_lists_and_russian_descriptions(it_run: dict[str, Any]) -> None:
    schema = it_run["requests"][0]["response_format"]["json_schema"]["schema"]
    properties = schema["properties"]
    assert set(properties["qualities"]["items"]["enum"]) >= {"аналитическое мышление", "лидерские качества"}
    assert set(properties["education_level"]["enum"]) == EDUCATION
    assert properties["activity"]["enum"] == ["Профильная", "Обеспечивающая"]
    assert properties["qualities"]["description"].startswith("Личностные качества.")
    assert "category" not in properties and "kpis" not in properties, "facts are not asked of the model"
    level = schema["$defs"]["Answer_skills_row"]["properties"]["level"]
    assert (level["minimum"], level["maximum"]) == (1, 4) and LEVEL_TEXTS[4] in level["description"]
    system = it_run["requests"][0]["messages"][0]["content"]
    assert "Поля ответа:" in system and "qualities — Личностные качества" in system


@needs_a101
def test_an_answer_outside_a_list_is_asked_again(it_run: dict[str, Any]) -> None:
    director = [r for r in it_run["requests"] if position_data(r)["title"] == "Директор по информационным технологиям"]
    assert len(director) == 2
    assert "Input should be 'Профильная' or 'Обеспечивающая'" in director[1]["messages"][3]["content"]


@needs_a101
def test_every_profile_holds_values_of_its_lists(it_run: dict[str, Any]) -> None:
    competencies = set(CompetencyModel().order)
    qualities = set(load_template().field("qualities").choices)  # type: ignore[union-attr]
    assert len(it_run["documents"]) > 20
    for document in it_run["documents"]:
        profile = document["profile"]
        assert profile["category"] in CATEGORIES
        assert set(profile["competencies"]) <= competencies and profile["competencies"]
        assert set(profile["qualities"]) <= qualities
        assert profile["education_level"] in EDUCATION
        assert profile["prepared_by"] == "Петрова А. С."
        assert profile["software"][0] == "Стандартный пакет MS Office (Word, Excel, Outlook, PowerPoint)"


@needs_a101
def test_the_xlsx_sheet_is_hrs_card_with_the_fixed_level_texts(it_run: dict[str, Any]) -> None:
    book = openpyxl.load_workbook(it_run["book"])
    assert book.sheetnames[0] == "Сводка"
    sheet = book["Директор по информационным"]  # whole words within 31 characters
    labels = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    assert _subsequence(HR_LABELS, [str(x) for x in labels if x]), labels
    start = labels.index("Профессиональные знания и умения") + 1
    end = labels.index("Корпоративные компетенции") + 1
    rows = [[sheet.cell(row=r, column=c).value for c in range(2, 5)] for r in range(start, end)]
    skills = [row for row in rows if isinstance(row[1], int)]
    assert skills, rows
    assert all(row[2] == LEVEL_TEXTS[row[1]] for row in skills)
    assert any(row[1:] == ["Целевой уровень", "Описание целевого уровня"] for row in rows)
    summary = book["Сводка"]
    categories = {summary.cell(row=r, column=3).value for r in range(2, summary.max_row + 1)}
    assert categories <= CATEGORIES


@needs_a101
def test_docx_and_markdown_follow_the_card(it_run: dict[str, Any]) -> None:
    path = next(it_run["out"].rglob("Директор по информационным технологиям.docx"))
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert _subsequence(HR_LABELS, headings)
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if "Целевой уровень" in header:
            level, text = header.index("Целевой уровень"), header.index("Описание целевого уровня")
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                assert cells[text] == LEVEL_TEXTS[int(cells[level])]
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert _subsequence(HR_LABELS, [line[3:] for line in markdown.splitlines() if line.startswith("## ")])


@needs_a101
def test_facts_and_the_profiles_fact_fields_agree(it_run: dict[str, Any]) -> None:
    facts = {(tuple(f["position"]["unit_path"]), f["position"]["title"]): f for f in it_run["facts"]}
    assert len(facts) == len(it_run["documents"])
    for document in it_run["documents"]:
        position = document["meta"]["position"]
        fact = facts[(tuple(position["unit_path"]), position["title"])]
        profile = document["profile"]
        manager = fact["manager"]
        assert profile["manager"] == (f"{manager['title']} ({manager['unit_path'][-1]})" if manager else None)
        assert profile["category"] == fact["category"]["label"]
        assert profile["unit"] == " / ".join(position["unit_path"])
        assert profile["unit_broad"] == position["unit_path"][0]
        assert profile["subordinate_units"] == fact["subordinates"]["units"]
        assert profile["direct_reports"] == fact["subordinates"]["direct_reports"]
        assert profile["headcount_below"] == fact["subordinates"]["headcount_below"]
        assert profile["competencies"] == fact["competencies"]
        feeders = [f"{c['title']} ({c['unit_path'][-1]})" for c in fact["career"]["feeders"]]
        assert profile["feeders"] == feeders
        targets = [f"{c['title']} ({c['unit_path'][-1]})" for c in fact["career"]["targets"]]
        assert [t.split(" — ")[0] for t in profile["targets"]] == targets
        assert [k["name"] for k in profile["kpis"]] == [k["name"] for k in fact["kpis"]["items"]]


def test_the_english_template_generates_exports_and_diffs(tmp_path: Path) -> None:
    args = sample_args(tmp_path)
    out = tmp_path / "out"
    with FakeLLM() as llm:
        done = run_cli(
            "generate",
            "-d",
            "Отдел CRM",
            *args,
            "--template",
            "en",
            "--format",
            "json,md,docx",
            "--provider",
            "openai",
            "--base-url",
            llm.base_url,
            env={"PROFILEGEN_API_KEY": "test-key"},
        )
        schema = llm.requests[0]["response_format"]["json_schema"]["schema"]
    assert done.code == 0, done.stderr
    assert set(schema["properties"]) == {"purpose", "responsibilities", "requirements"}
    analyst = json.loads(next(out.rglob("Аналитик.json")).read_text(encoding="utf-8"))
    assert analyst["template"]["name"] == "en"
    assert analyst["profile"]["category"] == "Specialist"
    markdown = next(out.rglob("Аналитик.md")).read_text(encoding="utf-8")
    assert "## Purpose" in markdown and "## Career" in markdown and "## KPIs" in markdown
    book = tmp_path / "en.xlsx"
    exported = run_cli("export", "xlsx", "--template", "en", "--to", str(book), *args[4:])
    assert exported.code == 0, exported.stderr
    assert openpyxl.load_workbook(book).sheetnames[0] == "Summary"
    # the offline drafter fills the same form; with --force it writes .new beside a hand-edited file
    edited = next(out.rglob("Аналитик.json"))
    document = json.loads(edited.read_text(encoding="utf-8"))
    document["profile"]["purpose"] = "Edited by HR"
    edited.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    again = run_cli("generate", "-d", "Отдел CRM", *args, "--template", "en", "--provider", "offline", "--force")
    assert again.code == 0, again.stderr
    diff = run_cli("diff", "Отдел CRM", "--position", "Аналитик", *args[:2], *args[4:], "--json")
    assert diff.code == 0, diff.stderr
    sections = {s["section"]: s for s in json.loads(diff.stdout)[0]["sections"]}
    assert sections["Purpose"]["changed"][0].startswith("'Edited by HR' → ")
    schema_cli = json.loads(run_cli("schema", "--template", "en").stdout)
    assert set(schema_cli["properties"]["profile"]["properties"]) >= {"purpose", "kpis", "feeders"}


def test_a_broken_template_is_refused_with_its_line(tmp_path: Path) -> None:
    cases = {
        "kind: chart": "unknown kind 'chart'",
        "fact: salary": "profilegen cannot fill the fact 'salary'",
        "kind: choice": "a choice needs its values",
    }
    for broken, message in cases.items():
        path = tmp_path / "t.yaml"
        path.write_text(
            "name: t\nlanguage: ru\nsections:\n  - label: A\n    fields:\n"
            f"      - key: a\n        {broken}\n  - label: B\n    fields:\n      - {{key: b, kind: text}}\n",
            encoding="utf-8",
        )
        checked = run_cli("template", "check", str(path))
        assert checked.code == 2 and message in checked.stderr, checked.stderr
        assert f"{path}, line 6" in checked.stderr
        assert "Traceback" not in checked.stderr
    path.write_text("name: t\nsections:\n  - label: A\n    label: B\n", encoding="utf-8")
    twice = run_cli("template", "check", str(path))
    assert twice.code == 2 and "line 4" in twice.stderr and "duplicate key 'label'" in twice.stderr
    ok = run_cli("template", "check", str(tmp_path / "none.yaml"))
    assert ok.code == 2 and "no such template" in ok.stderr
    assert KPI_DIR.is_dir()


def _edited_copy(tmp_path: Path) -> Path:
    """`template init` then HR's edits: a renamed label, a new value first in a list, a new written field,
    a dropped section."""
    path = tmp_path / "our_card.yaml"
    made = run_cli("template", "init", str(path))
    assert made.code == 0, made.stderr
    text = path.read_text(encoding="utf-8")
    assert "# " in text.splitlines()[0], "a commented copy"
    start = text.index("  - label: Профильная/обеспечивающая деятельность")
    text = text[:start] + text[text.index("  - label: ОБЛАСТИ ОТВЕТСТВЕННОСТИ") :]
    text = text.replace("  - label: Личностные качества\n", "  - label: Личные качества сотрудника\n")
    text = text.replace("choices: [Высшее,", "choices: [Послевузовское, Высшее,")
    text = text.replace(
        "  - label: Подготовлено (ФИО ответственного)\n",
        "  - label: Наставничество\n    fields:\n      - key: mentoring\n        kind: text\n"
        "        instruction: Кого и чему наставляет должность.\n"
        "  - label: Подготовлено (ФИО ответственного)\n",
    )
    path.write_text(text, encoding="utf-8")
    checked = run_cli("template", "check", str(path))
    assert checked.code == 0, checked.stderr
    return path


def test_an_edited_copy_changes_the_schema_the_json_and_every_format(tmp_path: Path) -> None:
    template = _edited_copy(tmp_path)
    config = tmp_path / "profilegen.yaml"
    config.write_text(f"template: {template}\n", encoding="utf-8")
    args = sample_args(tmp_path)
    with FakeLLM() as llm:
        done = run_cli(
            "--config",
            str(config),
            "generate",
            "-d",
            "Отдел CRM",
            *args,
            "--format",
            "json,md,docx",
            "--provider",
            "openai",
            "--base-url",
            llm.base_url,
            env={"PROFILEGEN_API_KEY": "test-key"},
        )
        sent = llm.requests[0]["response_format"]["json_schema"]["schema"]["properties"]
    assert done.code == 0, done.stderr
    assert "activity" not in sent and "mentoring" in sent, "the dropped section and the new field"
    assert sent["education_level"]["enum"][0] == "Послевузовское"
    assert sent["qualities"]["description"].startswith("Личные качества сотрудника")
    analyst = next((tmp_path / "out").rglob("Аналитик.json"))
    profile = json.loads(analyst.read_text(encoding="utf-8"))["profile"]
    assert "activity" not in profile and profile["mentoring"].startswith("mentoring: Аналитик")
    assert profile["education_level"] == "Послевузовское"
    markdown = analyst.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Личные качества сотрудника" in markdown and "## Наставничество" in markdown
    assert "Профильная/обеспечивающая" not in markdown and "Послевузовское" in markdown
    paragraphs = [p.text for p in docx.Document(str(analyst.with_suffix(".docx"))).paragraphs]
    assert "Личные качества сотрудника" in paragraphs and "Наставничество" in paragraphs
    assert "Профильная/обеспечивающая деятельность" not in paragraphs
    book = tmp_path / "crm.xlsx"
    exported = run_cli("--config", str(config), "export", "xlsx", "--to", str(book), *args[:2], *args[4:])
    assert exported.code == 0, exported.stderr
    sheet = openpyxl.load_workbook(book)["Аналитик"]
    labels = [sheet.cell(row=r, column=1).value for r in range(1, sheet.max_row + 1)]
    assert "Личные качества сотрудника" in labels and "Наставничество" in labels
    assert "Профильная/обеспечивающая деятельность" not in labels
    # a changed template is a changed input: everything is regenerated once, and a dry run says why
    config.write_text(f"template: {template}\nprepared_by: Отдел персонала\n", encoding="utf-8")
    template.write_text(template.read_text(encoding="utf-8").replace("Наставничество", "Наставник"), encoding="utf-8")
    llm_args = ["--provider", "openai", "--base-url", "http://127.0.0.1:9/v1"]
    dry = run_cli(
        "--config",
        str(config),
        "generate",
        "-d",
        "Отдел CRM",
        *args,
        *llm_args,
        "--dry-run",
        "--json",
        env={"PROFILEGEN_API_KEY": "test-key"},
    )
    assert dry.code == 0, dry.stderr
    reasons = {t["reason"] for t in json.loads(dry.stdout)["to_generate"]}
    assert reasons == {"inputs changed: template"}, reasons
    assert dry.stderr.count("will be regenerated once in it") == 1, dry.stderr


def test_profiles_of_the_earlier_form_stay_readable(tmp_path: Path) -> None:
    """A schema 1.x profile (English keys) is exported, diffed and counted; the next run regenerates it."""
    args = sample_args(tmp_path)
    assert run_cli("generate", "-d", "Отдел CRM", *args, "--provider", "offline").code == 0
    path = next((tmp_path / "out").rglob("Аналитик.json"))
    document = json.loads(path.read_text(encoding="utf-8"))
    old = {
        "schema_version": "1.1",
        "profile": {
            "position_title": "Аналитик",
            "unit": {"top_block": "Блок ИТ", "path": document["meta"]["position"]["unit_path"]},
            "category": "specialist",
            "direct_manager": "Руководитель отдела (Отдел CRM)",
            "subordinates": {"units": [], "people": 0, "headcount_below": 0},
            "primary_activity": "Аналитика CRM",
            "responsibility_areas": [{"area": "Аналитика", "tasks": ["Готовить отчеты"]}],
            "professional_skills": [
                {"category": "Данные", "skills": [{"name": "SQL", "level": 3, "level_description": "x"}]}
            ],
            "corporate_competencies": ["Работа в команде"],
            "personal_qualities": ["Внимательность"],
            "education": {
                "level": "Высшее",
                "specialities": [],
                "experience_years": 2,
                "experience": "2 года",
                "additional": [],
            },
            "career": {
                "feeder_positions": [],
                "target_positions": [{"position": "Ведущий аналитик", "unit": "Отдел CRM", "rationale": "рост"}],
            },
            "workplace": {"software": ["Power BI"], "hardware": []},
            "kpis": [{"name": "Точность отчетов", "target": "95", "unit": "%", "weight": 0.5, "period": "квартал"}],
            "working_conditions": "Офис",
            "additional_information": "",
        },
        "meta": {**document["meta"], "kpi_source": "explicit", "kpi_scope": "position", "kpi_file": "crm.md"},
    }
    path.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    exported = run_cli("export", "md", *args[4:], *args[:2], "-d", "Отдел CRM")
    assert exported.code == 0, exported.stderr
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Подразделение укрупненно" in markdown and "Блок ИТ" in markdown
    assert "| SQL | 3 | " + LEVEL_TEXTS[3] + " |" in markdown, "the old level read on HR's scale"
    assert "Ведущий аналитик (Отдел CRM) — рост" in markdown
    assert "КПЭ должности из файла КПЭ подразделения (crm.md)" in markdown
    diff = run_cli("diff", "Отдел CRM", "--position", "Аналитик", *args[:2], *args[4:], "--json")
    assert diff.code == 0, diff.stderr
    book = tmp_path / "old.xlsx"
    assert run_cli("export", "xlsx", "--to", str(book), *args[:2], *args[4:]).code == 0
    stats = run_cli("stats", "--json", *args[4:])
    assert stats.code == 0, stats.stderr


def test_template_show_reads_as_people_read_it(tmp_path: Path) -> None:
    shown = run_cli("template", "show")
    assert shown.code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Профиль должности (a101, ru, ")
    numbered = [line.split(". ", 1)[1] for line in lines if line[:1].isdigit()]
    assert _subsequence(HR_LABELS, numbered)
    assert any("факт: kpis" in line for line in lines) and any("пишет модель" in line for line in lines)
    assert any(LEVEL_TEXTS[2] in line for line in lines)
    english = json.loads(run_cli("template", "show", "en", "--json").stdout)
    assert english["name"] == "en" and english["sections"][0]["fields"][0]["fact"] == "unit_path"
    target = tmp_path / "card.yaml"
    assert run_cli("template", "init", str(target), "--from", "en").code == 0
    assert "name: card\n" in target.read_text(encoding="utf-8")
    again = run_cli("template", "init", str(target))
    assert again.code == 2 and "not overwritten" in again.stderr
    assert run_cli("template", "init", str(tmp_path / "x.yaml"), "--from", "nope").code == 2
    assert run_cli("template", "show", str(target)).stdout.startswith("Job description (card, en, ")
