"""Global options shared by every command (set by the app callback)."""

from __future__ import annotations

from dataclasses import dataclass
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

    def settings(self, **flags: Any) -> Settings:
        from profilegen.config import load_settings  # pydantic-settings: only for commands that need settings

        return load_settings(self.config, flags)


OPTIONS = GlobalOptions()
