"""Problems found while reading an org file: where they are and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of `org validate`, located by file and row (or line)."""

    kind: str
    message: str
    where: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"
