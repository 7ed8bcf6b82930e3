"""The check's records on disk: written without leaving a UTF-8 copy on the strings the check holds on to.

Pickling a str keeps its UTF-8 form on the string for as long as it lives: a cold check of 100,000 profiles
held 90 MB of such copies (every path, near-duplicate label and finding's detail) after writing its records.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

from profilegen.checking.cache import CheckCache, Entry, file_stamp
from profilegen.checking.findings import Finding, Located
from profilegen.checking.replay import record, replayed
from profilegen.checking.run import CheckResult


def _fresh(text: str) -> str:
    return "".join(list(text))  # a string of its own, never pickled or encoded before


def test_a_finding_pickled_leaves_its_detail_as_it_was() -> None:
    finding = Finding("template_kpis", "warning", _fresh("КПЭ из шаблона: «Доля повторных обращений»"))
    size = sys.getsizeof(finding.detail)
    copy = pickle.loads(pickle.dumps(finding, protocol=pickle.HIGHEST_PROTOCOL))
    assert sys.getsizeof(finding.detail) == size
    assert copy == finding


def test_the_per_file_records_keep_their_paths_as_they_were(tmp_path: Path) -> None:
    profile = tmp_path / "Блок продаж" / "Отдел CRM — Аналитик.json"
    profile.parent.mkdir()
    profile.write_text("{}", encoding="utf-8")
    old = time.time() - 60
    os.utime(profile, (old, old))
    stamp = file_stamp(profile)
    assert stamp is not None
    path = _fresh(str(profile))
    finding = Finding("template_kpis", "warning", _fresh("КПЭ из шаблона"))
    cache = CheckCache.load(tmp_path, "digest", "text")
    text, sketch = np.arange(5, dtype=np.uint32), bytes(range(8))
    cache.note(path, (("Блок",), "Инженер"), text, Entry(stamp, _fresh("Иванов Иван"), (finding,), text, sketch))
    sizes = [sys.getsizeof(path), sys.getsizeof(finding.detail)]
    cache.save()
    assert [sys.getsizeof(path), sys.getsizeof(finding.detail)] == sizes
    again = CheckCache.load(tmp_path, "digest", "text").get(str(profile), stamp)
    assert again is not None and again.findings == (finding,) and again.employee == "Иванов Иван"
    assert again.shingles.tolist() == [0, 1, 2, 3, 4]
    assert again.sketch == bytes(range(8)), "a text's band keys are kept with it"


def test_the_last_answer_is_recorded_without_copies_and_replayed_the_same(tmp_path: Path) -> None:
    profile = tmp_path / "Отдел CRM — Аналитик.json"
    profile.write_text("{}", encoding="utf-8")
    old = time.time() - 60
    os.utime(profile, (old, old))
    label = _fresh("Блок продаж / Отдел CRM — Аналитик")
    finding = Finding("near_duplicate", "warning", _fresh("почти тот же текст, что у: Отдел CRM — Специалист"))
    result = CheckResult(
        findings=[Located(("Блок продаж", "Отдел CRM"), "Аналитик", None, finding)],
        profiles=1,
        groups=[{"similarity": 0.9, "positions": [label]}],
    )
    path = _fresh(str(profile))
    sizes = [sys.getsizeof(label), sys.getsizeof(finding.detail), sys.getsizeof(path)]
    record(tmp_path, "key", [path], [file_stamp(path)], [], result, time.time_ns())
    assert [sys.getsizeof(label), sys.getsizeof(finding.detail), sys.getsizeof(path)] == sizes
    assert replayed(tmp_path, "key", CheckResult) == result
    profile.write_text('{"changed": 1}', encoding="utf-8")
    os.utime(profile, (old, old))
    assert replayed(tmp_path, "key", CheckResult) is None, "a file read that changed since: no answer to replay"


def test_a_finding_shared_by_many_profiles_is_recorded_once_and_shared_again(tmp_path: Path) -> None:
    # a near-duplicate group's members past the first few share one finding: 100,000 copies of its long
    # detail read back took the replay of a check from 224 to 494 MB
    common = Finding("near_duplicate", "warning", "почти тот же текст, что у 99 999 других: " + "Отдел; " * 200)
    own = Finding("template_kpis", "warning", "КПЭ из шаблона")
    found = [Located(("Блок", f"Отдел {n}"), "Специалист", None, common) for n in range(300)]
    found.append(Located(("Блок", "Отдел 0"), "Специалист", None, own))
    result = CheckResult(findings=found, profiles=301)
    record(tmp_path, "key", [], [], [], result, time.time_ns())
    again = replayed(tmp_path, "key", CheckResult)
    assert again is not None and again.findings == found
    assert len({id(located.finding) for located in again.findings}) == 2, "one detail read back, shared again"
    assert (tmp_path / "check-last.pickle").stat().st_size < 20_000, "the long detail written once, not 300 times"
