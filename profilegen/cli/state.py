"""Global options shared by every command (set by the app callback)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen.config import Settings, load_settings


@dataclass
class GlobalOptions:
    config: Path | None = None
    verbose: bool = False
    quiet: bool = False
    log_format: str = "text"
    log_file: Path | None = None
    no_color: bool = False

    def settings(self, **flags: Any) -> Settings:
        return load_settings(self.config, flags)


OPTIONS = GlobalOptions()
