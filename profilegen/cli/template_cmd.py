"""`profilegen template show|init|check`: the profile's form, as people read it, copied and checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import JsonOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS
from profilegen.errors import InputError
from profilegen.text import plural

app = typer.Typer(
    help="The profile's form (a template): show it, copy it to edit, check an edited copy.", no_args_is_help=True
)
WHO = {"ru": ("факт", "пишет модель"), "en": ("fact", "written")}


@app.command("show", epilog="Example: profilegen template show en")
def show(
    name: Annotated[
        str | None, typer.Argument(metavar="TEMPLATE", help="a101, en or a template file (default: the active one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The template's sections and fields as people read them: label, kind, who fills it, limits."""
    from profilegen.template.loader import load_template

    settings = OPTIONS.settings()
    template = load_template(name or settings.template, settings.language)
    if as_json:
        emit_json(
            {
                "name": template.name,
                "language": template.language,
                "sha256": template.sha256,
                "sections": [
                    {
                        "label": s.label,
                        "fields": [
                            {"key": f.key, "label": f.label, "kind": f.kind, "fact": f.fact, "choices": list(f.choices)}
                            for f in s.fields
                        ],
                    }
                    for s in template.sections
                ],
            }
        )
        return
    fact_word, written_word = WHO["en" if template.language == "en" else "ru"]
    print(f"{template.title or template.name} ({template.name}, {template.language}, {template.sha256[:12]})")
    for number, section in enumerate(template.sections, start=1):
        print(f"{number}. {section.label}")
        for spec in section.fields:
            who = f"{fact_word}: {spec.fact}" if spec.fact else written_word
            limits = "" if spec.min is None and spec.max is None else f", {spec.min or 0}–{spec.max or '…'}"
            print(f"   - {spec.label} [{spec.key}: {spec.kind}{limits}; {who}]")
            if spec.choices:
                print(f"     {', '.join(spec.choices)}")
            for column in spec.columns:
                print(f"     · {column.label} ({column.kind})")
                for level, text in column.scale.items():
                    print(f"       {level} — {text}")


@app.command("init", epilog="Example: profilegen template init our_card.yaml --from a101")
def init(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy (not overwritten).")],
    source: Annotated[str, typer.Option("--from", help="a101 or en.")] = "a101",
) -> None:
    """A commented copy of a shipped template to edit; point `template:` in the config at it."""
    from profilegen.export.atomic import write_text_atomic
    from profilegen.template.loader import SHIPPED, shipped_text

    if source not in SHIPPED:
        raise InputError(f"--from must be one of {', '.join(SHIPPED)}, not '{source}'")
    if file.exists():
        raise InputError("exists; not overwritten", source=str(file))
    text = shipped_text(source).replace(f"name: {source}\n", f"name: {file.stem}\n", 1)
    write_text_atomic(file, text)
    OPTIONS.info(f"{file}: a copy of the '{source}' template; check it with `profilegen template check {file}`")


@app.command("check", epilog="Example: profilegen template check our_card.yaml")
def check(file: Annotated[Path, typer.Argument(metavar="FILE", help="The template file.")]) -> None:
    """Check a template file: each problem named with its line; exit 2 on the first."""
    from profilegen.template.loader import load_template

    template = load_template(file)
    written = len(template.written)
    print(
        f"{file}: ok — {plural(len(template.sections), 'section')}, {plural(len(template.fields), 'field')} "
        f"({written} written by the model, {plural(len(template.fields) - written, 'fact')})"
    )
