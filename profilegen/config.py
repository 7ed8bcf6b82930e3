"""Settings: defaults < profilegen.yaml < environment (PROFILEGEN_*) < command-line flags (pydantic-settings)."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict, SettingsError

from profilegen.errors import InputError
from profilegen.org.model import DEFAULT_HEAD_TITLES
from profilegen.yamlsafe import load_yaml

CONFIG_FILE = "profilegen.yaml"
ENV_PREFIX = "PROFILEGEN_"
API_KEY_VARIABLES = ("PROFILEGEN_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY")


class CompetencySettings(BaseModel):
    """The company's competency model (each field unset: A101's; see org/competencies.py)."""

    model_config = ConfigDict(extra="forbid")
    base: list[str] | None = None
    leadership: str | None = None
    strategic: str | None = None
    client: str | None = None
    client_words: list[str] | None = None
    order: list[str] | None = None

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class CompanySettings(BaseModel):
    """Who the profiles are about: written into the prompt instead of "a large Russian company"."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    industry: str = ""
    city: str = ""


class ContextSettings(BaseModel):
    """The company and its own documents (Markdown), the sections of which go to the positions they concern."""

    model_config = ConfigDict(extra="forbid")
    company: CompanySettings = Field(default_factory=CompanySettings)
    documents: list[Path] = Field(default_factory=list)
    budget_tokens: int = Field(default=6000, ge=500, le=200_000)  # the documents' share of one request
    everyone: list[str] | None = None  # headings every position gets (default: summary, mission, values)
    synonyms: dict[str, str] | None = None  # a profession's word → its function's word (default: A101's)


class CheckSettings(BaseModel):
    """What `profilegen check` counts as a reviewer's rejection."""

    model_config = ConfigDict(extra="forbid")
    generic_markers: list[str] | None = None  # phrases of a text that could be about any company (default: ru+en)
    max_generic_markers: int = Field(default=0, ge=0)  # a profile with more of them is reported
    near_duplicate: float = Field(default=0.8, gt=0, le=1)  # text similarity (Jaccard) of a near-duplicate
    judge_min_score: int = Field(default=5, ge=1, le=10)  # `--judge`: a criterion scored this or lower is reported


class ExcelOptions(BaseModel):
    """How to read a spreadsheet: which sheet, and header names for each column role."""

    model_config = ConfigDict(extra="forbid")

    sheet: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)


def _split_list(value: Any) -> Any:
    """`json,md` from the environment; lists from files and flags pass unchanged."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


def _formats(value: Any) -> Any:
    """Formats in any case and spacing (`" md, JSON"`), each one checked against the known ones."""
    items = _split_list(value)
    if not isinstance(items, list):
        return items
    known = ("json", "md", "docx")
    cleaned = [str(item).strip().lower() for item in items if str(item).strip()]
    unknown = [f for f in cleaned if f not in known]
    if unknown:
        raise ValueError(f"'{unknown[0]}' is not a format (known: {', '.join(known)})")
    return cleaned


class Settings(BaseSettings):
    """Every setting profilegen reads; flat keys as in profilegen.yaml."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", validate_assignment=True, env_ignore_empty=True
    )

    org: Path | None = None
    kpi_dir: Path | None = None  # None: ./kpi when it exists, else only the templates shipped with profilegen
    out: Path = Path("profiles")
    state_dir: Path | None = None  # None: OUT/.profilegen
    provider: Literal["auto", "openai", "offline"] = "auto"
    model: str = "openai/gpt-4o-mini"
    base_url: str = "https://openrouter.ai/api/v1"
    concurrency: int = Field(default=4, ge=1, le=256)
    # answered positions written in a process of their own: auto = a run of 200 or more on two cores or more
    writer_process: Literal["auto", "on", "off"] = "auto"
    # the contexts a run keeps from planning to generation; beyond, a position's is made again in its turn
    contexts_kept: int = Field(default=20_000, ge=0)
    rpm: int | None = Field(default=None, ge=1)
    max_cost: float | None = Field(default=None, ge=0)
    max_duration: str | None = None
    language: Literal["ru", "en"] = "ru"
    formats: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["json", "md"])
    context_files: Annotated[list[Path], NoDecode] = Field(default_factory=list)  # older name of context.documents
    context: ContextSettings = Field(default_factory=ContextSettings)
    check: CheckSettings = Field(default_factory=CheckSettings)
    prompt_file: Path | None = None
    prices: dict[str, float] = Field(default_factory=dict)
    retention_days: int = Field(default=90, ge=1)
    prepared_by: str = ""  # "Подготовлено (ФИО ответственного)": empty for HR to fill
    template: str | None = None  # a shipped template (a101, en) or a template file; None: the language's own
    head_titles: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(DEFAULT_HEAD_TITLES))
    heads: dict[str, str | None] = Field(default_factory=dict)  # unit path or name → the title heading it
    unit_kinds: dict[str, Literal["senior_manager", "middle_manager", "line_manager", "specialist"]] = Field(
        default_factory=dict
    )  # a unit kind's word (any form: "сектор") → the category of its heads
    category_labels: dict[Literal["senior_manager", "middle_manager", "line_manager", "specialist"], str] = Field(
        default_factory=dict
    )  # the company's names for the four categories (A101's scale by default)
    deputy_category: Literal["head", "below"] = "head"  # a deputy's category: his head's, or one level below
    competencies: CompetencySettings = Field(default_factory=lambda: CompetencySettings())
    excel: ExcelOptions = Field(default_factory=ExcelOptions)
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=4000, ge=256)
    request_timeout: float = Field(default=600.0, gt=0)  # a CPU server writing a long Russian profile needs minutes
    timeout_retries: int = Field(default=1, ge=0, le=5)  # a timed-out request is sent again at most this often
    response_format: Literal["auto", "json_schema", "json_object_schema", "json_object", "none"] = "auto"
    validation_retries: int = Field(default=2, ge=0, le=5)
    max_attempts: int = Field(default=6, ge=1, le=20)
    max_consecutive_failures: int = Field(default=10, ge=1)
    truncation_max_tokens: int | None = None
    retry_backoff: float = Field(default=1.0, ge=0)
    app_url: str | None = None
    quarantine_after: int = Field(default=3, ge=1)
    send_employee_name: bool = False
    batch_api: Literal["auto", "openai", "openrouter"] = "auto"  # auto: openrouter for OpenRouter's base URL
    batch_discount: float = Field(default=0.5, ge=0, le=1)  # batch price ÷ live price, where cost is not reported
    batch_poll: float = Field(default=30.0, gt=0)  # seconds before the first poll with --wait (then doubling)
    batch_max_requests: int = Field(default=50_000, ge=1, le=50_000)  # requests per batch (OpenAI's limit)

    @field_validator("max_duration")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None:
            parse_duration(value)
        return value

    @field_validator("org", "kpi_dir", "out", "state_dir", "prompt_file", "template", mode="before")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        """An empty path would be read as the current folder (the profiles and a journal written wherever the
        command stands): said instead."""
        if isinstance(value, str) and not value.strip():
            raise ValueError("empty (name a file or folder, or leave the line out for the default)")
        return value

    _split = field_validator("context_files", "head_titles", mode="before")(_split_list)
    _format_list = field_validator("formats", mode="before")(_formats)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # flags (init) > environment > profilegen.yaml > defaults; no .env files, no secret dirs
        return init_settings, env_settings, YamlFileSource(settings_cls)

    @property
    def documents(self) -> list[Path]:
        """The company's documents: `context.documents`, then the older `context_files`."""
        return [*self.context.documents, *(p for p in self.context_files if p not in self.context.documents)]

    def resolved_kpi_dir(self) -> Path:
        """The KPI folder: as given, else `kpi/` in the working directory (which may not exist)."""
        return self.kpi_dir if self.kpi_dir is not None else Path("kpi")


class YamlFileSource(PydanticBaseSettingsSource):
    """profilegen.yaml (or the file named by --config / PROFILEGEN_CONFIG), read without aliases."""

    path: Path | None = None  # set by load_settings before the settings are built

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls)
        self.data = read_config_file(YamlFileSource.path)

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return self.data.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.data)


# settings that decide only how the model is asked, paced, retried and paid: no fact of a position and nothing
# a check finds in a profile on disk depends on them (a new model named in profilegen.yaml made the next
# check read all 100,000 profiles again)
ASKING_ONLY = frozenset(
    {
        "provider",
        "model",
        "base_url",
        "concurrency",
        "writer_process",
        "contexts_kept",
        "rpm",
        "max_cost",
        "max_duration",
        "prompt_file",
        "prices",
        "retention_days",
        "temperature",
        "max_tokens",
        "request_timeout",
        "timeout_retries",
        "response_format",
        "validation_retries",
        "max_attempts",
        "max_consecutive_failures",
        "truncation_max_tokens",
        "retry_backoff",
        "app_url",
        "quarantine_after",
        "send_employee_name",
        "batch_api",
        "batch_discount",
        "batch_poll",
        "batch_max_requests",
    }
)


def settings_key(settings: Settings) -> dict[str, Any]:
    """The settings a check's findings depend on as JSON, for a digest: every path absolute (`--out out` in the
    project folder and cron's absolute path to it are the same settings), and none of `ASKING_ONLY`."""
    left_out = set(ASKING_ONLY)
    key: dict[str, Any] = _paths_resolved(
        settings.model_dump(mode="json", exclude=left_out), settings.model_dump(mode="python", exclude=left_out)
    )
    return key


def _paths_resolved(as_json: Any, value: Any) -> Any:
    if isinstance(value, Path):
        return str(value.resolve())
    if isinstance(value, dict) and isinstance(as_json, dict):
        return {key: _paths_resolved(as_json[key], value.get(key)) for key in as_json}
    if isinstance(value, list | tuple) and isinstance(as_json, list) and len(value) == len(as_json):
        return [_paths_resolved(j, v) for j, v in zip(as_json, value, strict=True)]
    return as_json


def read_config_file(path: Path | None) -> dict[str, Any]:
    """The file's settings; unknown keys and a key in the file are errors naming the key."""
    if path is None or not path.exists():
        return {}
    loaded = load_yaml(path) or {}
    if not isinstance(loaded, dict):
        raise InputError("expected a mapping of settings", source=str(path))
    for key in loaded:
        if key == "api_key":
            raise InputError(
                "the API key is never read from a file; set PROFILEGEN_API_KEY in the environment", source=str(path)
            )
        if key not in Settings.model_fields:
            raise InputError(f"unknown key '{key}'.{_suggest(str(key), list(Settings.model_fields))}", source=str(path))
    return loaded


_NUMBER = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(rf"^\s*(?:{_NUMBER}\s*d)?\s*(?:{_NUMBER}\s*h)?\s*(?:{_NUMBER}\s*m)?\s*(?:{_NUMBER}\s*s?)?\s*$")


def parse_duration(text: str) -> float:
    """Seconds in `1d`, `6h`, `90m`, `2h30m`, `45s` or a plain number of seconds."""
    match = _DURATION.match(text.lower())
    if not match or not any(match.groups()) or not text.strip():
        raise ValueError(f"'{text}' is not a duration like 90m, 6h or 1d")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = days * 86400 + hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise ValueError(f"'{text}' is not a positive duration")
    return total


def api_key() -> str | None:
    """The API key, from the environment only."""
    name = api_key_variable()
    return os.environ[name].strip() if name else None


def api_key_variable() -> str | None:
    """The environment variable the API key is taken from (the first of API_KEY_VARIABLES that is set)."""
    return next((name for name in API_KEY_VARIABLES if os.environ.get(name, "").strip()), None)


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def config_path(config_file: Path | None, environ: Mapping[str, str]) -> tuple[Path, bool]:
    """The settings file to read and whether the user named it (then it must exist)."""
    if config_file is not None:
        return config_file, True
    if environ.get("PROFILEGEN_CONFIG"):
        return Path(environ["PROFILEGEN_CONFIG"]), True
    return Path(CONFIG_FILE), False


def load_settings(config_file: Path | None = None, flags: Mapping[str, Any] | None = None) -> Settings:
    """Layer the sources: defaults < file < environment < flags (``None`` flags are not given)."""
    path, named = config_path(config_file, os.environ)
    if named and not path.exists():
        raise InputError("config file not found", source=str(path))
    YamlFileSource.path = path
    given = {k: v for k, v in (flags or {}).items() if v is not None}
    try:
        return Settings(**given)
    except (ValidationError, SettingsError) as exc:
        # the file is named only when the setting at fault came from it: not a flag's, not the environment's
        fields = {str(e["loc"][0]) for e in _errors(exc)}
        from_env = isinstance(exc, SettingsError) or any(f"{ENV_PREFIX}{f.upper()}" in os.environ for f in fields)
        from_file = path.exists() and not (set(given) & fields) and not from_env
        raise InputError(_describe(exc, os.environ, given), source=str(path) if from_file else None) from None
    finally:
        YamlFileSource.path = None


_FLAG_NAMES = {"formats": "format"}  # settings whose flag is spelt otherwise


def _describe(
    exc: ValidationError | SettingsError, environ: Mapping[str, str], flags: Mapping[str, Any] | None = None
) -> str:
    """The first error, in the words the user typed: the flag, the variable or the file's key."""
    if isinstance(exc, SettingsError):
        return f"environment: {exc}"
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    field = ".".join(loc)
    if first["type"] == "extra_forbidden":
        options = list(ExcelOptions.model_fields) if len(loc) > 1 and loc[0] == "excel" else list(Settings.model_fields)
        return f"unknown key '{field}'.{_suggest(loc[-1], options)}"
    message = str(first["msg"]).removeprefix("Value error, ")
    variable = f"{ENV_PREFIX}{loc[0].upper()}"
    if flags and loc[0] in flags:
        return f"--{_FLAG_NAMES.get(loc[0], loc[0]).replace('_', '-')}: {message}"
    if variable in environ:
        return f"{variable}: {message}"
    return f"setting '{field}': {message}"


def _errors(exc: ValidationError | SettingsError) -> list[Any]:
    return list(exc.errors()) if isinstance(exc, ValidationError) else []


def sources(config_file: Path | None = None, flags: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Where each setting's effective value came from: flag, environment, file or default."""
    path, _ = config_path(config_file, os.environ)
    in_file = read_config_file(path)
    result = {}
    for name in Settings.model_fields:
        if (flags or {}).get(name) is not None:
            result[name] = "flag"
        elif os.environ.get(f"{ENV_PREFIX}{name.upper()}", "").strip():
            result[name] = f"environment ({ENV_PREFIX}{name.upper()})"
        elif name in in_file:
            result[name] = f"file ({path})"
        else:
            result[name] = "default"
    return result
