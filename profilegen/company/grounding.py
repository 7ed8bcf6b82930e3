"""Fields that may say only what the company's documents say (`source: documents` in a template).

An item (or a text) is grounded when one of its distinctive words — not a generic one like "система",
"опыт", "лет" — is, in some form, a word of the sections the position's request carried or of the positions
its career map gives (the experience a feeder position brings is a fact, not a guess). Items that are not
are left out and named in the profile's warnings; a field left with nothing says the template's `missing`
text. With neither, every such field says it: no inputs, no invention.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from profilegen.company.choosing import Picked
from profilegen.text import words
from profilegen.words.lexicon import FILLER_WORDS, forms_of

_GENERIC = [
    "система",
    "системный",
    "платформа",
    "программа",
    "программный",
    "модуль",
    "сервис",
    "портал",
    "приложение",
    "корпоративный",
    "управление",
    "учет",
    "данные",
    "документ",
    "опыт",
    "работа",
    "работы",
    "год",
    "лет",
    "не",
    "менее",
    "от",
    "до",
    "более",
    "должность",
    "специалист",
    "знание",
    "навык",
    "уровень",
    "область",
    "направление",
    "сфера",
    "аналогичный",
    "профильный",
    "system",
    "platform",
    "software",
    "tool",
    "module",
    "service",
    "portal",
    "application",
    "corporate",
    "data",
    "experience",
    "year",
    "years",
    "least",
    "more",
    "work",
    "field",
    # short words of no meaning of their own (short names — 1С, BI, CI/CD — do count)
    "за",
    "из",
    "во",
    "об",
    "ко",
    "да",
    "at",
    "to",
    "or",
    "an",
    "as",
    "by",
    "on",
    "is",
]
SHORT = 3  # a word shorter than this grounds a text only together with all its other words
GENERIC = frozenset(f for word in _GENERIC for f in forms_of(word)) | FILLER_WORDS


def vocabulary(picks: Iterable[Picked], texts: Iterable[str] = ()) -> frozenset[str]:
    """The words of the sections a request carried, and of the given texts."""
    found: set[str] = set()
    for pick in picks:
        if pick.sent:
            found.update(pick.section.counts)
    for text in texts:
        found.update(words(text))
    return frozenset(found)


def grounded(text: str, known: frozenset[str]) -> bool:
    """One of the text's distinctive words is, in some form, among the known words — a short one (BI, 1С,
    CI) only when every distinctive word of the text is: "CI/CD платформа" is grounded by "CI/CD", "Power
    BI" not by "BI-система"."""
    distinctive = [w for w in words(text) if len(w) >= 2 and not w.isdigit() and w not in GENERIC]
    found = [w in known or not forms_of(w).isdisjoint(known) for w in distinctive]
    return any(f and len(w) >= SHORT for w, f in zip(distinctive, found, strict=True)) or (bool(found) and all(found))


def ground(value: Any, known: frozenset[str], missing: str) -> tuple[Any, list[str]]:
    """A `source: documents` field's value with what the documents do not say taken out, and what was."""
    if isinstance(value, list):
        kept = [item for item in value if known and grounded(str(item), known)]
        dropped = [str(item) for item in value if item not in kept]
        return (kept or [missing]), dropped
    if isinstance(value, str) and value and value != missing:
        return (value, []) if known and grounded(value, known) else (missing, [value])
    return missing, []
