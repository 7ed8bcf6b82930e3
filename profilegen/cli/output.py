"""The one terminal sink: stdout for results, stderr for messages; quiet, colour and TTY aware."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console

from profilegen.cli.state import OPTIONS


def _color() -> bool:
    return not OPTIONS.no_color and "NO_COLOR" not in os.environ


def stdout() -> Console:
    return Console(file=sys.stdout, no_color=not _color(), highlight=False, soft_wrap=True)


def stderr() -> Console:
    return Console(file=sys.stderr, no_color=not _color(), highlight=False, soft_wrap=True)


def is_terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def info(message: str) -> None:
    """A progress or status message: stderr, silenced by --quiet."""
    OPTIONS.info(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def emit_json_lines_list(items: Iterable[Any]) -> None:
    """A JSON list with one item per line: the C encoder for each (a pretty-printed list of thousands of
    objects goes through the pure-Python encoder, about 1.5 ms an item), still one valid JSON document."""
    write = sys.stdout.write
    write("[")
    separator = "\n"
    for item in items:
        write(separator + json.dumps(item, ensure_ascii=False))
        separator = ",\n"
    write("\n]\n" if separator != "\n" else "]\n")


def table(headers: list[str], rows: list[list[str]], title: str | None = None) -> None:
    """A Rich table on a terminal; tab-separated lines (header first) for pipes, files and cron."""
    if is_terminal():
        from rich.table import Table

        rich_table = Table(*headers, title=title)
        for row in rows:
            rich_table.add_row(*row)
        stdout().print(rich_table)
        return
    print("\t".join(headers))
    for row in rows:
        print("\t".join(row))
