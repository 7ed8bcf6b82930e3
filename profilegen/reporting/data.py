"""What the review page holds: the org tree with counts and a status per unit, and each profile's blocks
(in its template's layout), findings and review status — plain data, encoded once as JSON in the page."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

from profilegen.approval import APPROVED, CHANGED
from profilegen.checking.findings import Located
from profilegen.checking.run import CheckResult
from profilegen.checking.seen import Seen
from profilegen.export.sections import meta_line, title_of
from profilegen.template.documents import readable
from profilegen.template.layout import Block, Bullets, Field, Table, Text, document_sections
from profilegen.template.model import Template

COUNTS = ("positions", "generated", "template_kpis", "errors", "warnings", "approved")


def _block(block: Block) -> list[Any]:
    """A block as the page's script draws it: a kind letter, then its parts."""
    if isinstance(block, Field):
        return ["f", block.label, block.value]
    if isinstance(block, Text):
        return ["x", block.text]
    if isinstance(block, Bullets):
        return ["b", block.heading or "", list(block.items)]
    if isinstance(block, Table):
        return ["t", block.heading or "", list(block.headers), [list(r) for r in block.rows]]
    raise TypeError(type(block).__name__)


def _profile(item: Seen, findings: list[Located], template: Template, unit: int) -> dict[str, Any]:
    found = item.document()
    entry: dict[str, Any] = {
        "u": unit,
        "t": item.owner[1],
        "e": item.owner[2],
        "st": item.status if found is not None else "missing",
        "f": [[f.finding.severity[0], f.finding.rule, f.finding.detail] for f in findings],
    }
    if item.approval:
        entry["ap"] = {k: item.approval.get(k, "") for k in ("by", "at", "note")}
    judge = item.score(found)
    if judge:
        entry["j"] = {k: judge.get(k) for k in ("mean", "scores", "reasons", "model")}
    if found is not None:
        document, own = readable(found, template)
        entry["h"] = title_of(document)
        entry["s"] = [[s.title, [_block(b) for b in s.blocks]] for s in document_sections(document, own)]
        entry["m"] = meta_line(document)
        entry["k"] = (document.get("meta") or {}).get("kpi_source") == "template"
    return entry


SHARED_MIN = 8  # a text this long or longer, said by more than one profile, is written once in the page


def _shared_strings(profiles: list[dict[str, Any]]) -> list[str]:
    """Texts said in many profiles (offline drafts and fixed level texts say the same thing a thousand times)
    are kept once: where they were, the profile's blocks and findings hold their number."""
    said: list[str] = []
    for entry in profiles:
        for part in ("s", "f"):
            if part in entry:
                _texts(entry[part], said)
    counts = Counter(said)
    del said
    table = [text for text, n in counts.items() if n > 1 and len(text) >= SHARED_MIN]
    number = {text: i for i, text in enumerate(table)}
    for entry in profiles:
        for part in ("s", "f"):
            if part in entry:
                entry[part] = _replace(entry[part], number)
    return table


# both walk a list at a call, not an item (a call and a generator an item took half of a report's making)
def _texts(value: list[Any], said: list[str]) -> None:
    """Every text in the nested lists, in order, added to ``said``."""
    for item in value:
        if isinstance(item, str):
            said.append(item)
        elif isinstance(item, list):
            _texts(item, said)


def _replace(value: list[Any], number: dict[str, int]) -> list[Any]:
    return [
        number.get(item, item) if isinstance(item, str) else _replace(item, number) if isinstance(item, list) else item
        for item in value
    ]


def report_data(result: CheckResult, seen: list[Seen], template: Template, title: str) -> dict[str, Any]:
    """The page's data: units in tree order (each with counts over itself and the units below it)."""
    by_owner: dict[tuple[Any, ...], list[Located]] = defaultdict(list)
    for located in result.findings:
        by_owner[(located.unit_path, located.title, located.employee)].append(located)
    paths = sorted({item.owner[0][:depth] for item in seen for depth in range(1, len(item.owner[0]) + 1)})
    index = {path: i for i, path in enumerate(paths)}
    counts = [dict.fromkeys(COUNTS, 0) for _ in paths]
    profiles = []
    for item in seen:
        findings = by_owner.get(item.owner, [])
        path = item.owner[0]
        entry = _profile(item, findings, template, index[path])
        profiles.append(entry)
        for depth in range(1, len(path) + 1):
            c = counts[index[path[:depth]]]
            c["positions"] += 1
            c["generated"] += entry["st"] != "missing"
            c["template_kpis"] += bool(entry.get("k"))
            c["errors"] += any(f.finding.severity == "error" for f in findings)
            c["warnings"] += bool(findings) and not any(f.finding.severity == "error" for f in findings)
            c["approved"] += item.status == APPROVED
    strings = _shared_strings(profiles)
    return {
        "strings": strings,
        "title": title,
        "made": time.strftime("%Y-%m-%d %H:%M"),
        "lang": template.language,
        "units": [{"p": list(path), "c": counts[i]} for i, path in enumerate(paths)],
        "profiles": profiles,
        "summary": result.summary() | {"changed": sum(1 for s in seen if s.status == CHANGED)},
    }
