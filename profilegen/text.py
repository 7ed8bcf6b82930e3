"""Text normalisation shared by every lookup: case, ё/е, quotes, dashes and spaces — nothing else."""

from __future__ import annotations

import re
import unicodedata
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
    return _WORD.findall(normalize(text))


_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text without the characters XML (and so DOCX and XLSX) cannot hold; they become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 position`, `2 positions`, `2,844 positions` (thousands separated)."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


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
