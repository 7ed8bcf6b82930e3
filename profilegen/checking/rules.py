"""The rules a profile is checked by, each a function of the profile, its position's facts and the form.

Every rule reads what a reviewer reads (the profile on disk) against what profilegen knows now (the
position's facts); none calls a model. A rule returns findings; the run adds where they were found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from profilegen.checking.findings import ERROR, WARNING, Finding
from profilegen.checking.said import count, say
from profilegen.checking.shapes import sections
from profilegen.company.choosing import STOP_WORDS
from profilegen.config import CheckSettings
from profilegen.generation.context import PositionContext
from profilegen.generation.document import Form, fact_value
from profilegen.kpi.workbook import TOLERANCE
from profilegen.template.model import FieldSpec, Template
from profilegen.text import normal_words, normalize, normalize_all, words
from profilegen.words.lexicon import forms_of

RULES = (
    "generic_markers",
    "empty_section",
    "thin_section",
    "malformed_section",
    "duplicate_tasks",
    "foreign_unit_task",
    "level_category",
    "kpi_weights",
    "template_kpis",
    "facts_mismatch",
    "near_duplicate",
    "empty_career",
    "judge_score",
)
# What HR counted in the old system's profiles (13.6 a profile): phrases that could be about any company.
GENERIC_MARKERS = (
    "например",
    "или аналоги",
    "или аналогичн",
    "как правило",
    "обычно",
    "и т.п.",
    "и т. п.",
    "и т.д.",
    "и т. д.",
    "и другие",
    "e.g.",
    "for example",
    "such as",
    "or similar",
    "or equivalent",
    "typically",
    "usually",
    "etc.",
)
# A task that names another unit to work *with* it stays inside its own unit.
_TOGETHER = frozenset(
    f
    for w in ("взаимодействие", "взаимодействовать", "совместно", "согласование", "согласовывать", "координация")
    for f in forms_of(w)
) | {"with", "interact", "coordinate", "liaise", "jointly"}
_UNCHECKED = ("date", "prepared_by")  # facts of the day a profile was made, not of the position
EXCERPT = 120


@dataclass(frozen=True, slots=True)
class Texts:
    """A profile's written texts as the rules and shingles read them, worked out once for all of them: each rule
    walking the profile, normalising and splitting its texts anew cost an eighth of a profile's checking where
    drafts repeat, a third where no text was seen before (as a model writes them)."""

    written: list[str]  # every text the model wrote (`written_texts`)
    normals: list[str]  # each normalised
    words: list[list[str]]  # each one's words
    tasks: list[tuple[str, str, list[str]]]  # each task, normalised, and its words


@dataclass(frozen=True, slots=True)
class Profile:
    """One profile file as a rule sees it: its content, its texts and the facts of its position now."""

    profile: dict[str, Any]
    meta: dict[str, Any]
    context: PositionContext
    texts: Texts


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def _strings(value: Any, spec: FieldSpec) -> Iterator[str]:
    """The text a written field holds, item by item (numbers, levels and choices are no text)."""
    if spec.kind == "text" and isinstance(value, str):
        yield value
    elif spec.kind == "list" and isinstance(value, list):
        yield from (str(v) for v in value if v is not None)
    elif spec.kind in ("areas", "table") and isinstance(value, list):
        text_columns = [c.key for c in spec.columns if c.kind == "text"]
        for entry in value:
            if not isinstance(entry, dict):
                continue
            if spec.kind == "table":
                yield from (str(entry[k]) for k in text_columns if entry.get(k))
                continue
            if entry.get("name"):
                yield str(entry["name"])
            for item in entry.get("items") or []:
                if isinstance(item, dict):
                    yield from (str(item[k]) for k in text_columns if item.get(k))
                elif item is not None:
                    yield str(item)


def written_texts(profile: dict[str, Any], template: Template) -> Iterator[tuple[FieldSpec, str]]:
    """Every text the model wrote, with its field (the template's fixed items and `missing` left out)."""
    missing = template.texts.get("missing", "")
    for spec in template.written:
        fixed = set(spec.start_with)
        for text in _strings(profile.get(spec.key), spec):
            if text and text != missing and text not in fixed:
                yield spec, text


def tasks(profile: dict[str, Any], template: Template) -> list[str]:
    """The tasks of the profile: the items of its areas fields that are plain text."""
    found = []
    for spec in template.written:
        value = profile.get(spec.key)
        if spec.kind == "areas" and not spec.columns and isinstance(value, list):
            for area in value:
                if isinstance(area, dict):
                    found += [str(t) for t in area.get("items") or [] if isinstance(t, str)]
    return found


def texts_of(profile: dict[str, Any], template: Template, every: bool = True) -> Texts:
    """The profile's texts (``every``: all of them; else its tasks alone, all the rules of its facts read)."""
    if not every:
        said = tasks(profile, template)
        return Texts([], [], [], [(t, n, normal_words(n)) for t, n in zip(said, normalize_all(said), strict=True)])
    written = [text for _spec, text in written_texts(profile, template)]
    normals = normalize_all(written)
    split = [normal_words(normal) for normal in normals]
    known = dict(zip(written, zip(normals, split, strict=True), strict=True))
    read = []
    for task in tasks(profile, template):  # a task is a written text, unless the template fixed it
        if task not in known:
            normal = normalize(task)
            known[task] = (normal, normal_words(normal))
        read.append((task, *known[task]))
    return Texts(written, normals, split, read)


@lru_cache(maxsize=8)
def _markers(markers: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern finding every marker (longest first) at a word's start, and each match's marker."""
    keys = {normalize(m): m for m in markers}
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})"), keys


def generic_markers(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    markers = settings.generic_markers if settings.generic_markers is not None else GENERIC_MARKERS
    if not markers:
        return []
    pattern, keys = _markers(tuple(markers))
    texts = item.texts
    # all texts in one scan: a normalised text holds no line break, so no marker spans two of them, and each text
    # starts after a non-word as a text of its own does
    counts: dict[str, int] = {}
    for found in pattern.findall("\n".join(texts.normals)):
        counts[keys[found]] = counts.get(keys[found], 0) + 1
    total = sum(counts.values())
    if total <= settings.max_generic_markers:
        return []
    first = next(text for text, normal in zip(texts.written, texts.normals, strict=True) if pattern.search(normal))
    said = ", ".join(f"«{m}» ×{n}" for m, n in counts.items())
    language = form.template.language
    phrases = count(language, total, "generic phrase")
    return [
        Finding(
            "generic_markers", WARNING, say(language, "generic_markers", count=phrases, said=said, first=excerpt(first))
        )
    ]


def duplicate_tasks(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    seen: dict[tuple[str, ...], str] = {}
    found = []
    for task, _normal, said in item.texts.tasks:
        key = tuple(said)
        if key in seen:
            found.append(
                Finding("duplicate_tasks", WARNING, say(form.template.language, "duplicate_tasks", task=excerpt(task)))
            )
        seen.setdefault(key, task)
    return found


@lru_cache(maxsize=1 << 12)
def _distinctive(name: str) -> frozenset[str]:
    return frozenset(w for w in words(name) if len(w) > 2 and w not in STOP_WORDS and not w.isdigit())


def _has(text_forms: set[str], word: str) -> bool:
    return word in text_forms or not forms_of(word).isdisjoint(text_forms)


@lru_cache(maxsize=1 << 12)
def _forms_of_words(text: str) -> frozenset[str]:
    """The text's words with every form of each (a unit's name is asked about by each of its positions)."""
    return frozenset(form for w in words(text) for form in (w, *forms_of(w)))


def _named_siblings(
    unit_path: tuple[str, ...], title: str, sibling_units: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, frozenset[str]], ...]:
    """The sibling units a task could name, each with the distinctive words the position's own units lack:
    every distinctive word of its name that the position's own units do not share — two at least, unless its
    name has only one ("отдела инфраструктуры" names «Отдел инфраструктуры»; "внутренние регламенты" does
    not name «Внутренние социальные объекты»)."""
    own = frozenset().union(*(_forms_of_words(text) for text in (*unit_path, title)))
    siblings = []
    for name, _purpose in sibling_units:
        full = _distinctive(name)
        marks = full - own
        if len(marks) >= 2 or (marks and len(full) == 1):
            siblings.append((name, marks))
    return tuple(siblings)


@lru_cache(maxsize=1 << 14)
def _together(word: str) -> bool:
    return word in _TOGETHER or not forms_of(word).isdisjoint(_TOGETHER)


@lru_cache(maxsize=1 << 12)
def _naming_kpis(names: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern finding any of the KPI names (normalised) anywhere in a text."""
    return re.compile("|".join(re.escape(normalize(name)) for name in names))


def foreign_unit_task(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    """A task that names a sibling unit (its distinctive words, in any form) as the position's own work."""
    context = item.context
    siblings = _named_siblings(context.unit_path, context.title, context.sibling_units)
    kpis = _naming_kpis(tuple(k.name for k in context.kpis)) if context.kpis else None
    found = []
    for task, normal, task_words in item.texts.tasks:
        if kpis is not None and kpis.search(normal):
            continue  # a task about one of its own KPIs is its own work
        said = set(task_words)
        if any(_together(w) for w in said):
            continue
        for name, marks in siblings:
            if all(_has(said, w) for w in marks):
                detail = say(form.template.language, "foreign_unit_task", unit=name, task=excerpt(task))
                found.append(Finding("foreign_unit_task", WARNING, detail))
                break
    return found


def _levels(profile: dict[str, Any], template: Template) -> list[int]:
    levels = []
    for spec in template.written:
        keys = [c.key for c in spec.columns if c.kind == "level"]
        value = profile.get(spec.key)
        if not keys or not isinstance(value, list):
            continue
        rows = value if spec.kind == "table" else [r for area in value if isinstance(area, dict) for r in area["items"]]
        levels += [r[k] for r in rows if isinstance(r, dict) for k in keys if isinstance(r.get(k), int)]
    return levels


def level_category(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    levels = _levels(item.profile, form.template)
    if len(levels) < 2:
        return []
    manages = item.context.is_head or item.context.category != "specialist"
    language = form.template.language
    skills = count(language, len(levels), "skill")
    if not manages and min(levels) == 4:
        return [Finding("level_category", WARNING, say(language, "specialist_levels", count=skills))]
    if manages and max(levels) == 1:
        return [Finding("level_category", WARNING, say(language, "head_levels", count=skills))]
    return []


def kpi_weights(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    spec = form.template.fact_field("kpis")
    rows = item.profile.get(spec.key) if spec is not None else None
    if not isinstance(rows, list):
        return []
    weights = [r.get("weight") for r in rows if isinstance(r, dict)]
    numbers = [float(w) for w in weights if isinstance(w, int | float) and not isinstance(w, bool)]
    if not numbers:
        return []
    total = sum(numbers)
    if abs(total - 1) <= TOLERANCE:
        return []
    detail = say(form.template.language, "kpi_weights", total=f"{total:.3g}", count=len(numbers))
    return [Finding("kpi_weights", ERROR, detail)]


def template_kpis(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    if item.meta.get("kpi_source") != "template":
        return []
    detail = say(form.template.language, "template_kpis", file=item.meta.get("kpi_file") or "?")
    return [Finding("template_kpis", WARNING, detail)]


def facts_mismatch(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    """A fact field that says something else than what profilegen's facts say now."""
    found = []
    language = form.template.language
    for spec in form.template.fields:
        if spec.fact is None or spec.fact in _UNCHECKED or spec.key not in item.profile:
            continue
        now = fact_value(spec, item.context, form, "")
        said = item.profile[spec.key]
        if _same(said, now):
            continue
        if isinstance(said, list) and isinstance(now, list) and len(said) == len(now):
            said, now = next(
                (a, b) for a, b in zip(said, now, strict=True) if not _same(a, b)
            )  # the first that differs
        shown = say(
            language, "facts_mismatch", label=spec.label, said=_short(said, language), now=_short(now, language)
        )
        found.append(Finding("facts_mismatch", ERROR, shown))
    return found


def _same(a: Any, b: Any) -> bool:
    if a == b:  # the usual answer, in one comparison; the tolerance below is for numbers that differ
        return True
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _short(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return "«" + excerpt("; ".join(f"{k}: {v}" for k, v in value.items())) + "»"
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return count(language, len(value), "row")
        return excerpt("; ".join(str(v) for v in value)) if value else say(language, "nothing")
    return f"«{excerpt(str(value))}»" if value not in (None, "") else say(language, "nothing")


def empty_career(item: Profile, form: Form, settings: CheckSettings) -> list[Finding]:
    if item.context.feeders or item.context.targets:
        return []
    return [Finding("empty_career", WARNING, say(form.template.language, "empty_career"))]


Rule = Callable[[Profile, Form, CheckSettings], list[Finding]]
# what a profile's text alone decides (with the template and the check settings): kept in the check's records
# across a change of inputs
CONTENT_RULES: tuple[Rule, ...] = (generic_markers, sections, duplicate_tasks, kpi_weights, template_kpis)
FACT_RULES: tuple[Rule, ...] = (foreign_unit_task, level_category, facts_mismatch, empty_career)
