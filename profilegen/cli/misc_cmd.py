"""Small commands: `schema` and `config show`."""

from __future__ import annotations

import typer

from profilegen.cli.options import JsonOption
from profilegen.cli.output import emit_json
from profilegen.cli.state import OPTIONS
from profilegen.config import API_KEY_VARIABLES, api_key

config_app = typer.Typer(help="Settings.", no_args_is_help=True)


def schema() -> None:
    """JSON Schema of a profile."""
    from profilegen.generation.schema import profile_json_schema

    emit_json(profile_json_schema())


@config_app.command("show", epilog="Example: PROFILEGEN_CONCURRENCY=8 profilegen config show --json")
def config_show(as_json: JsonOption = False) -> None:
    """Effective settings (file < environment < flags); the API key is masked."""
    settings = OPTIONS.settings()
    data = settings.model_dump(mode="json")
    key = api_key()
    data["api_key"] = f"set (from {next(v for v in API_KEY_VARIABLES if _env(v))})" if key else "not set"
    if as_json:
        emit_json(data)
        return
    for name, value in data.items():
        print(f"{name}: {value}")


def _env(name: str) -> bool:
    import os

    return bool(os.environ.get(name, "").strip())


def register(app: typer.Typer) -> None:
    app.command("schema", epilog="Example: profilegen schema > profile.schema.json")(schema)
    app.add_typer(config_app, name="config")
