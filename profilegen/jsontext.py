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


def payload_digest(payload: Any) -> str:
    """The sha256 of the payload's JSON, keys sorted (the same payload, the same digest in every run)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pretty_chunks(value: dict[str, Any]) -> Iterator[bytes]:
    """``pretty(value)`` in pieces: a value given as an iterator is written as a list, an item at a time, so
    a list of a million findings is never one document in memory. The bytes are pretty()'s."""
    if not value:
        yield b"{}\n"
        return
    separator = b"{\n"
    for key, item in value.items():
        yield separator + b"  " + compact(key) + b": "
        separator = b",\n"
        if not isinstance(item, Iterator):
            yield _indented(item, b"  ")
            continue
        opened = False
        for entry in item:
            yield (b",\n" if opened else b"[\n") + b"    " + _indented(entry, b"    ")
            opened = True
        yield b"\n  ]" if opened else b"[]"
    yield b"\n}\n"


def _indented(value: Any, prefix: bytes) -> bytes:
    """The pretty form of a nested value, its lines after the first shifted right by ``prefix``."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + prefix)
