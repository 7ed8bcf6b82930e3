from __future__ import annotations

import pytest

from profilegen.errors import SelectionError
from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure
from profilegen.org.selection import UnitIndex, select_positions
from tests.conftest import A101, SAMPLE_YAML, needs_a101


@pytest.fixture(scope="module")
def sample() -> OrgStructure:
    return load_org(SAMPLE_YAML)


def test_resolves_path_name_and_trailing_part(sample: OrgStructure) -> None:
    index = UnitIndex(sample)
    crm = ("Блок информационных технологий", "Департамент информационных технологий", "Отдел CRM")
    assert index.resolve("Отдел CRM") == crm
    assert index.resolve("Блок информационных технологий / Департамент информационных технологий / Отдел CRM") == crm
    assert index.resolve("Блок информационных технологий/Департамент информационных технологий/Отдел CRM") == crm
    assert index.resolve("Департамент информационных технологий / Отдел CRM") == crm
    assert index.resolve("отдел  crm") == crm


def test_insensitive_to_quotes_and_yo(sample: OrgStructure) -> None:
    index = UnitIndex(sample)
    assert index.resolve("Дирекция «Социальные объекты»") == ('Дирекция "Социальные объекты"',)
    assert index.resolve('Группа продаж "Юг"')[-1] == "Группа продаж «Юг»"


def test_ambiguous_name_lists_paths(sample: OrgStructure) -> None:
    with pytest.raises(SelectionError) as info:
        UnitIndex(sample).resolve("Отдел продаж")
    message = str(info.value)
    assert "ambiguous" in message
    assert "Коммерческий департамент / Отдел продаж" in message
    assert "Департамент регионального развития / Отдел продаж" in message


def test_ancestor_plus_name_disambiguates(sample: OrgStructure) -> None:
    path = UnitIndex(sample).resolve("Департамент регионального развития / Отдел продаж")
    assert path == ("Коммерческий блок", "Департамент регионального развития", "Отдел продаж")
    path = UnitIndex(sample).resolve("Коммерческий блок / Департамент регионального развития / Отдел продаж")
    assert path[-2] == "Департамент регионального развития"
    skipping = UnitIndex(sample).resolve('Коммерческий департамент / Группа продаж "Север"')
    assert skipping[-1] == 'Группа продаж "Север"'


def test_unknown_name_suggests(sample: OrgStructure) -> None:
    with pytest.raises(SelectionError) as info:
        UnitIndex(sample).resolve("Департамент закупк")
    assert str(info.value).startswith("Department 'Департамент закупк' not found. Did you mean: Департамент закупок")


def test_nothing_close_lists_top_level(sample: OrgStructure) -> None:
    with pytest.raises(SelectionError, match="Top-level units: Генеральная дирекция"):
        UnitIndex(sample).resolve("zzzz qqqq")


def test_select_positions_with_and_without_subunits(sample: OrgStructure) -> None:
    with_sub = select_positions(sample, ["Департамент информационных технологий"])
    without = select_positions(sample, ["Департамент информационных технологий"], subunits=False)
    assert len(without) == 2
    assert len(with_sub) > len(without)
    heads = select_positions(sample, ["Департамент информационных технологий"], position="руководитель отдела")
    assert {p.title for p in heads} == {"Руководитель отдела"}
    assert len(heads) == 4
    assert len(select_positions(sample, None)) == 120


def test_unknown_position_suggests(sample: OrgStructure) -> None:
    with pytest.raises(SelectionError, match="Did you mean: Разработчик"):
        select_positions(sample, ["Отдел CRM"], position="Разрабочик")
    with pytest.raises(SelectionError, match="not found in the selection"):
        select_positions(sample, ["Отдел CRM"], position="Космонавт")


@needs_a101
def test_real_fixture_nbsp_and_repeated_names() -> None:
    org = load_org(A101 / "Structure.xlsx")
    index = UnitIndex(org)
    assert index.resolve("Группа финансовой отчетности")[-1] == "Группа\u00a0финансовой\u00a0отчетности"
    with pytest.raises(SelectionError, match="ambiguous"):
        index.resolve("Отдел продаж")
    with pytest.raises(SelectionError, match="Did you mean"):
        index.resolve("Департамент закупк")
