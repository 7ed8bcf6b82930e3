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
# Every line below is a setting at its default or an example; uncomment what you change.

# Inputs and outputs
# org: org_structure/Structure.xlsx     # .xlsx, .xls, .csv, .yaml or the old structure.json
# kpi_dir: kpi                          # KPI files, HR's KPI workbooks, mapping.yaml, templates/
# out: profiles
# state_dir: /srv/hr/journal           # default: OUT/.profilegen; a folder named here serves one OUT only
# excel:
#   sheet: выгрузка                     # default: the first sheet with a recognisable header
#   columns: {position: Должность}      # header names per role: levels, position, code, headcount, path, unit, parent

# The company and its own documents, what the model is told about the company
# context:
#   company: {name: "ГК А101", industry: девелопмент, city: Москва}
#   documents: [context]                # Markdown or Word (.docx) files, or folders of them
#   budget_tokens: 6000                 # what one request carries of the documents, in all
#   everyone: [Резюме, Миссия, Ценности]  # headings every position gets (default: these, Summary, Mission, Values)
#   synonyms: {архитектор: проектирование}  # a profession's word → its function's (a default list ships)

# Generation
# provider: auto                        # auto | openai | offline
# model: openai/gpt-4o-mini
# base_url: https://openrouter.ai/api/v1
# language: ru                          # ru | en
# template: a101                        # the profile's form: a101 (default), en, or a file (`profilegen template init`)
# formats: [json, md]                   # json, md, docx
# concurrency: 4
# rpm: 60                               # requests a minute at most (default: no limit)
# max_cost: 25.0                        # USD; no new position starts beyond it (exit 4)
# max_duration: 6h                      # no new position starts after it (exit 4): 90m, 2h30m, 6h, 1d
# prices: {input: 0.15, output: 0.60}   # USD per million tokens, when the provider reports no cost
# prompt_file: my_prompt.md
# send_employee_name: false             # a personal profile's name is sent to the model only when true
# temperature: 0.2
# max_tokens: 4000
# truncation_max_tokens: 8000           # an answer cut short is asked once more with this many (default: not)
# validation_retries: 2                 # an answer that breaks the form is asked again this often
# max_attempts: 6                       # a request that fails (429, 5xx, a lost connection) is tried this often
# retry_backoff: 1.0                    # seconds the first retry waits at most (then doubling, jittered)
# max_consecutive_failures: 10          # failed positions in a row that stop the run
# quarantine_after: 3                   # runs in a row a position's answer may be unusable before it is skipped
# app_url: https://hr.example.ru        # sent to OpenRouter as HTTP-Referer (its app rankings)
# writer_process: auto                  # auto | on | off: answers written in a process of their own
# contexts_kept: 20000                  # positions' facts a run keeps from planning to generation

# The profile's facts
# prepared_by: Иванова И. И.           # «Подготовлено (ФИО ответственного)»; empty by default
# head_titles: [руководитель, директор, начальник, head, director]
# heads:                                # who heads a unit, where the rule guesses wrong (see `org validate`)
#   "ГК А101": Генеральный директор
# unit_kinds: {сектор: line_manager}    # the category of a unit kind's heads
# category_labels:                      # the company's names for the four categories (A101's by default)
#   specialist: Специалист
#   line_manager: Линейный руководитель (группа, направление)
#   middle_manager: Руководитель среднего уровня (отдел, управление)
#   senior_manager: Руководитель высшего уровня (департамент, блок)
# deputy_category: head                 # a deputy's category: head (his head's) | below (one level lower)
# competencies:                         # the company's competency model (default: A101's)
#   base:                               # everyone's
#     - Инновационность и развитие
#     - Ориентация на результат и эффективность
#     - Эффективная коммуникация
#     - Работа в команде
#   leadership: Лидерство               # heads and deputies
#   client_words: [продаж, клиент, сервис]  # a title or unit with a word starting so: client competency

# Review (profilegen check) and housekeeping
# check:
#   near_duplicate: 0.8                 # text similarity from which two positions' profiles are near-duplicates
#   max_generic_markers: 0              # a profile with more phrases that fit any company is reported
#   judge_min_score: 5                  # `check --judge`: a criterion scored this or lower is reported
# retention_days: 90

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
    import yaml

    from profilegen.config import API_KEY_VARIABLES, config_path, sources

    settings = OPTIONS.settings()
    data = settings.model_dump(mode="json")
    origin = sources(OPTIONS.config)
    key_from = next((v for v in API_KEY_VARIABLES if os.environ.get(v, "").strip()), None)
    data["api_key"] = f"*** (set in {key_from})" if key_from else "not set"
    origin["api_key"] = f"environment ({key_from})" if key_from else "not set"
    if as_json:
        emit_json({"settings": data, "sources": origin})
        return
    path, _named = config_path(OPTIONS.config, os.environ)
    where = str(path.resolve()) if path.is_file() else f"no {path} here"
    print(f"# the settings in effect: {where}, the environment and flags over the defaults")
    secret = data.pop("api_key")
    # YAML a config file takes back (its innermost lists and mappings on one line), each setting's source a comment
    # on its first line: the lines at the margin, one a setting in order
    names = iter(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000)
    for line in text.splitlines():
        print(line if line.startswith(" ") else f"{line}  # {origin.get(next(names), 'default')}")
    print(f"# api_key: {secret} (never read from a file)")


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
