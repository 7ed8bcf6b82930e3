"""A report too large for one page: a page per block of the organisation, and an index page that links them.

A page holding 100,000 profiles weighs some 175 MB, opens in no browser and took gigabytes to make; a page per
block is made, written and let go one at a time. Each page is the usual review page over its block (its tree,
counts, findings and filters); the index is plain HTML with each block's counts and the summary of all.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from profilegen.checking.findings import Located, owner_label
from profilegen.checking.run import CheckResult
from profilegen.checking.seen import Seen
from profilegen.forking import in_two
from profilegen.reporting.data import report_data
from profilegen.reporting.page import render_page
from profilegen.template.model import Template

ONE_PAGE_MAX = 5_000  # profiles one page holds (`--pages auto`); above it, a page per block
PAGES_FORK_FROM = 4  # pages from which the second core makes every other stretch of them


@dataclass(slots=True)
class Block:
    name: str
    result: CheckResult  # the findings, counts and near-duplicate groups of its profiles
    seen: list[Seen]


def blocks(result: CheckResult, seen: list[Seen]) -> list[Block]:
    """The selection split by top-level unit, in the organisation's order."""
    found: dict[str, Block] = {}
    for item in seen:
        block = item.owner[0][0]
        if block not in found:
            found[block] = Block(block, CheckResult(language=result.language), [])
        part = found[block]
        part.seen.append(item)
        if item.path is None:
            part.result.not_generated += item.owner[2] is None
        else:
            part.result.profiles += 1
    findings: dict[str, list[Located]] = {}
    for located in result.findings:
        findings.setdefault(located.unit_path[0], []).append(located)
    for name, part in found.items():
        part.result.findings = findings.get(name, [])
    # a group as far as each block goes: a block's page lists its own members (a group of 100,000 offline
    # drafts listed whole on each of 500 pages made 8 GB)
    block_of = {owner_label(item.owner): item.owner[0][0] for item in seen}
    for group in result.groups:
        members: dict[str, list[str]] = {}
        for member in group["positions"]:
            members.setdefault(block_of.get(member, ""), []).append(member)
        for name, labels in members.items():
            if name in found:
                found[name].result.groups.append({**group, "positions": labels})
    return list(found.values())


def index_page(title: str, language: str, summary: dict[str, Any], rows: list[tuple[str, str, dict[str, int]]]) -> str:
    """The index: the summary of all blocks and a row per block (its name linking its page, its counts)."""
    words = INDEX["en" if language == "en" else "ru"]
    head = "".join(f"<th>{html.escape(w)}</th>" for w in words["columns"])
    body = "".join(
        f'<tr><td><a href="{html.escape(href)}">{html.escape(name)}</a></td>'
        + "".join(f"<td>{counts.get(k, 0):,}</td>" for k in COLUMNS)
        + "</tr>"
        for name, href, counts in rows
    )
    said = words["summary"].format(
        profiles=summary["profiles"],
        missing=summary["not_generated"],
        errors=summary["errors"],
        warnings=summary["warnings"],
        blocks=len(rows),
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(said)}</p>\n<p>{html.escape(words['hint'])}</p>\n"
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>{body}</tbody>\n</table>\n</body>\n</html>\n"
    )


def page_href(folder: str, name: str) -> str:
    """A block page's link from the index beside its folder (each part escaped for a URL)."""
    return f"{quote(folder)}/{quote(name)}.html"


COLUMNS = ("positions", "generated", "errors", "warnings", "template_kpis", "approved")
INDEX: dict[str, dict[str, Any]] = {
    "ru": {
        "columns": ("Блок", "Должностей", "Профилей", "С ошибками", "С замечаниями", "Шаблонные КПЭ", "Утверждено"),
        "summary": "профилей {profiles} (не создано {missing}) · ошибок {errors} · предупреждений {warnings} · "
        "блоков {blocks}",
        "hint": "Профилей больше, чем помещается на одну страницу: у каждого блока своя страница.",
    },
    "en": {
        "columns": ("Block", "Positions", "Generated", "With errors", "With findings", "Template KPIs", "Approved"),
        "summary": "profiles {profiles} (not generated {missing}) · errors {errors} · warnings {warnings} · "
        "blocks {blocks}",
        "hint": "More profiles than one page holds: each block has a page of its own.",
    },
}
STYLE = (
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;margin:16px;color:#1f2328}"
    "table{border-collapse:collapse}th,td{border-bottom:1px solid #d9dde3;padding:4px 10px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
)


def block_pages(parts: Sequence[Block], template: Template, title: str) -> Iterator[tuple[str, bytes, dict[str, int]]]:
    """Each block's page (its name, the page, its top unit's counts) in order, made on two cores: every other
    stretch of blocks by a forked copy, which reads their profiles and sends the pages back (at 100,000 profiles
    making the pages took longer than checking them)."""
    making = functools.partial(_made, template=template, title=title)
    # a page a turn: blocks differ a hundredfold in size, and neither process waits longer than one page takes
    yield from in_two(parts, making, least=PAGES_FORK_FROM, turns=len(parts))


def _made(parts: Sequence[Block], template: Template, title: str) -> Iterator[tuple[str, bytes, dict[str, int]]]:
    for part in parts:  # a page made and let go at a time
        data = report_data(part.result, part.seen, template, f"{title} — {part.name}")
        yield part.name, render_page(data).encode("utf-8"), data["units"][0]["c"]
