"""The one terminal sink: stdout for results, stderr for messages; quiet, colour and TTY aware."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, cast

from rich.console import Console

from profilegen.cli.state import OPTIONS
from profilegen.jsontext import pretty, pretty_chunks


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


def done(message: str) -> None:
    """A line saying what a command did (stdout), left out under --quiet: a successful cron job says nothing."""
    if not OPTIONS.quiet:
        print(message)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr, flush=True)


def error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)


def emit_json(data: Any) -> None:
    _bytes_writer()(pretty(data))
    sys.stdout.flush()


def emit_json_pieces(data: dict[str, Any]) -> None:
    """`emit_json` of an object whose iterator values are written as lists an item at a time."""
    write = _bytes_writer()
    for piece in pretty_chunks(data):
        write(piece)
    sys.stdout.flush()


def _bytes_writer() -> Callable[[bytes], object]:
    """Where UTF-8 bytes go to stdout: its binary buffer (after the text written so far), or as text."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is not None:
        return cast(Callable[[bytes], object], buffer.write)
    return lambda data: sys.stdout.write(data.decode("utf-8"))


CHUNK = 1 << 20  # bytes gathered before a write


def emit_encoded_lines_list(lines: Iterable[bytes]) -> None:
    """A JSON list with one item per line, each item already encoded as one line of compact JSON (by the C
    encoder: a pretty-printed list of thousands of objects goes through the pure-Python one, about 1.5 ms an
    item); still one valid JSON document."""
    write = _bytes_writer()
    chunk, size, separator = [b"["], 0, b"\n"
    for line in lines:  # written a megabyte at a time: a line of a few kilobytes each was a system call each
        chunk += (separator, line)
        separator = b",\n"
        size += len(line)
        if size >= CHUNK:
            write(b"".join(chunk))
            chunk, size = [], 0
    chunk.append(b"\n]\n" if separator != b"\n" else b"]\n")
    write(b"".join(chunk))
    sys.stdout.flush()


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
