"""Settings: defaults < profilegen.yaml < environment (PROFILEGEN_*) < command-line flags."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from profilegen.errors import InputError
from profilegen.org.model import DEFAULT_HEAD_TITLES
from profilegen.yamlsafe import load_yaml

CONFIG_FILE = "profilegen.yaml"
ENV_PREFIX = "PROFILEGEN_"
API_KEY_VARIABLES = ("PROFILEGEN_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY")
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class ExcelOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sheet: str | None = None
    columns: dict[str, str | list[str]] = Field(default_factory=dict)


class Settings(BaseModel):
    """Every setting profilegen reads; flat keys as in profilegen.yaml."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    org: Path | None = None
    kpi_dir: Path = Path("kpi")
    out: Path = Path("profiles")
    state_dir: Path = Path(".profilegen")
    provider: Literal["auto", "openai", "offline"] = "auto"
    model: str = "openai/gpt-4o-mini"
    base_url: str = "https://openrouter.ai/api/v1"
    concurrency: int = Field(default=4, ge=1, le=256)
    rpm: int | None = Field(default=None, ge=1)
    max_cost: float | None = Field(default=None, ge=0)
    max_duration: str | None = None
    language: Literal["ru", "en"] = "ru"
    formats: list[str] = Field(default_factory=lambda: ["json", "md"])
    context_files: list[Path] = Field(default_factory=list)
    prompt_file: Path | None = None
    prices: dict[str, float] = Field(default_factory=dict)
    retention_days: int = Field(default=90, ge=1)
    prepared_by: str = "profilegen"
    head_titles: list[str] = Field(default_factory=lambda: list(DEFAULT_HEAD_TITLES))
    excel: ExcelOptions = Field(default_factory=ExcelOptions)
    temperature: float = Field(default=0.2, ge=0, le=2)
    max_tokens: int = Field(default=4000, ge=256)
    request_timeout: float = Field(default=120.0, gt=0)
    response_format: Literal["json_schema", "json_object", "none"] = "json_schema"
    validation_retries: int = Field(default=2, ge=0, le=5)
    max_attempts: int = Field(default=6, ge=1, le=20)
    max_consecutive_failures: int = Field(default=10, ge=1)
    truncation_max_tokens: int | None = None
    retry_backoff: float = Field(default=1.0, ge=0)
    app_url: str | None = None

    def resolved_org(self) -> Path:
        """The org file: as configured, else the shipped sample."""
        if self.org is not None:
            return self.org
        local = Path("org_structure")
        return local if local.is_dir() else PACKAGE_ROOT / "org_structure"

    def resolved_kpi_dir(self) -> Path:
        if self.kpi_dir.is_dir() or self.kpi_dir.is_absolute():
            return self.kpi_dir
        shipped = PACKAGE_ROOT / self.kpi_dir
        return shipped if shipped.is_dir() else self.kpi_dir


def api_key() -> str | None:
    """The API key, from the environment only."""
    for name in API_KEY_VARIABLES:
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def _suggest(key: str, options: list[str]) -> str:
    close = difflib.get_close_matches(key, options, n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    fields = Settings.model_fields
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name in API_KEY_VARIABLES or name == "PROFILEGEN_CONFIG":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in fields:
            continue
        annotation = str(fields[key].annotation)
        if "list" in annotation:
            values[key] = [v.strip() for v in raw.split(",") if v.strip()]
        elif "dict" in annotation:
            raise InputError(f"{name} cannot be set from the environment; use {CONFIG_FILE}")
        else:
            values[key] = raw
    return values


def load_settings(
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Layer the sources; unknown keys in the file are errors that suggest the nearest key."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    explicit = config_file or (Path(environ["PROFILEGEN_CONFIG"]) if environ.get("PROFILEGEN_CONFIG") else None)
    path = explicit or Path(CONFIG_FILE)
    if explicit is not None and not path.exists():
        raise InputError("config file not found", source=str(path))
    if path.exists():
        loaded = load_yaml(path) or {}
        if not isinstance(loaded, dict):
            raise InputError("expected a mapping of settings", source=str(path))
        for key in loaded:
            if key == "api_key":
                raise InputError(
                    "the API key is never read from a file; set PROFILEGEN_API_KEY in the environment",
                    source=str(path),
                )
            if key not in Settings.model_fields:
                raise InputError(
                    f"unknown key '{key}'.{_suggest(str(key), list(Settings.model_fields))}", source=str(path)
                )
        data.update(loaded)
    data.update(_from_env(environ))
    data.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(f"setting '{field}': {first['msg']}", source=str(path) if path.exists() else None) from None
