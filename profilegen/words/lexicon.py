"""Word forms from the OpenCorpora dictionary that pymorphy3-dicts-ru ships, for whole-word matching.

A word of a KPI file matches a word of a unit's name when the latter is one of its forms: any form of
any lexeme the word belongs to, every reading rather than a guess at the likeliest one — "закупки"
matches "закупок", "данных" matches "данные" and "данный". A file's few dozen words are looked up and
their lexemes spelt out once; a unit's words are then plain set lookups. The dictionary is used directly
(a memory-mapped words DAWG, the paradigm table, the suffix list: about 5 ms), not through pymorphy3's
analyser, which also builds 5,500 grammatical tags, the prediction tables and a probability model
(about 55 ms with its import) that matching does not use.

pymorphy3 itself is loaded only for words the dictionary does not know ("цифровизации"), and only when
such a word of a unit meets an unknown word of a file that starts with the same three letters: its
predicted lemmas then decide. A form the dictionary does not know is never taken for a form of a word
it knows. Latin words and numbers are compared case-folded, as they are.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from profilegen.text import words
from profilegen.words.dawg import RecordDawg

_CYRILLIC = re.compile(r"[а-яё]")
_YO = {"е": "ё"}  # "елка" finds "ёлка"
_PREFIX = 3  # an unknown word can only share a lemma with an unknown word that starts the same way


def dictionary_path() -> Path:
    import pymorphy3_dicts_ru  # type: ignore[import-untyped]

    return Path(pymorphy3_dicts_ru.get_path())


class Lexicon:
    """The forms of every word the dictionary knows (pymorphy3's dictionary format 2.x)."""

    def __init__(self, path: Path) -> None:
        meta = dict(json.loads((path / "meta.json").read_text("utf-8")))
        version = str(meta.get("format_version", ""))
        if not version.startswith("2."):
            raise RuntimeError(f"{path}: dictionary format {version!r} is not the 2.x this reader knows")
        options = meta.get("compile_options") or {}
        if "paradigm_prefixes" in options:
            self._prefixes: list[str] = list(options["paradigm_prefixes"])
        else:  # older 2.x dictionaries keep them in a file of their own
            self._prefixes = json.loads((path / "paradigm-prefixes.json").read_text("utf-8"))
        self._suffixes: list[str] = json.loads((path / "suffixes.json").read_text("utf-8"))
        self._shorts = array("H", (path / "paradigms.array").read_bytes())
        self._offsets = _paradigm_offsets(self._shorts)
        self._words = RecordDawg(path / "words.dawg", ">HH")  # word -> (paradigm, form) records

    def forms(self, word: str) -> frozenset[str] | None:
        """Every form of every lexeme a lower-case word belongs to (ё written е); None when it is unknown."""
        found: set[str] = set()
        for fixed, parses in self._words.similar_items(word, _YO):
            for para_id, index in parses:
                found.update(self._lexeme(para_id, index, fixed))
        return frozenset(form.replace("ё", "е") for form in found) if found else None

    def knows(self, word: str) -> bool:
        return bool(self._words.similar_items(word, _YO))

    def _lexeme(self, para_id: int, index: int, word: str) -> list[str]:
        # A paradigm holds its forms' suffix ids, then tag ids, then prefix ids; a form is prefix + stem + suffix.
        shorts, start = self._shorts, self._offsets[para_id] + 1
        count = shorts[start - 1] // 3
        prefixes, suffixes = self._prefixes, self._suffixes
        prefix = prefixes[shorts[start + 2 * count + index]]
        stem = word[len(prefix) : len(word) - len(suffixes[shorts[start + index]])]
        return [prefixes[shorts[start + 2 * count + k]] + stem + suffixes[shorts[start + k]] for k in range(count)]


def _paradigm_offsets(shorts: array[int]) -> list[int]:
    """paradigms.array: a count, then per paradigm its length and that many unsigned shorts."""
    offsets, position = [], 1
    for _ in range(shorts[0]):
        offsets.append(position)
        position += 1 + shorts[position]
    return offsets


@cache
def _lexicon() -> Lexicon:
    return Lexicon(dictionary_path())


@cache
def _analyzer() -> Any:
    import pymorphy3  # the full analyser: only to predict lemmas of words the dictionary does not know

    return pymorphy3.MorphAnalyzer(path=str(dictionary_path()), lang="ru")


@dataclass(frozen=True, slots=True)
class Term:
    """A word of a KPI file (department, alias, template match) with every form it takes."""

    text: str
    forms: frozenset[str] | None  # None: a Russian word the dictionary does not know


@lru_cache(maxsize=4096)
def term(text: str) -> Term:
    """A normalised word with the forms of its lexemes."""
    if not _CYRILLIC.search(text):
        return Term(text, frozenset({text}))
    return Term(text, _lexicon().forms(text))


# words that join a name's content words ("Директор по закупкам", "г. Москва") and carry no meaning of their own
FILLER_WORDS = frozenset({"по", "и", "в", "на", "с", "со", "для", "г", "of", "and", "for", "the", "in"})


@lru_cache(maxsize=1 << 15)
def forms_of(word: str) -> frozenset[str]:
    """Every form of the word's lexemes (the word itself when the dictionary does not know it)."""
    return term(word).forms or frozenset({word})


def same_word(a: str, b: str) -> bool:
    """``b`` is ``a`` or one of its forms."""
    return a == b or b in forms_of(a)


def terms(text: str) -> tuple[Term, ...]:
    """The whole words of a text as terms, in order."""
    return tuple(term(w) for w in words(text))


@lru_cache(maxsize=65536)
def _unknown(text: str) -> bool:
    return bool(_CYRILLIC.search(text)) and not _lexicon().knows(text)


@lru_cache(maxsize=4096)
def predicted(text: str) -> frozenset[str]:
    """pymorphy3's guesses at the lemmas of a word its dictionary does not know, and the word itself."""
    return frozenset({text, *(str(p.normal_form).replace("ё", "е") for p in _analyzer().parse(text))})


def matches(item: Term, text: str) -> bool:
    """True when a normalised word of a unit's name is a form of the term."""
    if item.forms is not None:
        return text in item.forms
    if text == item.text:
        return True
    return (
        text[:_PREFIX] == item.text[:_PREFIX]
        and _unknown(text)
        and not predicted(text).isdisjoint(predicted(item.text))
    )


def same_phrase(items: tuple[Term, ...], texts: tuple[str, ...]) -> bool:
    """Word by word the same."""
    return len(items) == len(texts) and all(matches(i, t) for i, t in zip(items, texts, strict=True))


class Bag:
    """The words of a name or a path, for asking whether a term occurs among them."""

    __slots__ = ("_words",)

    def __init__(self, texts: Iterable[str]) -> None:
        self._words = set(texts)

    def __contains__(self, item: Term) -> bool:
        if item.forms is not None:
            return not item.forms.isdisjoint(self._words)
        return any(matches(item, text) for text in self._words)

    def has_all(self, items: Iterable[Term]) -> bool:
        return all(item in self for item in items)


class TermIndex:
    """Which named phrases hold a term that a given word could be a form of: a fast way to skip the rest."""

    __slots__ = ("_forms", "_prefixes")

    def __init__(self) -> None:
        self._forms: dict[str, set[str]] = {}
        self._prefixes: dict[str, set[str]] = {}  # unknown terms, by their first letters

    def add(self, name: str, items: Iterable[Term]) -> None:
        for item in items:
            for form in item.forms if item.forms is not None else (item.text,):
                self._forms.setdefault(form, set()).add(name)
            if item.forms is None:
                self._prefixes.setdefault(item.text[:_PREFIX], set()).add(name)

    def hits(self, texts: Iterable[str]) -> set[str]:
        """Every name with a term that one of the words may be a form of (a superset of those that match)."""
        found: set[str] = set()
        forms, prefixes = self._forms, self._prefixes
        for text in texts:
            if text in forms:
                found |= forms[text]
            if text[:_PREFIX] in prefixes:
                found |= prefixes[text[:_PREFIX]]
        return found
