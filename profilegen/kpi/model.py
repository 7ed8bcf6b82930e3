"""KPI files and their rows, as read from `kpi/*.md`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class KpiSource(StrEnum):
    """How a unit got its KPI file."""

    EXPLICIT = "explicit"
    SMART = "smart"
    INHERITED = "inherited"
    TEMPLATE = "template"


def target_text(target: str, unit: str) -> str:
    """A KPI's target as a reader is told it: its value with its unit ("100 %"); nothing without a value (a unit
    alone is no target)."""
    return " ".join(filter(None, (target, unit))) if target else ""


@dataclass(frozen=True, slots=True)
class Kpi:
    """One KPI row; ``weights`` maps a position column to that position's weight."""

    name: str
    target: str = ""
    unit: str = ""
    period: str = ""
    section: str = ""
    weights: tuple[tuple[str, float], ...] = ()
    line: int = 0


@dataclass(slots=True)
class KpiFile:
    """A KPI file: who it is for (front matter) and its table."""

    path: Path
    name: str
    department: str | None = None
    code: str | None = None
    aliases: tuple[str, ...] = ()
    match: tuple[str, ...] = ()
    positions: dict[str, str] = field(default_factory=dict)
    weight_columns: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    text_hash: str = ""
