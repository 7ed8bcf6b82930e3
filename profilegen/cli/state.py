"""Global options shared by every command (set by the app callback)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from profilegen.config import Settings


@dataclass
class GlobalOptions:
    config: Path | None = None
    verbose: bool = False
    quiet: bool = False
    log_format: str = "text"
    log_file: Path | None = None
    no_color: bool = False
    argv: list[str] = field(default_factory=list)

    def settings(self, **flags: Any) -> Settings:
        from profilegen.config import load_settings  # pydantic-settings: only for commands that need settings

        sheet = flags.pop("sheet", None)
        settings = load_settings(self.config, flags)
        if sheet is not None:  # --sheet: the one nested setting a flag sets
            settings.excel = settings.excel.model_copy(update={"sheet": sheet})
        return settings

    def with_org(self, **flags: Any) -> Settings:
        """Settings whose `org` is filled: given, or the one the output folder was generated from."""
        from profilegen.workspace import resolve_org, state_dir

        settings = self.settings(**flags)
        settings.org = resolve_org(settings, state_dir(settings))
        return settings

    def for_out(self, *, write: bool, need_org: bool = True, **flags: Any) -> tuple[Settings, Path]:
        """Settings and the state folder of OUT (checked to belong to it; `org` filled from its journal)."""
        from profilegen.workspace import prepare

        settings = self.settings(**flags)
        return settings, prepare(settings, write=write, notice=self.info, need_org=need_org)

    def info(self, message: str) -> None:
        """A progress or status message: stderr, silenced by --quiet."""
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)


OPTIONS = GlobalOptions()
