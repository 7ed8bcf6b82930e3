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
]
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
    """One of the text's distinctive words is, in some form, among the known words."""
    for word in words(text):
        if len(word) < 3 or word.isdigit() or word in GENERIC:
            continue
        if word in known or not forms_of(word).isdisjoint(known):
            return True
    return False


def ground(value: Any, known: frozenset[str], missing: str) -> tuple[Any, list[str]]:
    """A `source: documents` field's value with what the documents do not say taken out, and what was."""
    if isinstance(value, list):
        kept = [item for item in value if known and grounded(str(item), known)]
        dropped = [str(item) for item in value if item not in kept]
        return (kept or [missing]), dropped
    if isinstance(value, str) and value and value != missing:
        return (value, []) if known and grounded(value, known) else (missing, [value])
    return missing, []
