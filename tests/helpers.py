"""Small writers for real input files used by tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import openpyxl

from profilegen.generation.context import PositionContext, build_context
from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.mapping import KpiMapper
from profilegen.org.loader import load_org
from profilegen.org.roles import Roles
from tests.conftest import KPI_DIR, SAMPLE_YAML


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], sheet: str = "Лист1", extra_sheets: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for i in range(extra_sheets):
        workbook.create_sheet(f"extra{i}")
    workbook.save(path)
    return path


def sample_contexts(employee_name: str | None = None) -> list[PositionContext]:
    """Every sample position's generation context, built the way the pipeline builds it."""
    org = load_org(SAMPLE_YAML)
    catalog = load_catalog(KPI_DIR)
    mapping = KpiMapper(catalog).map_org(org)
    roles = Roles(org)
    return [
        build_context(org, p, mapping[p.unit_path], catalog.by_name(mapping[p.unit_path].file), roles, employee_name)
        for p in org.positions()
    ]
