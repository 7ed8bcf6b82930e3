"""How options read in `--help`: a flag as a flag, a value by what it holds (DIR, N, DURATION).

Typer 0.29 prints each option's Python type (`<bool>`, `<list[str]>`, `<int range> [x>=1]`); to a user
that reads as "this flag takes a value". Ranges are still enforced, only not spelt as maths.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperOption

METAVARS = {
    "department": "UNIT",
    "position": "TITLE",
    "employee_name": "NAME",
    "org": "FILE",
    "sheet": "SHEET",
    "kpi_dir": "DIR",
    "out": "DIR",
    "state_dir": "DIR",
    "provider": "auto|openai|offline",
    "model": "MODEL",
    "base_url": "URL",
    "concurrency": "N",
    "rpm": "N",
    "temperature": "T",
    "max_tokens": "N",
    "max_cost": "USD",
    "max_duration": "DURATION",
    "formats": "json,md,docx",
    "to": "FILE",
    "limit": "N",
    "older_than": "DAYS",
    "run": "RUN_ID",
    "config": "FILE",
    "log_format": "text|json",
    "log_file": "FILE",
    "depth": "N",
}


def _option_type(self: TyperOption, ctx: Any) -> str | None:
    if self.is_flag or self.count:
        return None
    return self.metavar or METAVARS.get(self.name or "", (self.name or "value").upper())


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    return None  # the argument's name (DEPARTMENTS..., FORMAT) already says it


def _no_range(self: Any) -> str | None:
    return None


def install() -> None:
    """Apply to every command (called once, when the app is built)."""
    TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
    TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign, assignment]
    TyperOption._get_number_range_help_str = _no_range  # type: ignore[method-assign]
    TyperArgument._get_number_range_help_str = _no_range  # type: ignore[method-assign]
