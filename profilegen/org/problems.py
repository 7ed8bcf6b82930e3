"""Problems found while reading an org file: where they are and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from profilegen.text import has_control_chars


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of `org validate`, located by file and row (or line)."""

    kind: str
    message: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


MAX_NAME_LENGTH = 300


def name_problems(names: Sequence[str], where: str) -> list[Problem]:
    """Names too long to be real, or holding control characters (NUL included)."""
    if max(map(len, names), default=0) <= MAX_NAME_LENGTH and not has_control_chars("".join(names)):
        return []  # the usual answer, in one pass over a row's names
    found = []
    for name in names:
        if len(name) > MAX_NAME_LENGTH:
            found.append(Problem("long_name", f"name longer than {MAX_NAME_LENGTH} characters", where))
        if has_control_chars(name):
            found.append(Problem("control_chars", f"control characters in {name[:60]!r}", where))
    return found
