"""Every per-position format, rendered from the canonical JSON document."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from profilegen.errors import InputError

FORMATS = ("json", "md", "docx")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    language: str = "ru"
    prepared_by: str = "profilegen"


def check_formats(formats: list[str]) -> list[str]:
    """The formats asked for, JSON always first; an unknown one is a usage error."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown format '{unknown[0]}' (known: {', '.join(FORMATS)})")
    return list(dict.fromkeys(["json", *formats]))


def render(fmt: str, document: dict[str, Any], options: RenderOptions) -> bytes:
    if fmt == "json":
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "md":
        from profilegen.export.markdown import render_markdown

        return render_markdown(document, options.language).encode("utf-8")
    if fmt == "docx":
        from profilegen.export.docx_writer import render_docx

        return render_docx(document, options.language, options.prepared_by)
    raise InputError(f"unknown format '{fmt}'")
