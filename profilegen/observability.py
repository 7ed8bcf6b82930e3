"""Structured events from the pipeline as log lines: text for people, JSON (one object a line) for machines."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

LEVELS = {"position_failed": "error", "run_aborted": "error", "error": "error", "position_quarantined": "warning"}
RUN_LEVELS = {"completed": "info", "budget": "warning", "duration_limit": "warning", "interrupted": "warning"}


def level_of(event: str, fields: dict[str, Any]) -> str:
    """error, warning or info: a notice that is a warning, and how a run ended, say so themselves."""
    if event == "notice":
        return "warning" if str(fields.get("message", "")).startswith("warning:") else "info"
    if event == "run_finished":
        return RUN_LEVELS.get(str(fields.get("outcome")), "error")
    return LEVELS.get(event, "info")


class EventLog:
    """Writes pipeline events to a log file and/or stderr in text or JSON form."""

    def __init__(self, log_format: str = "text", log_file: Path | None = None, echo: bool = False) -> None:
        self.log_format = log_format
        self.echo = echo
        self._file: TextIO | None = log_file.open("a", encoding="utf-8") if log_file else None

    def __call__(self, event: str, fields: dict[str, Any]) -> None:
        if self._file is None and not self.echo:  # nowhere to go (100,000 skipped positions are not formatted)
            return
        line = self.format(event, fields)
        if self._file is not None:
            self._file.write(line + "\n")
            self._file.flush()
        if self.echo:
            print(line, file=sys.stderr, flush=True)

    def format(self, event: str, fields: dict[str, Any]) -> str:
        level = level_of(event, fields)
        ts = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        if self.log_format == "json":
            return json.dumps({"event": event, "ts": ts, "level": level, **fields}, ensure_ascii=False, default=str)
        details = " ".join(f"{k}={_text(v)}" for k, v in fields.items() if v is not None)
        return f"{ts} {level.upper():5} {event} {details}".rstrip()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return json.dumps(" / ".join(map(str, value)), ensure_ascii=False)
    text = str(value)
    return json.dumps(text, ensure_ascii=False) if " " in text else text
