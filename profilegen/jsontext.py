"""JSON text by orjson: the profile's pretty form (byte for byte what ``json.dumps(indent=2)`` gives) and
compact lines, at a fraction of the standard encoder's cost (its indented form is pure Python)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import orjson


def pretty(value: Any) -> bytes:
    """Indented by two spaces, non-ASCII as is, a newline at the end."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def compact(value: Any) -> bytes:
    """One line, non-ASCII as is, no newline."""
    return orjson.dumps(value)


def sorted_text(value: Any) -> str:
    """One line, keys sorted, non-ASCII as is: orjson's (half the standard encoder's time on a journal record), the
    standard library's for what orjson refuses (keys that are not text, integers beyond 64 bits). In orjson's text
    a float that is not a number is null (the standard library's `NaN` is malformed JSON to SQLite's `json_extract`
    before 3.42, which the journal's queries use)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError among them
        return json.dumps(value, ensure_ascii=False, sort_keys=True)


def payload_digest(payload: Any) -> str:
    """The sha256 of the payload's JSON, keys sorted (the same payload, the same digest in every run)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


LONG = 1_000  # a list longer than this is written an item at a time


def pretty_chunks(value: dict[str, Any], long: int = LONG) -> Iterator[bytes]:
    """``pretty(value)`` in pieces: a value given as an iterator is written as a list, an item at a time, and
    so is a list longer than ``long`` at any depth (with the objects holding it), so neither a million
    findings nor a summary naming 100,000 positions is ever one text in memory. The bytes are pretty()'s."""
    yield from _pieces(value, b"", long)
    yield b"\n"


def _pieces(value: Any, prefix: bytes, long: int) -> Iterator[bytes]:
    inner = prefix + b"  "
    if isinstance(value, dict) and _streamed(value, long):
        separator = b"{\n"
        for key, item in value.items():
            yield separator + inner + compact(key) + b": "
            separator = b",\n"
            yield from _pieces(item, inner, long)
        yield b"\n" + prefix + b"}"
    elif isinstance(value, Iterator) or (isinstance(value, list) and _streamed(value, long)):
        opened = False
        for entry in value:  # an iterator's items are written whole; a long list's items as they need
            yield (b",\n" if opened else b"[\n") + inner
            opened = True
            if isinstance(value, list):
                yield from _pieces(entry, inner, long)
            else:
                yield _indented(entry, inner)
        yield b"\n" + prefix + b"]" if opened else b"[]"
    else:
        yield _indented(value, prefix)


def _streamed(value: dict[str, Any] | list[Any], long: int) -> bool:
    """Whether a non-empty object or list holds, at any depth, an iterator or a list longer than ``long``."""
    if not value:
        return False
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, list) and len(value) > long:
        return True
    return any(
        isinstance(item, Iterator) or (isinstance(item, (dict, list)) and _streamed(item, long)) for item in items
    )


def _indented(value: Any, prefix: bytes) -> bytes:
    """The pretty form of a nested value, its lines after the first shifted right by ``prefix``."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + prefix)
