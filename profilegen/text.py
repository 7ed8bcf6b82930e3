"""Text normalisation shared by every lookup: case, ё/е, quotes, dashes and spaces — nothing else."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_QUOTES = "«»„“”‟\"'‘’‚‛`´"
_DASHES = "‐‑‒–—―−"
_TRANSLATE = str.maketrans({**{q: '"' for q in _QUOTES}, **{d: "-" for d in _DASHES}, "ё": "е", "Ё": "Е"})
# the same as (char, replacement) pairs: no replacement is itself replaced, so replacing them one after
# another is `str.translate(_TRANSLATE)` — and some ten times faster on Cyrillic text, where translate
# looks every character up in the table
_REPLACED = tuple((chr(code), str(to)) for code, to in _TRANSLATE.items() if chr(code) != to)
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """Key under which two spellings of a name compare equal.

    Idempotent: ``normalize(normalize(x)) == normalize(x)``.
    """
    text = _translated(unicodedata.normalize("NFC", name))
    text = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    return _translated(text.casefold())


_SPACES_IN_LINES = re.compile(r"[^\S\n]+")
_AROUND_BREAKS = re.compile(r" ?\n ?")


def normalize_all(texts: Sequence[str]) -> list[str]:
    """``[normalize(t) for t in texts]`` worked out on the texts joined, a few passes over one string instead of
    a few over each: a profile's forty texts, new to the memo, took most of the time its rules took to read it.
    A line break, whitespace like any other within a text, marks where one ends (it composes with nothing and
    no step makes one)."""
    if len(texts) < 2:
        return [normalize(text) for text in texts]
    joined = "\n".join(texts)
    if joined.count("\n") >= len(texts):  # a break within a text: a space like any other
        joined = "\n".join([text.replace("\n", " ") for text in texts])
    text = _translated(unicodedata.normalize("NFC", joined))
    # the usual text, printable (its only space the ASCII one) with no space doubled or at an end, has no
    # space to fold: the regular expressions, most of the time spent here, are left out
    spaced = "  " in text or " \n" in text or "\n " in text or text[0] == " " or text[-1] == " "
    if spaced or not all(map(str.isprintable, texts)):
        text = _AROUND_BREAKS.sub("\n", _SPACES_IN_LINES.sub(" ", text.replace("\u00a0", " ")))
    return _translated(text.casefold()).strip(" ").split("\n")


def _translated(text: str) -> str:
    """``text.translate(_TRANSLATE)``: quotes to ", dashes to -, ё to е."""
    for char, to in _REPLACED:
        if char in text:
            text = text.replace(char, to)
    return text


def has_control_chars(text: str) -> bool:
    """True when the text holds a control character (NUL included)."""
    return bool(_CONTROL.search(text))


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def words(text: str) -> list[str]:
    """Whole words of a text, normalised; punctuation and quotes are separators."""
    return normal_words(normalize(text))


def normal_words(normal: str) -> list[str]:
    """`words` of a text already normalised."""
    return _WORD.findall(normal)


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML (and so DOCX and XLSX) cannot hold; they become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 position`, `2 positions`, `2,844 positions` (thousands separated)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def counted(language: str, count: int, english: tuple[str, str], russian: tuple[str, str, str]) -> str:
    """A count with its word agreed in the language: `3 tokens`, «3 токена» (English for any other language)."""
    return ru_plural(count, *russian) if language == "ru" else plural(count, *english)


def ru_plural(count: int, one: str, few: str, many: str) -> str:
    """Russian agreement: 1 год, 2 года, 5 лет, 11 лет, 21 год."""
    tens, units = count % 100, count % 10
    if 11 <= tens <= 14:
        word = many
    elif units == 1:
        word = one
    elif 2 <= units <= 4:
        word = few
    else:
        word = many
    return f"{count} {word}"
