"""Per-position KPIs: only the rows weighted for the position's column, else the whole department's."""

from __future__ import annotations

from dataclasses import dataclass

from profilegen.kpi.model import Kpi, KpiFile
from profilegen.kpi.workbook import Card
from profilegen.text import normalize


@dataclass(frozen=True, slots=True)
class PositionKpi:
    """A KPI as it applies to one position."""

    name: str
    target: str
    unit: str
    period: str
    weight: float | None
    section: str
    # from a workbook card
    min: str = ""
    max: str = ""
    method: str = ""
    source: str = ""
    type: str = ""
    trigger: bool = False


@dataclass(frozen=True, slots=True)
class PositionKpis:
    """The KPIs of one position and whether they were filtered for it."""

    kpis: tuple[PositionKpi, ...]
    scope: str  # "position" or "department"
    column: str | None = None


def weight_column(kpi_file: KpiFile, title: str) -> str | None:
    """The weight column for a title: the front matter's `positions:` map, else an equal column name."""
    wanted = normalize(title)
    mapped = kpi_file.positions.get(wanted)
    if mapped is not None:
        return mapped
    return next((c for c in kpi_file.weight_columns if normalize(c) == wanted), None)


def kpis_for_position(kpi_file: KpiFile | None, title: str) -> PositionKpis:
    """The position's own KPIs with their weights; all of them (scope department) when it has no column."""
    if kpi_file is None:
        return PositionKpis((), "department")
    column = weight_column(kpi_file, title)
    if column is None:
        return PositionKpis(tuple(_as_position(k, None) for k in kpi_file.kpis), "department")
    chosen = []
    for kpi in kpi_file.kpis:
        weight = dict(kpi.weights).get(column)
        if weight:
            chosen.append(_as_position(kpi, weight))
    return PositionKpis(tuple(chosen), "position", column)


MAX_UNIT_KPIS = 5


def card_kpis(card: Card, period: str, own: bool = True) -> PositionKpis:
    """A position's own card, as it is: every KPI with its weight (a trigger is a gate, weight 1). Not
    ``own``: the unit's KPIs from a card of its unit, for context — a handful, no trigger, no weights."""
    # the unit's own (personal) KPIs before the corporate ones every card repeats
    unit = sorted((k for k in card.kpis if not k.trigger), key=lambda k: k.section.startswith("Корпоратив"))
    chosen = card.kpis if own else tuple(unit[:MAX_UNIT_KPIS])
    kpis = tuple(
        PositionKpi(
            k.name,
            k.target,
            k.unit,
            period,
            k.weight if own else None,
            k.section,
            k.min,
            k.max,
            k.method,
            k.source,
            k.type,
            k.trigger,
        )
        for k in chosen
    )
    return PositionKpis(kpis, "position" if own else "department", card.column)


def _as_position(kpi: Kpi, weight: float | None) -> PositionKpi:
    return PositionKpi(kpi.name, kpi.target, kpi.unit, kpi.period, weight, kpi.section)
