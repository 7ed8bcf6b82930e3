"""Every per-position format, rendered from the canonical JSON document with its template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from profilegen.errors import InputError
from profilegen.jsontext import pretty
from profilegen.template.documents import readable
from profilegen.template.model import Template

FORMATS = ("json", "md", "docx")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    template: Template  # the active one: a profile names its own, and is read with it where it can be


def check_formats(formats: list[str]) -> list[str]:
    """The formats asked for, JSON always first; an unknown one is a usage error."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise InputError(f"unknown format '{unknown[0]}' (known: {', '.join(FORMATS)})")
    return list(dict.fromkeys(["json", *formats]))


def render(fmt: str, document: dict[str, Any], options: RenderOptions) -> bytes:
    if fmt == "json":
        return pretty(document)
    document, template = readable(document, options.template)
    if fmt == "md":
        from profilegen.export.markdown import render_markdown

        return render_markdown(document, template).encode("utf-8")
    if fmt == "docx":
        from profilegen.export.docx_writer import render_docx

        return render_docx(document, template)
    raise InputError(f"unknown format '{fmt}'")
