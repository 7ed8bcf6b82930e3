"""Small commands: `schema`, `config show` and `config init`."""

import os
from pathlib import Path
from typing import Annotated

import typer

from profilegen.cli.options import JsonOption, TemplateOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS
from profilegen.errors import InputError
from profilegen.export.atomic import write_text_atomic

config_app = typer.Typer(help="Settings: what is in effect, and a starter file.", no_args_is_help=True)

STARTER = """\
# profilegen settings. Precedence: defaults < this file < environment (PROFILEGEN_<KEY>) < flags.
# The API key is never read from here: set PROFILEGEN_API_KEY (or OPENROUTER_API_KEY / OPENAI_API_KEY).

# Inputs and outputs
# org: org_structure/Structure.xlsx     # .xlsx, .yaml or the old structure.json
# kpi_dir: kpi
# out: profiles
# state_dir: /srv/hr/journal           # default: OUT/.profilegen; a folder named here serves one OUT only
# excel:
#   sheet: выгрузка                     # default: the first sheet with a recognisable header
#   columns: {position: Должность}      # header names per role: levels, position, code, headcount, path, unit, parent

# Generation
# provider: auto                        # auto | openai | offline
# model: openai/gpt-4o-mini
# base_url: https://openrouter.ai/api/v1
# language: ru                          # ru | en
# template: a101                        # the profile's form: a101 (default), en, or a file (`profilegen template init`)
# formats: [json, md]                   # json, md, docx
# concurrency: 4
# rpm: 60
# max_cost: 25.0                        # USD; no new position starts beyond it (exit 4)
# prices: {input: 0.15, output: 0.60}   # USD per million tokens, when the provider reports no cost
# context_files: [docs/company.md]      # shared company context, sent in the cacheable prompt prefix
# prompt_file: my_prompt.md
# temperature: 0.2
# max_tokens: 4000
# validation_retries: 2
# max_attempts: 6

# Documents and housekeeping
# prepared_by: Иванова И. И.           # «Подготовлено (ФИО ответственного)»; empty by default
# retention_days: 90
# head_titles: [руководитель, директор, начальник, head, director]
# heads:                                # who heads a unit, where the rule guesses wrong (see `org validate`)
#   "ГК А101": Генеральный директор
# unit_kinds: {сектор: line_manager}    # the category of a unit kind's heads

# Local servers (llama.cpp, Ollama, vLLM)
# response_format: auto                 # auto | json_schema | json_object_schema | json_object | none
# request_timeout: 600                  # seconds; a CPU server needs minutes for a long profile
# timeout_retries: 1

# Batch APIs (generate --batch), about half price, answers within 24 h
# batch_api: auto                       # auto | openai | openrouter (auto: openrouter for OpenRouter's URL)
# batch_discount: 0.5                   # batch price / live price, where the provider reports no cost
# batch_poll: 30                        # seconds before the first poll with --wait (then doubling)
# batch_max_requests: 50000             # requests per batch; more are split
"""


def schema(
    profile_only: Annotated[
        bool, typer.Option("--profile-only", help="Only the part the LLM writes (the template's written fields).")
    ] = False,
    template: TemplateOption = None,
) -> None:
    """JSON Schema of a profile file ({schema_version, template, profile, meta}) under the active template."""
    from profilegen.generation.schema import file_json_schema, profile_json_schema
    from profilegen.template.loader import load_template

    settings = OPTIONS.settings()
    active = load_template(template or settings.template, settings.language)
    emit_json(profile_json_schema(active) if profile_only else file_json_schema(active))


@config_app.command("show", epilog="Example: PROFILEGEN_CONCURRENCY=8 profilegen config show --json")
def config_show(as_json: JsonOption = False) -> None:
    """Effective settings and where each came from (flag, environment, file, default); the key masked."""
    from profilegen.config import API_KEY_VARIABLES, sources

    settings = OPTIONS.settings()
    data = settings.model_dump(mode="json")
    origin = sources(OPTIONS.config)
    key_from = next((v for v in API_KEY_VARIABLES if os.environ.get(v, "").strip()), None)
    data["api_key"] = f"*** (set in {key_from})" if key_from else "not set"
    origin["api_key"] = f"environment ({key_from})" if key_from else "not set"
    if as_json:
        emit_json({"settings": data, "sources": origin})
        return
    for name, value in data.items():
        print(f"{name}: {value}    [{origin.get(name, 'default')}]")


@config_app.command("init", epilog="Example: profilegen config init && $EDITOR profilegen.yaml")
def config_init(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write it.")] = Path("profilegen.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter profilegen.yaml."""
    if path.exists() and not force:
        raise InputError("already exists (use --force to overwrite)", source=str(path))
    write_text_atomic(path, STARTER)
    print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("schema", epilog="Example: profilegen schema > profile.schema.json")(schema)
    app.add_typer(config_app, name="config")
