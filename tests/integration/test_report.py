"""`profilegen report`: one self-contained page, tested in a real headless Chromium with the network off."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests import browser
from tests.conftest import invoke, sample_args

UNIT = "Отдел CRM"


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample organisation's offline drafts, one planted finding, one approval, and its report."""
    from profilegen.cli.app import run

    tmp = tmp_path_factory.mktemp("report")
    out = str(tmp / "out")
    assert run(["generate", "-d", "Коммерческий блок", "-d", UNIT, "--provider", "offline", *sample_args(tmp)]) == 0
    analyst = next(p for p in (tmp / "out").rglob("Аналитик.json") if p.parent.name == UNIT)
    document = json.loads(analyst.read_text(encoding="utf-8"))
    document["profile"]["manager"] = "Генеральный директор"  # a fact the org does not say: an error finding
    analyst.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert (
        run(["approve", UNIT, "--position", "Тестировщик", "--by", "Иванова А.А.", "--note", "ок", "--out", out]) == 0
    )
    target = tmp / "review.html"
    assert run(["report", "--to", str(target), *sample_args(tmp)]) == 0
    return target


def test_the_page_is_self_contained(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = page.read_text(encoding="utf-8")
    assert "default-src 'none'" in text, "its policy forbids every request"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "no external assets"
    data = json.loads(re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S).group(1))  # type: ignore[union-attr]
    titles = {(p["t"], p["st"]) for p in data["profiles"]}
    assert ("Тестировщик", "approved") in titles and ("Аналитик", "unapproved") in titles
    crm = next(u for u in data["units"] if u["p"][-1] == UNIT)
    assert crm["c"]["positions"] == 6 and crm["c"]["approved"] == 1 and crm["c"]["errors"] == 1
    assert data["title"] == "Профиль должности: out", "no company named: OUT's folder names the report"
    named = page.parent / "profilegen.yaml"
    named.write_text('context:\n  company: {name: "ГК А101"}\n', encoding="utf-8")
    titled = page.parent / "titled.html"
    assert invoke(capsys, "--config", str(named), "report", "--to", str(titled), *sample_args(page.parent)).code == 0
    assert "<title>Профиль должности: ГК А101</title>" in titled.read_text(encoding="utf-8")
    missing = invoke(capsys, "report", "--to", str(page.parent / "x.html"), "--out", str(page.parent / "nowhere"))
    assert missing.code == 2 and "Traceback" not in missing.stderr


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    absent = browser.missing()
    if absent:
        pytest.skip(f"BROWSER TESTS SKIPPED: {', '.join(absent)} not installed (python -m tests.browser installs them)")
    chrome = browser.start_chromium(offline=True, console=True)  # JavaScript's network off
    try:
        yield chrome
    finally:
        chrome.quit()


def _visible(chrome: Any, css: str) -> int:
    return int(
        chrome.execute_script(
            f"return Array.from(document.querySelectorAll('{css}')).filter(e => e.offsetParent !== null).length"
        )
    )


def test_the_page_works_in_a_real_browser_offline(page: Path, driver: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.body.dataset.ready") == "1")
    severe = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert severe == [], severe

    # a unit's tree opens; the search narrows it to the matching positions
    all_positions = int(driver.execute_script("return document.querySelectorAll('.pos').length"))
    search = driver.find_element(By.ID, "search")
    search.send_keys("тестировщик")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "tree").get_attribute("data-shown") == "1")
    assert _visible(driver, ".pos") == 1 < all_positions
    assert _visible(driver, ".unit") == 3, "the matching position's unit and the two units above it"

    # the profile opens: status and layout
    driver.find_element(By.CSS_SELECTOR, ".pos:not(.hidden)").click()
    view = driver.find_element(By.ID, "view")
    assert "Утвержден — Иванова А.А." in view.text and "ОБЛАСТИ ОТВЕТСТВЕННОСТИ" in view.text

    # the analyst's planted error shows next to the profile, with the command that approves it
    search.clear()
    search.send_keys("аналитик crm")
    WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "tree").get_attribute("data-shown") == "1")
    driver.find_element(By.CSS_SELECTOR, ".pos:not(.hidden)").click()
    findings = driver.find_element(By.ID, "findings")
    assert "facts_mismatch" in findings.text and "Генеральный директор" in findings.text
    assert 'profilegen approve "Блок информационных технологий / ' in view.text

    # the filter keeps only profiles with errors
    search.clear()
    driver.execute_script(
        "const f = document.getElementById('filter'); f.value = 'errors'; f.dispatchEvent(new Event('change'))"
    )
    assert _visible(driver, ".pos") == 1
    severe = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
    assert severe == [], severe


def _data(page: Path) -> dict[str, Any]:
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<script id="data" type="application/json">(.*?)</script>', text, re.S)
    assert found is not None, page
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_page_per_block_and_an_index_linking_them(page: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What a large organisation gets (`--pages auto` above 5,000 profiles): the same profiles, block by block."""
    index = page.parent / "by-block.html"
    result = invoke(capsys, "report", "--to", str(index), "--pages", "blocks", *sample_args(page.parent))
    assert result.code == 0, result.stderr
    text = index.read_text(encoding="utf-8")
    assert "default-src 'none'" in text
    links = [
        (unquote(html.unescape(h)), html.unescape(n)) for h, n in re.findall(r'<a href="([^"]+)">([^<]+)</a>', text)
    ]
    whole = _data(page)
    assert sorted(name for _, name in links) == sorted(u["p"][0] for u in whole["units"] if len(u["p"]) == 1)
    seen, members = [], 0
    for href, name in links:
        block = _data(index.parent / href)
        assert all(u["p"][0] == name for u in block["units"]), "a block's page holds its block alone"
        grouped = [m for g in block["summary"]["near_duplicate_groups"] for m in g["positions"]]
        assert all(m.startswith(name) for m in grouped), "a page lists its own members of near-duplicate groups"
        members += len(grouped)
        seen += [(block["units"][p["u"]]["p"][-1], p["t"], p["st"]) for p in block["profiles"]]
    assert members == sum(len(g["positions"]) for g in whole["summary"]["near_duplicate_groups"]) > 0
    assert sorted(seen) == sorted((whole["units"][p["u"]]["p"][-1], p["t"], p["st"]) for p in whole["profiles"])
    assert invoke(capsys, "report", "--to", str(index), "--pages", "many", *sample_args(page.parent)).code == 2


def test_the_report_needs_no_file_name(tmp_path: Path) -> None:
    """`profilegen report` alone writes report.html where it is run, as `export xlsx` writes profiles.xlsx (it was
    "Error: Missing option '--to'")."""
    from tests.conftest import run_cli

    assert run_cli("generate", "-d", UNIT, "--provider", "offline", *sample_args(tmp_path), cwd=tmp_path).code == 0
    shown = run_cli("report", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    assert (tmp_path / "report.html").is_file() and "report written to report.html" in shown.stdout
