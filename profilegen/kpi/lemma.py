"""Whole-word lemmas from the OpenCorpora dictionary that pymorphy3-dicts-ru ships.

A Russian word's lemmas are all of its dictionary normal forms — every reading, not a guess at the
likeliest one — so "данных" is a form of both "данные" and "данный", and two words are the same word
when they share a lemma. The dictionary is read directly (the words DAWG, the paradigm table and the
suffix list: about 15 ms), not through pymorphy3's analyser, which also builds 5,500 grammatical tags,
the prediction tables and a probability model (about 55 ms with its import) that matching does not use.

pymorphy3 itself is loaded only to predict the lemmas of words the dictionary does not know
("цифровизации"), and only when such a word meets another unknown word that starts with the same three
letters: a form the dictionary does not know is never taken for a form of a word it knows. Latin words
and numbers are compared case-folded, as they are.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from profilegen.kpi.dawg import RecordDawg
from profilegen.text import words

_CYRILLIC = re.compile(r"[а-яё]")
_YO = {"е": "ё"}  # "елка" finds "ёлка"
PREFIX = 3  # an unknown word can only share a lemma with an unknown word that starts the same way


def dictionary_path() -> Path:
    import pymorphy3_dicts_ru  # type: ignore[import-untyped]

    return Path(pymorphy3_dicts_ru.get_path())


class Lexicon:
    """The normal forms of every word the dictionary knows (pymorphy3's dictionary format 2.x)."""

    def __init__(self, path: Path) -> None:
        meta = dict(json.loads((path / "meta.json").read_text("utf-8")))
        version = str(meta.get("format_version", ""))
        if not version.startswith("2."):
            raise RuntimeError(f"{path}: dictionary format {version!r} is not the 2.x this reader knows")
        self._prefixes: list[str] = list(meta["compile_options"]["paradigm_prefixes"])
        self._suffixes: list[str] = json.loads((path / "suffixes.json").read_text("utf-8"))
        self._shorts = array("H", (path / "paradigms.array").read_bytes())
        self._offsets = _paradigm_offsets(self._shorts)
        self._words = RecordDawg(path / "words.dawg", ">HH")  # word -> (paradigm, form) records

    def normal_forms(self, word: str) -> frozenset[str] | None:
        """Every normal form of a lower-case word (ё written е), or None when the dictionary lacks it."""
        forms = set()
        for fixed, parses in self._words.similar_items(word, _YO):
            for para_id, index in parses:
                forms.add(self._normal_form(para_id, index, fixed).replace("ё", "е"))
        return frozenset(forms) if forms else None

    def _normal_form(self, para_id: int, index: int, word: str) -> str:
        # A paradigm holds suffix ids, tag ids and prefix ids of its forms, a third each; form 0 is the lemma.
        if index == 0:
            return word
        shorts, start = self._shorts, self._offsets[para_id] + 1
        prefixes = start + 2 * (self._shorts[start - 1] // 3)
        prefix = self._prefixes[shorts[prefixes + index]]
        suffix = self._suffixes[shorts[start + index]]
        stem = word[len(prefix) : len(word) - len(suffix)]
        return self._prefixes[shorts[prefixes]] + stem + self._suffixes[shorts[start]]


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
class Word:
    """One normalised word as matching compares it."""

    text: str
    lemmas: frozenset[str] | None  # None: a Russian word the dictionary does not know
    keys: frozenset[str] = field(init=False, compare=False)  # the text and the lemmas: what an index uses

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", self.lemmas | {self.text} if self.lemmas is not None else {self.text})


@lru_cache(maxsize=65536)
def word(text: str) -> Word:
    """A normalised word with its dictionary lemmas."""
    if not _CYRILLIC.search(text):
        return Word(text, frozenset({text}))
    return Word(text, _lexicon().normal_forms(text))


@lru_cache(maxsize=65536)
def unlemmatised(text: str) -> Word:
    """A word that cannot share a lemma with any word it will be compared with: itself only."""
    return Word(text, frozenset({text}))


@lru_cache(maxsize=4096)
def predicted(text: str) -> frozenset[str]:
    """pymorphy3's guesses at the lemmas of a word its dictionary does not know, and the word itself."""
    return frozenset({text, *(str(p.normal_form).replace("ё", "е") for p in _analyzer().parse(text))})


def phrase(text: str) -> tuple[Word, ...]:
    """The whole words of a text with their lemmas, in order."""
    return tuple(word(w) for w in words(text))


def same_word(a: Word, b: Word) -> bool:
    """True when two words are forms of one word."""
    if a.text == b.text:
        return True
    if a.lemmas is not None and b.lemmas is not None:
        return not a.lemmas.isdisjoint(b.lemmas)
    if a.lemmas is None and b.lemmas is None and a.text[:PREFIX] == b.text[:PREFIX]:
        return not predicted(a.text).isdisjoint(predicted(b.text))
    return False


def same_phrase(a: tuple[Word, ...], b: tuple[Word, ...]) -> bool:
    """Word by word the same."""
    return len(a) == len(b) and all(same_word(x, y) for x, y in zip(a, b, strict=True))


class Bag:
    """The words of a name or a path, for asking whether a word occurs among them."""

    __slots__ = ("_known", "_unknown")

    def __init__(self, items: Iterable[Word]) -> None:
        self._known: set[str] = set()
        self._unknown: list[Word] = []
        for item in items:
            if item.lemmas is None:
                self._unknown.append(item)
            else:
                self._known.update(item.lemmas)

    def __contains__(self, item: Word) -> bool:
        # Some word of the bag shares a lemma with the item exactly when the union of their lemmas does.
        if item.lemmas is not None:
            return not item.lemmas.isdisjoint(self._known)
        return any(same_word(item, other) for other in self._unknown)

    def has_all(self, items: Iterable[Word]) -> bool:
        return all(item in self for item in items)


class WordIndex:
    """Which named phrases hold a word that a given word could be a form of: a fast way to skip the rest."""

    __slots__ = ("_keys", "_prefixes")

    def __init__(self) -> None:
        self._keys: dict[str, set[str]] = {}
        self._prefixes: dict[str, set[str]] = {}

    def add(self, name: str, items: Iterable[Word]) -> None:
        for item in items:
            for key in item.keys:
                self._keys.setdefault(key, set()).add(name)
            if item.lemmas is None:
                self._prefixes.setdefault(item.text[:PREFIX], set()).add(name)

    def hits(self, items: Iterable[Word]) -> set[str]:
        """Every name with a word that one of the items may be (a superset of the names that match)."""
        found: set[str] = set()
        keys, prefixes = self._keys, self._prefixes
        for item in items:
            for key in item.keys:
                if key in keys:
                    found |= keys[key]
            if item.lemmas is None and item.text[:PREFIX] in prefixes:
                found |= prefixes[item.text[:PREFIX]]
        return found
