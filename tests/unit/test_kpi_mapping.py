from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.mapping import KpiMapper, acronym
from profilegen.kpi.model import KpiSource
from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure
from tests.conftest import A101, KPI_DIR, SAMPLE_YAML, needs_a101

TABLE = "| КПЭ | Целевое значение | Ед. изм. |\n|---|---|---|\n| Показатель | 1 | % |\n"


def _kpi_dir(root: Path, files: dict[str, str]) -> Path:
    (root / "templates").mkdir(parents=True)
    (root / "templates" / "generic.md").write_text("---\nmatch: []\ndepartment: generic\n---\n" + TABLE)
    for name, front in files.items():
        (root / name).write_text(f"---\n{front}\n---\n{TABLE}", encoding="utf-8")
    return root


A101_FILES = {
    "dit.md": "department: Департамент информационных технологий\ncode: ДИТ\naliases: [ИТ]",
    "zakupki.md": "aliases: [закупки]",
    "prp.md": "code: ПРП\naliases: [персонал, HR]",
    "drr.md": "code: ДРР",
    "uvaik.md": "department: Управление внутреннего аудита и контроля\ncode: УВАиК",
}


@pytest.fixture(scope="module")
def a101(tmp_path_factory: pytest.TempPathFactory) -> tuple[OrgStructure, dict[tuple[str, ...], object]]:
    if not A101.is_dir():
        pytest.skip("../shared/fixtures/a101 is not beside the checkout")
    org = load_org(A101 / "Structure.xlsx")
    catalog = load_catalog(_kpi_dir(tmp_path_factory.mktemp("kpi"), A101_FILES))
    return org, dict(KpiMapper(catalog).map_org(org))


def _by_name(mapping: dict[tuple[str, ...], object], name: str) -> list[object]:
    return [a for path, a in mapping.items() if path[-1] == name]


@needs_a101
def test_every_unit_gets_exactly_one_result(a101: tuple[OrgStructure, dict[tuple[str, ...], object]]) -> None:
    org, mapping = a101
    assert set(mapping) == set(org.units)
    assert all(getattr(a, "reason", "") for a in mapping.values())


@needs_a101
def test_dit_never_matches_inside_words(a101: tuple[OrgStructure, dict[tuple[str, ...], object]]) -> None:
    _, mapping = a101
    for name in ("Управление ипотечного кредитования", "Отдел внутреннего аудита"):
        found = _by_name(mapping, name)
        assert found, name
        assert all(a.file != "dit.md" for a in found), name


@needs_a101
def test_procurement_by_lemma(a101: tuple[OrgStructure, dict[tuple[str, ...], object]]) -> None:
    _, mapping = a101
    (dept,) = _by_name(mapping, "Департамент закупок")
    assert (dept.source, dept.file) == (KpiSource.SMART, "zakupki.md")
    assert dept.reason == "alias 'закупки' occurs as whole words ('закупок')"  # the form that matched is named


@needs_a101
def test_hr_gets_prp_not_drr(a101: tuple[OrgStructure, dict[tuple[str, ...], object]]) -> None:
    _, mapping = a101
    (hr,) = _by_name(mapping, "Департамент по персоналу и организационному развитию")
    assert hr.file == "prp.md"


@needs_a101
def test_regional_development_by_acronym_and_inheritance(
    a101: tuple[OrgStructure, dict[tuple[str, ...], object]],
) -> None:
    _, mapping = a101
    (drr,) = _by_name(mapping, "Департамент регионального развития")
    assert (drr.source, drr.file) == (KpiSource.SMART, "drr.md")
    assert "acronym" in drr.reason
    sales = {path: a for path, a in mapping.items() if path[-1] == "Отдел продаж"}
    assert len(sales) == 2
    for path, a in sales.items():
        if "Департамент регионального развития" in path:
            assert a.source == KpiSource.INHERITED and a.file == "drr.md"
            assert a.inherited_from[-1] == "Департамент регионального развития"
        else:
            assert "Коммерческий департамент" in path
            assert a.file != "drr.md"


@needs_a101
def test_audit_by_department_name(a101: tuple[OrgStructure, dict[tuple[str, ...], object]]) -> None:
    _, mapping = a101
    (audit,) = _by_name(mapping, "Управление внутреннего аудита и контроля")
    assert (audit.source, audit.file) == (KpiSource.SMART, "uvaik.md")


def _org(*paths: tuple[str, ...]) -> OrgStructure:
    org = OrgStructure()
    for path in paths:
        org.add_position(path, "Специалист")
    return org


def test_short_code_only_as_whole_word(tmp_path: Path) -> None:
    catalog = load_catalog(_kpi_dir(tmp_path, {"op.md": "code: ОП"}))
    mapper = KpiMapper(catalog)
    org = _org(("Отдел продаж",), ("Группа ОП",), ("Отдел поддержки",))
    mapping = mapper.map_org(org)
    assert mapping[("Отдел продаж",)].source == KpiSource.TEMPLATE  # "ОП" is its acronym, but too short
    assert mapping[("Группа ОП",)].file == "op.md"
    assert mapping[("Отдел поддержки",)].file == "templates/generic.md"


def test_explicit_path_beats_name_and_smart(tmp_path: Path) -> None:
    root = _kpi_dir(tmp_path, {"a.md": "department: Отдел продаж", "b.md": "department: X", "c.md": "department: Y"})
    (root / "mapping.yaml").write_text("Отдел продаж: b.md\nБлок / Отдел продаж: c.md\n", encoding="utf-8")
    mapper = KpiMapper(load_catalog(root))
    mapping = mapper.map_org(_org(("Блок", "Отдел продаж"), ("Другой", "Отдел продаж"), ("Третий", "Отдел")))
    assert (mapping[("Блок", "Отдел продаж")].file, mapping[("Блок", "Отдел продаж")].source) == (
        "c.md",
        KpiSource.EXPLICIT,
    )
    assert mapping[("Другой", "Отдел продаж")].file == "b.md"
    assert mapping[("Третий", "Отдел")].source == KpiSource.TEMPLATE


def test_a_path_like_department_matches_only_the_unit_whose_path_ends_so(tmp_path: Path) -> None:
    # units of one name repeat across blocks: what is worked out once per name must still see the path's end
    root = _kpi_dir(tmp_path, {"north.md": "department: Север / Отдел продаж", "all.md": "aliases: [продаж]"})
    mapping = KpiMapper(load_catalog(root)).map_org(
        _org(("Север", "Отдел продаж"), ("Юг", "Отдел продаж"), ("Холдинг", "Север", "Отдел продаж"))
    )
    assert mapping[("Север", "Отдел продаж")].file == "north.md"
    assert mapping[("Холдинг", "Север", "Отдел продаж")].file == "north.md"
    assert mapping[("Юг", "Отдел продаж")].file == "all.md"
    assert [c.file for c in mapping[("Юг", "Отдел продаж")].candidates] == ["all.md"]


def test_more_specific_alias_wins_and_ties_are_conflicts(tmp_path: Path) -> None:
    root = _kpi_dir(
        tmp_path,
        {
            "a.md": "aliases: [продажи]",
            "b.md": "aliases: [продажи недвижимости]",
            "c.md": "aliases: [маркетинг]",
            "d.md": "aliases: [маркетинга]",
        },
    )
    mapper = KpiMapper(load_catalog(root))
    mapping = mapper.map_org(_org(("Отдел продаж недвижимости",), ("Отдел маркетинга",)))
    assert mapping[("Отдел продаж недвижимости",)].file == "b.md"
    tie = mapping[("Отдел маркетинга",)]
    assert tie.file == "c.md"
    assert tie.conflict == ["c.md", "d.md"]
    assert "tie" in tie.reason


def test_typed_template_by_lemma(tmp_path: Path) -> None:
    root = _kpi_dir(tmp_path, {})
    (root / "templates" / "security.md").write_text("---\nmatch: [безопасность]\n---\n" + TABLE, encoding="utf-8")
    mapping = KpiMapper(load_catalog(root)).map_org(_org(("Служба безопасности", "Отдел охраны")))
    assert mapping[("Служба безопасности", "Отдел охраны")].file == "templates/security.md"


def test_sample_mapping_covers_every_source() -> None:
    org = load_org(SAMPLE_YAML)
    mapping = KpiMapper(load_catalog(KPI_DIR)).map_org(org)
    sources = {a.source for a in mapping.values()}
    assert sources == {KpiSource.SMART, KpiSource.INHERITED, KpiSource.TEMPLATE}
    assert mapping[("Блок операционного директора", "Департамент закупок")].file == "procurement.md"


def test_acronym() -> None:
    assert acronym("Департамент регионального развития") == "дрр"
    assert acronym("Управление внутреннего аудита и контроля") == "увак"


_NEUTRAL = st.sampled_from(["отдел", "группа", "сектор", "служба", "центр", "бюро"])
_FRAGMENTS = ["дит", "ит", "закупк", "персонал", "hr", "дрр", "прп", "увак"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(_NEUTRAL, min_size=1, max_size=3),
    fragment=st.sampled_from(_FRAGMENTS),
    prefix=st.text(alphabet="абвгжзлмнсфхщ", min_size=1, max_size=4),
    suffix=st.text(alphabet="абвгжзлмнсфхщ", min_size=1, max_size=4),
)
def test_no_match_by_a_fragment_inside_a_word(
    tmp_path: Path, words: list[str], fragment: str, prefix: str, suffix: str
) -> None:
    mapper = _fragment_mapper(tmp_path)
    name = " ".join([*words, prefix + fragment + suffix]).capitalize()
    assert mapper.smart_candidates((name,)) == []


_MAPPERS: dict[str, KpiMapper] = {}


def _fragment_mapper(tmp_path: Path) -> KpiMapper:
    if "m" not in _MAPPERS:
        root = tmp_path / "fragment-kpi"
        _MAPPERS["m"] = KpiMapper(load_catalog(_kpi_dir(root, A101_FILES)))
    return _MAPPERS["m"]
