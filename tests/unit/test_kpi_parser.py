from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profilegen.errors import InputError
from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.filtering import kpis_for_position
from profilegen.kpi.parser import KpiFileError, parse_kpi_file, parse_kpi_text
from tests.conftest import KPI_DIR

TABLE = """---
department: Отдел тестов
code: ОТ
positions:
  Старший тестировщик: Тестировщик
---
Intro text.

| КПЭ | Целевое значение | Ед. изм. | Период | Руководитель отдела | Тестировщик |
| Корпоративные КПЭ | | | | | |
| Выручка | 100 | % | год | 0.5 | - |
| | | | | 0.1 | 0.2 |
| **Качество** | | | | | |
| Дефекты | 5 | шт. | квартал | 0 | 30% |
| Скорость | - | дн. | месяц | 0,25 | 0.4 |
"""


def test_parses_sections_dashes_merged_cells_without_separator(tmp_path: Path) -> None:
    path = tmp_path / "t.md"
    path.write_text(TABLE, encoding="utf-8")
    kpi_file = parse_kpi_file(path, tmp_path)
    assert kpi_file.name == "t.md"
    assert kpi_file.weight_columns == ("Руководитель отдела", "Тестировщик")
    names = [(k.name, k.section) for k in kpi_file.kpis]
    assert names == [
        ("Выручка", "Корпоративные КПЭ"),
        ("Выручка", "Корпоративные КПЭ"),
        ("Дефекты", "Качество"),
        ("Скорость", "Качество"),
    ]
    assert kpi_file.kpis[1].target == "100"  # merged-looking blank cell takes the value above
    assert dict(kpi_file.kpis[2].weights) == {"Тестировщик": 0.3}
    assert dict(kpi_file.kpis[3].weights) == {"Руководитель отдела": 0.25, "Тестировщик": 0.4}
    assert kpi_file.kpis[3].target == ""


def test_per_position_filtering(tmp_path: Path) -> None:
    kpi_file = parse_kpi_text(TABLE, tmp_path / "t.md", "t.md")
    head = kpis_for_position(kpi_file, "руководитель  отдела")
    assert head.scope == "position"
    assert [(k.name, k.weight) for k in head.kpis] == [("Выручка", 0.5), ("Выручка", 0.1), ("Скорость", 0.25)]
    mapped = kpis_for_position(kpi_file, "Старший тестировщик")
    assert mapped.column == "Тестировщик"
    assert [k.name for k in mapped.kpis] == ["Выручка", "Дефекты", "Скорость"]
    other = kpis_for_position(kpi_file, "Аналитик")
    assert other.scope == "department"
    assert len(other.kpis) == 4
    assert kpis_for_position(None, "x").kpis == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("| КПЭ |\n|---|\n| a |\n", "no YAML front matter"),
        ("---\ndepartment: [unclosed\n---\n| КПЭ |\n", "line 2"),
        ("---\ndepartment: X\n", "not closed"),
        ("---\nfoo: bar\n---\n| КПЭ |\n", "names no 'department'"),
        ("---\ndepartment: X\n---\nno table\n", "no KPI table"),
        ("---\ndepartment: X\n---\n| КПЭ | Ед. изм. | A |\n|---|---|---|\n| k | % | 1 | 2 |\n", "line 6"),
        ("---\ndepartment: X\n---\n| Name | B |\n", "no KPI column"),
        ("---\ndepartment: X\n---\n| КПЭ | Ед. изм. | A |\n| k | % | lots |\n", "weight 'lots'"),
        ("---\ndepartment: X\n---\n| КПЭ | Ед. изм. | A |\n| | % | 1 |\n", "no KPI name"),
        ("---\n- a\n---\n| КПЭ |\n", "must be a mapping"),
    ],
)
def test_malformed_files_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KpiFileError) as info:
        parse_kpi_file(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_parser_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(InputError):
        parse_kpi_text(text, Path("fuzz.md"), "fuzz.md")


def test_shipped_catalog_loads() -> None:
    catalog = load_catalog(KPI_DIR)
    assert len(catalog.files) >= 5
    assert catalog.generic is not None
    assert all(f.kpis for f in catalog.files)
    assert catalog.by_name("templates/generic.md") is catalog.generic


def test_mapping_yaml_must_name_existing_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ndepartment: A\n---\n| КПЭ |\n|---|\n| x |\n", encoding="utf-8")
    (tmp_path / "mapping.yaml").write_text("Отдел: missing.md\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing\.md"):
        load_catalog(tmp_path)
    (tmp_path / "mapping.yaml").write_text("units:\n  Отдел: a.md\n", encoding="utf-8")
    assert load_catalog(tmp_path).explicit == {"Отдел": "a.md"}
    with pytest.raises(InputError, match="KPI folder not found"):
        load_catalog(tmp_path / "nope")
