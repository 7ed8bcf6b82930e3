"""Profiles about this company: the company's own documents, the sections that concern each position, within
a budget, the company-wide part in a byte-identical prefix — through the CLI, a loopback server and the
real org with A101's two documents."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from profilegen.generation.prompt import estimate_tokens
from tests.conftest import A101, needs_a101, run_cli
from tests.fake_llm import FakeLLM, position_data

STRUCTURE = A101 / "Structure.xlsx"
WORKBOOKS = A101 / "kpi"
BUDGET = 6000
PROCUREMENT = "Департамент закупок"
ARCHITECTS = "Группа архитекторов №6"
PROCUREMENT_SECTION = "### 1. Закупки и снабжение"


def _config(tmp: Path, budget: int = BUDGET) -> Path:
    """A config naming the company and its two documents (copied, so a test may edit one)."""
    docs = tmp / "context"
    if not docs.exists():
        shutil.copytree(A101 / "context", docs)
    config = tmp / "profilegen.yaml"
    config.write_text(
        "context:\n"
        '  company: {name: "ГК А101", industry: "девелопмент", city: "Москва"}\n'
        f"  documents: [{docs / 'company_map.md'}, {docs / 'it_systems.md'}]\n"
        f"  budget_tokens: {budget}\n",
        encoding="utf-8",
    )
    return config


def _args(tmp: Path, config: Path, *more: str) -> list[str]:
    return [
        "--config",
        str(config),
        "generate",
        "-d",
        PROCUREMENT,
        "-d",
        ARCHITECTS,
        "--org",
        str(STRUCTURE),
        "--kpi-dir",
        str(WORKBOOKS),
        "--out",
        str(tmp / "out"),
        *more,
    ]


def _text(request: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in request["messages"])


def _company_part(request: dict[str, Any]) -> list[dict[str, str]]:
    """What a request carries of the company's documents: the system prompt's company part and the user
    message's sections (everything before the position's JSON)."""
    system = next(m["content"] for m in request["messages"] if m["role"] == "system")
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    shared = system[system.rindex("\n\nО компании ГК А101") :]  # the system prompt ends with it
    own = user[: user.index("Данные должности (JSON):")]
    return [{"role": "system", "content": shared}, {"role": "user", "content": own}]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("company")
    config = _config(tmp)
    with FakeLLM() as llm:
        done = run_cli(*_args(tmp, config, "--provider", "openai", "--base-url", llm.base_url, "--model", "m"))
        requests = list(llm.requests)
    assert done.code == 0, done.stderr
    facts = run_cli(
        "--config", str(config), "facts", "-d", PROCUREMENT, "-d", ARCHITECTS, "--org", str(STRUCTURE),
        "--kpi-dir", str(WORKBOOKS), "--json",
    )  # fmt: skip
    assert facts.code == 0, facts.stderr
    return {"tmp": tmp, "config": config, "requests": requests, "facts": json.loads(facts.stdout)}


def _request(run: dict[str, Any], title: str, unit: str) -> dict[str, Any]:
    for request in run["requests"]:
        data = position_data(request)
        if data["title"] == title and data["unit_path"][-1] == unit:
            return request
    raise AssertionError(f"no request for {title} in {unit}")


@needs_a101
def test_each_function_gets_its_own_systems(run: dict[str, Any]) -> None:
    director = _text(_request(run, "Директор по закупкам", PROCUREMENT))
    assert "Электронные торги" in director and "Сметная система" in director
    assert "BIM-платформа" not in director
    architect = _text(_request(run, "Ведущий архитектор 2 категории", ARCHITECTS))
    assert "BIM-платформа" in architect and "CAD-система проектирования" in architect
    assert "Электронные торги" not in architect
    assert "крупной российской компании" not in director


@needs_a101
def test_company_named_everywhere_prefix_identical_budget_kept(run: dict[str, Any]) -> None:
    requests = run["requests"]
    assert len(requests) > 20
    systems = {next(m["content"] for m in r["messages"] if m["role"] == "system") for r in requests}
    assert len(systems) == 1, "the company-wide prefix must be byte-identical for every position"
    (system,) = systems
    assert "ГК А101" in system and "девелопмент" in system and "Москва" in system
    assert "Мы строим города, в которых хочется жить" in system  # the mission, for everyone
    assert "отраслев" not in system.lower(), "no rule lets the model fill gaps from industry practice"
    for request in requests:
        assert estimate_tokens(_company_part(request)) <= BUDGET
    assert max(estimate_tokens(_company_part(r)) for r in requests) > BUDGET // 2  # the budget is used


@needs_a101
def test_facts_list_the_chosen_sections(run: dict[str, Any]) -> None:
    by_title = {(f["position"]["title"], f["position"]["unit_path"][-1]): f for f in run["facts"]}
    director = by_title[("Директор по закупкам", PROCUREMENT)]["context"]
    assert {"file", "section", "tokens", "cut"} <= set(director[0])
    sections = [(c["file"], c["section"]) for c in director]
    assert ("it_systems.md", "1. Закупки и снабжение") in sections
    assert all(isinstance(c["tokens"], int) and isinstance(c["cut"], bool) for c in director)
    architect = by_title[("Ведущий архитектор 2 категории", ARCHITECTS)]["context"]
    assert ("it_systems.md", "2. Проектирование") in [(c["file"], c["section"]) for c in architect]
    sent = [c for c in director if not c["cut"]]
    assert sum(c["tokens"] for c in sent) <= BUDGET


@needs_a101
def test_editing_one_section_regenerates_only_the_positions_that_chose_it(run: dict[str, Any]) -> None:
    tmp, config = run["tmp"], run["config"]
    systems = tmp / "context" / "it_systems.md"
    text = systems.read_text(encoding="utf-8")
    systems.write_text(
        text.replace(PROCUREMENT_SECTION + "\n", PROCUREMENT_SECTION + "\n- **Реестр поставщиков** - аккредитация\n"),
        encoding="utf-8",
    )
    try:
        with FakeLLM() as llm:  # the same model as the first run, on another port: nothing else changed
            dry = run_cli(
                *_args(
                    tmp,
                    config,
                    "--provider",
                    "openai",
                    "--base-url",
                    llm.base_url,
                    "--model",
                    "m",
                    "--dry-run",
                    "--json",
                )
            )
            assert not llm.requests
        assert dry.code == 0, dry.stderr
        listed = {(tuple(t["path"]), t["position"]) for t in json.loads(dry.stdout)["to_generate"]}
        chose = {
            (tuple(f["position"]["unit_path"]), f["position"]["title"])
            for f in run["facts"]
            if any(c["section"] == "1. Закупки и снабжение" and not c["cut"] for c in f["context"])
        }
        assert chose and listed == chose
        assert all(PROCUREMENT in path for path, _ in listed)
    finally:
        systems.write_text(text, encoding="utf-8")


@needs_a101
def test_offline_drafts_name_the_functions_systems(tmp_path: Path) -> None:
    config = _config(tmp_path)
    done = run_cli(*_args(tmp_path, config, "--provider", "offline"))
    assert done.code == 0, done.stderr
    (director,) = (tmp_path / "out").rglob("Директор по закупкам.json")
    software = json.loads(director.read_text(encoding="utf-8"))["profile"]["software"]
    assert "Электронные торги" in " ".join(software) and "BIM-платформа" not in " ".join(software)
    (architect,) = (tmp_path / "out").rglob("Ведущий архитектор 2 категории.json")
    assert "BIM-платформа" in " ".join(json.loads(architect.read_text(encoding="utf-8"))["profile"]["software"])
    # a 1С programmer's trade comes first (the IT department's infrastructure systems after it), and nothing
    # the documents give is dropped as "not in the documents"
    crm = "Управление развития информационных систем / Отдел CRM"
    args = ["--config", str(config), "generate", "-d", crm, "--no-subunits", "--position", "Программист 1С"]
    where = ["--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS), "--out", str(tmp_path / "out")]
    assert run_cli(*args, "--provider", "offline", *where).code == 0
    (programmer,) = (p for p in (tmp_path / "out").rglob("Программист 1С.json") if p.parent.name == "Отдел CRM")
    document = json.loads(programmer.read_text(encoding="utf-8"))
    own = document["profile"]["software"][3:]  # after the standard package
    assert own and "1С" in " ".join(own[:4]), own
    assert not [w for w in document["meta"]["warnings"] if w.startswith("not_in_documents")]


def _word_document(path: Path) -> None:
    """A Word document as HR keeps them: a title, headings of two levels, a paragraph, a list and a table."""
    import docx

    document = docx.Document()
    document.add_heading("Информационные системы", level=1)
    document.add_heading("Отдел CRM", level=2)
    document.add_paragraph("Отдел ведёт CRM на платформе 1С: сделки, клиенты, обращения.")
    for system, purpose in (("1С:CRM", " — учёт клиентов и сделок"), ("Битрикс24", " — задачи отдела")):
        item = document.add_paragraph(style="List Bullet")
        item.add_run(system).bold = True
        item.add_run(purpose)
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, [("Система", "Назначение"), ("1С:CRM", "учёт клиентов")], strict=True):
        row.cells[0].text, row.cells[1].text = cells
    document.save(str(path))


def test_a_folder_of_markdown_and_word_documents(tmp_path: Path) -> None:
    """`documents: [folder]` takes every Markdown and Word file in it (sorted, Word's lock files left out); a
    Word document is read by its headings, paragraphs, lists and tables — its sections chosen like Markdown's."""
    from tests.conftest import SAMPLE_YAML

    docs = tmp_path / "context"
    (docs / "systems").mkdir(parents=True)
    (docs / "company.md").write_text("# Компания\n\n## Миссия\n\nСтроим города.\n", encoding="utf-8")
    _word_document(docs / "systems" / "crm.docx")
    (docs / "systems" / "~$crm.docx").write_bytes(b"\x00lock")  # Word's lock file beside an open document
    (docs / "notes.png").write_bytes(b"\x89PNG")
    config = tmp_path / "profilegen.yaml"
    config.write_text(f"context:\n  company: {{name: A101}}\n  documents: [{docs}]\n", encoding="utf-8")
    facts = ["--config", str(config), "facts", "-d", "Отдел CRM", "--org", str(SAMPLE_YAML), "--json"]
    result = run_cli(*facts, cwd=tmp_path)
    assert result.code == 0, result.stderr
    sent = {(c["file"], c["section"]) for position in json.loads(result.stdout) for c in position["context"]}
    assert ("company.md", "Миссия") in sent
    assert ("systems/crm.docx", "Отдел CRM") in sent
    assert not any("~$" in file or file.endswith(".png") for file, _section in sent)

    # the offline draft takes the unit's systems from the Word document's bold-named list, as from Markdown's
    out = tmp_path / "out"
    generate = ["--config", str(config), "generate", "-d", "Отдел CRM", "--provider", "offline", "--org"]
    assert run_cli(*generate, str(SAMPLE_YAML), "--out", str(out), cwd=tmp_path).code == 0
    (head,) = out.rglob("Руководитель отдела.json")
    assert json.loads(head.read_text(encoding="utf-8"))["profile"]["software"][3:5] == ["1С:CRM", "Битрикс24"]

    # a Word document that is not one: one line naming it, exit 2
    (docs / "broken.docx").write_text("not a zip", encoding="utf-8")
    result = run_cli(*facts, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {docs / 'broken.docx'}: cannot read the context document (not a Word document)"
    ]
    (docs / "broken.docx").unlink()

    # a folder with no document in it
    (tmp_path / "empty").mkdir()
    config.write_text(f"context:\n  company: {{name: A101}}\n  documents: [{tmp_path / 'empty'}]\n", encoding="utf-8")
    result = run_cli(*facts, cwd=tmp_path)
    assert result.code == 2
    assert "no document (.md, .markdown, .txt, .docx) in the folder" in result.stderr


def test_documents_profilegen_cannot_read_are_named(tmp_path: Path) -> None:
    """A PDF, an old Word .doc or an RTF in the documents folder is not read: generate and facts say which files
    (HR would otherwise believe the model had them); a folder of nothing else says so in its error."""
    from tests.conftest import SAMPLE_YAML

    docs = tmp_path / "context"
    docs.mkdir()
    (docs / "company.md").write_text("# Компания\n\n## Миссия\n\nСтроим города.\n", encoding="utf-8")
    (docs / "policy.pdf").write_bytes(b"%PDF-1.4")
    (docs / "regulations.DOC").write_bytes(b"\xd0\xcf\x11\xe0")
    (docs / "logo.png").write_bytes(b"\x89PNG")  # not a document: not worth a word
    config = tmp_path / "profilegen.yaml"
    config.write_text(f"context:\n  company: {{name: A101}}\n  documents: [{docs}]\n", encoding="utf-8")
    advice = "profilegen reads .md, .markdown, .txt and .docx: save it as one of them"
    said = [
        f"warning: {docs / 'policy.pdf'}: not read (a .pdf; {advice})",
        f"warning: {docs / 'regulations.DOC'}: not read (a .doc; {advice})",
    ]

    facts = ["--config", str(config), "facts", "-d", "Отдел CRM", "--org", str(SAMPLE_YAML), "--json"]
    result = run_cli(*facts, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "not read" in line] == said
    assert "logo.png" not in result.stderr

    log = tmp_path / "run.log"
    generate = ["--config", str(config), "--log-file", str(log), "generate", "-d", "Отдел CRM", "--provider"]
    result = run_cli(*generate, "offline", "--org", str(SAMPLE_YAML), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "not read" in line] == said
    assert "policy.pdf: not read" in log.read_text(encoding="utf-8")

    # a folder holding nothing profilegen reads: the error says what it found
    (docs / "company.md").unlink()
    result = run_cli(*facts, cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {docs}: no document (.md, .markdown, .txt, .docx) in the folder; "
        "it holds policy.pdf, regulations.DOC, which profilegen cannot read: save them as .docx, .md or .txt"
    ]


@needs_a101
def test_facts_as_text_name_the_company_sections_each_position_gets(run: dict[str, Any]) -> None:
    """`facts` as text (what an analyst reads) lists the company documents' sections a position's prompt carries,
    with their size, as the JSON does: it listed none, so the text left out a whole part of what the model is told."""
    shown = run_cli(
        "--config", str(run["config"]), "facts", "-d", PROCUREMENT, "--position", "Директор по закупкам",
        "--org", str(STRUCTURE), "--kpi-dir", str(WORKBOOKS),
    )  # fmt: skip
    assert shown.code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    start = lines.index("  Документы компании:")
    listed = [line for line in lines[start + 1 :] if line.startswith("    - ")]
    (director,) = [f for f in run["facts"] if f["position"]["title"] == "Директор по закупкам"]
    assert len(listed) == len(director["context"])
    procurement = next(c for c in director["context"] if c["section"] == "1. Закупки и снабжение")
    assert listed[director["context"].index(procurement)].startswith(
        f"    - it_systems.md: 1. Закупки и снабжение — {procurement['tokens']} токен"
    )
    assert not [line for line in listed if re.search(r"(?<!1)[1-4] токенов$", line)], listed  # «342 токена»
    # without documents: said so, with where to set them
    bare = run_cli("facts", "-d", PROCUREMENT, "--position", "Директор по закупкам", "--org", str(STRUCTURE))
    assert "  Документы компании: нет (context.documents в настройках)" in bare.stdout.splitlines()
