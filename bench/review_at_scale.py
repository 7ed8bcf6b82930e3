"""Review at scale on the real organisation (offline drafts of all 1,689 positions): `check` with its
near-duplicate step, that step beside comparing every pair exactly, and the report page — its weight and
how long headless Chromium takes to open it.

Run: .venv/bin/python -m bench.review_at_scale
"""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from bench.common import A101, STRUCTURE, need_fixture
from profilegen.checking.rules import written_texts
from profilegen.checking.run import check_profiles
from profilegen.checking.seen import Seen
from profilegen.checking.similar import Shingles, near_duplicates, shingles
from profilegen.cli.app import run
from profilegen.config import Settings
from profilegen.inputs import Selection
from profilegen.reporting.data import report_data
from profilegen.reporting.page import render_page
from profilegen.template.loader import load_template


def _all_pairs(arrays: list[Shingles], owners: list[object], threshold: float) -> int:
    """The same question answered without an index: every pair's exact similarity."""
    sets = [frozenset(a.tolist()) for a in arrays]
    pairs = 0
    for i, j in itertools.combinations(range(len(sets)), 2):
        if owners[i] != owners[j] and len(sets[i] & sets[j]) / max(1, len(sets[i] | sets[j])) >= threshold:
            pairs += 1
    return pairs


def _open_in_chromium(page: Path) -> list[int] | None:
    from tests import browser

    if browser.missing():
        print(f"  (no Chromium here: {', '.join(browser.missing())} missing — python -m tests.browser)")
        return None
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser.start_chromium()
    try:
        times = []
        for _ in range(3):
            driver.get("about:blank")
            driver.get(page.as_uri())
            WebDriverWait(driver, 60).until(lambda d: d.execute_script("return document.body.dataset.ready") == "1")
            times.append(int(driver.execute_script("return Number(document.body.dataset.readyMs)")))
        return times
    finally:
        driver.quit()


def main() -> None:
    if not need_fixture():
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        common = ["--org", str(STRUCTURE), "--kpi-dir", str(A101 / "kpi"), "--out", str(out)]
        assert run(["-q", "generate", "--all", "--provider", "offline", "--format", "json", *common]) == 0
        settings = Settings(org=STRUCTURE, kpi_dir=A101 / "kpi", out=out)
        template = load_template(None, "ru")
        started = time.perf_counter()
        seen: list[Seen] = []
        result = check_profiles(settings, Selection(), out / ".profilegen", seen=seen)
        checked = time.perf_counter() - started
        summary = result.summary()
        print(f"check --all: {result.profiles:,} profiles in {checked:.2f} s; findings by rule: {summary['by_rule']}")
        groups = summary["near_duplicate_groups"]
        print(
            f"  near-duplicate groups: {len(groups)}, largest {max((len(g['positions']) for g in groups), default=0)}"
        )

        read = [(s, s.document()) for s in seen]
        drafts = [(s, document) for s, document in read if document is not None]
        sets = [shingles([t for _spec, t in written_texts(document["profile"], template)]) for _, document in drafts]
        owners: list[object] = [s.owner[:2] for s, _ in drafts]
        threshold = settings.check.near_duplicate
        started = time.perf_counter()
        near_duplicates(sets, owners, threshold)
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        pairs = _all_pairs(sets, owners, threshold)
        exhaustive = time.perf_counter() - started
        print(
            f"  near-duplicates with MinHash LSH: {indexed:.2f} s; every pair exactly: {exhaustive:.2f} s "
            f"({pairs:,} similar pairs); ratio {indexed / exhaustive:.2f}"
        )

        page = Path(tmp) / "review.html"
        started = time.perf_counter()
        page.write_text(render_page(report_data(result, seen, template, "bench")), encoding="utf-8")
        print(f"report: {page.stat().st_size / 1e6:.1f} MB written in {time.perf_counter() - started:.2f} s")
        opened = _open_in_chromium(page)
        if opened is not None:
            best, worst = min(opened), max(opened)
            print(f"  opened in headless Chromium, navigation to ready: {best} ms best, {worst} ms worst of 3")


if __name__ == "__main__":
    main()
