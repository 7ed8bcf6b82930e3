"""JSON text by orjson: the profile's pretty form (byte for byte what ``json.dumps(indent=2)`` gives) and
compact lines, at a fraction of the standard encoder's cost (its indented form is pure Python)."""

from __future__ import annotations

from typing import Any

import orjson


def pretty(value: Any) -> bytes:
    """Indented by two spaces, non-ASCII as is, a newline at the end."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def compact(value: Any) -> bytes:
    """One line, non-ASCII as is, no newline."""
    return orjson.dumps(value)
