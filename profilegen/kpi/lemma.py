"""Whole-word lemmas: Russian words through pymorphy3, other words case-folded."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from profilegen.text import words

_CYRILLIC = re.compile(r"[а-яё]")


@cache
def _analyzer() -> Any:
    import pymorphy3  # loads dictionaries: only when a lemma is first needed

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The dictionary form of one normalised word."""
    if not _CYRILLIC.search(word):
        return word
    return str(_analyzer().parse(word)[0].normal_form).replace("ё", "е")


def lemmas(text: str) -> tuple[str, ...]:
    """Lemmas of the whole words of a text, in order."""
    return tuple(lemma(w) for w in words(text))
