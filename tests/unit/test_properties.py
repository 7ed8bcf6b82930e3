"""Property tests: fingerprints, and loaders that only ever raise their own error."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilegen.company.choosing import Picked
from profilegen.company.documents import Section
from profilegen.errors import InputError
from profilegen.generation.context import PositionContext, fingerprint
from profilegen.kpi.filtering import PositionKpi
from profilegen.org.candidates import Candidate
from profilegen.org.loader import load_org
from profilegen.org.tabular import build
from tests.helpers import write_xlsx

BASE = PositionContext(
    unit_path=("Блок", "Отдел"),
    title="Инженер",
    headcount=2,
    unit_code="001",
    is_head=False,
    category="specialist",
    direct_manager="Руководитель отдела (Отдел)",
    subordinate_units=(),
    subordinate_people=0,
    headcount_below=0,
    kpi_source="smart",
    kpi_file="a.md",
    kpi_scope="position",
    kpis=(PositionKpi("Выручка", "100", "%", "год", 0.5, ""),),
    feeders=(),
    targets=(Candidate("Руководитель отдела", ("Блок", "Отдел"), "vertical", "the head of the unit"),),
    unit_headcount=3,
    related_units=("Блок",),
)
PARAMS = {"provider": "openai", "model": "m", "language": "ru", "context_files": {"a.md": "1", "b.md": "2"}}


@given(st.permutations(list(PARAMS.items())), st.permutations(list(PARAMS["context_files"].items())))
def test_fingerprint_is_stable_under_dict_ordering(items: list[tuple[str, Any]], files: list[tuple[str, str]]) -> None:
    shuffled = dict(items)
    shuffled["context_files"] = dict(files)
    assert fingerprint(BASE, shuffled) == fingerprint(BASE, PARAMS)


CHANGES = {
    "unit_path": ("Блок", "Другой отдел"),
    "title": "Старший инженер",
    "headcount": 3,
    "unit_code": "002",
    "is_head": True,
    "direct_manager": "Директор",
    "subordinate_units": ("Группа",),
    "subordinate_people": 4,
    "category": "line_manager",
    "headcount_below": 9,
    "kpi_source": "inherited",
    "kpi_file": "b.md",
    "kpi_scope": "department",
    "kpis": (PositionKpi("Выручка", "110", "%", "год", 0.5, ""),),
    "feeders": (Candidate("Инженер", ("Блок", "Отдел 2"), "horizontal", "the same position in another unit"),),
    "targets": (),
    "category_label": "Специалист (ИТ)",
    "category_reason": "another reason",
    "head_reason": "the only position of the unit",
    "manager_title": "Директор",
    "manager_path": ("Блок",),
    "manager_reason": "the head of the unit above",
    "deputy_of": "Директор",
    "competencies": ("Лидерство",),
    "unit_headcount": 4,
    "related_units": ("Блок", "Отдел 2"),
    "employee_name": "Анна",
    "company_sections": (Picked(Section("map.md", "Закупки", (), "Тендеры и договоры.", 3), 5, False, 4.0),),
    "sibling_units": (("Отдел 2", "договоры"),),
}


# The company-wide sections go to every position alike: the generation settings carry their digest.
@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(PositionContext) if f.name != "company_shared"])
def test_fingerprint_changes_when_any_input_changes(field: str) -> None:
    changed = dataclasses.replace(BASE, **{field: CHANGES[field]})
    assert fingerprint(changed, PARAMS) != fingerprint(BASE, PARAMS)


@pytest.mark.parametrize("key", list(PARAMS))
def test_fingerprint_changes_with_generation_settings(key: str) -> None:
    changed = {**PARAMS, key: {"a.md": "9"} if key == "context_files" else "other"}
    assert fingerprint(BASE, changed) != fingerprint(BASE, PARAMS)


def test_fingerprint_is_pinned() -> None:
    """The fingerprint's exact form is part of every journal: a change regenerates every profile of every user."""
    assert fingerprint(BASE, PARAMS) == "541976208bdd16091e11bcbcdcf85cc522ae57d4ebce9cf824483a4051d49e50"
    personal = dataclasses.replace(BASE, employee_name="Анна")
    assert fingerprint(personal, {**PARAMS, "send_employee_name": True}) == fingerprint(
        personal, {"send_employee_name": True, **PARAMS}
    )


_settings = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_settings
@given(st.text(max_size=300))
def test_yaml_loader_raises_only_input_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        org = load_org(path)
    except InputError:
        return
    assert org.units


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@_settings
@given(st.dictionaries(st.sampled_from(["organization", "metadata", "x"]), _json_values, max_size=3))
def test_legacy_json_loader_raises_only_input_errors(tmp_path: Path, data: dict[str, Any]) -> None:
    path = tmp_path / "structure.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with contextlib.suppress(InputError):
        load_org(path)


_cell = st.none() | st.text(max_size=12) | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False)


@_settings
@given(
    st.lists(
        st.sampled_from(["Уровень 1", "Уровень 2", "Должность", "Path", "Unit", "Parent", "Численность", "x"]),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.lists(_cell, max_size=6), max_size=6),
)
def test_table_builder_raises_only_input_errors(header: list[str], rows: list[list[object]]) -> None:
    with contextlib.suppress(InputError):
        build([header, *rows], "fuzz.xlsx")


def test_written_xlsx_with_odd_cells(tmp_path: Path) -> None:
    rows = [["Уровень 1", "Должность", "Численность"], ["Блок", "Инженер", "два"]]
    with pytest.raises(InputError, match="row 2: headcount 'два' is not a number"):
        load_org(write_xlsx(tmp_path / "odd.xlsx", rows))
