"""Who heads what, on the real organisation (issue 15): heads by evidence, managers, reports, categories."""

from __future__ import annotations

from collections import Counter

import pytest

from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure, Position
from profilegen.org.roles import Roles
from tests.conftest import A101, needs_a101

pytestmark = needs_a101


@pytest.fixture(scope="module")
def org() -> OrgStructure:
    return load_org(A101 / "Structure.xlsx")


@pytest.fixture(scope="module")
def roles(org: OrgStructure) -> Roles:
    return Roles(org)


def _position(org: OrgStructure, path: tuple[str, ...], title: str) -> Position:
    return next(p for p in org.units[path].positions if p.title == title)


def _head(roles: Roles, *path: str) -> str | None:
    head = roles.head(tuple(path))
    return head.title if head is not None else None


LEGAL = "Блок директора по правовому обеспечению и управлению рисками"


def test_the_general_director_heads_the_top_unit_and_the_organisation(org: OrgStructure, roles: Roles) -> None:
    assert _head(roles, "ГК А101") == "Генеральный директор", "not 'Руководитель управления аналитики'"
    ceo_position = _position(org, ("ГК А101",), "Генеральный директор")
    ceo = roles.role(ceo_position)
    assert ceo.category == "senior_manager" and ceo.manager == ""
    assert "Блок операционного директора" in ceo.subordinate_units
    assert ceo.headcount_below == 2844 - 1
    operations = roles.role(_position(org, ("Блок операционного директора",), "Операционный директор"))
    assert operations.manager == "Генеральный директор (ГК А101)", "a block head reports to the CEO"
    deputy = roles.role(_position(org, ("ГК А101",), "Заместитель Генерального директора"))
    assert deputy.manager == "Генеральный директор (ГК А101)" and deputy.deputy_of == ceo_position
    assert deputy.category == "senior_manager", "a deputy takes the category of the head he deputises"


def test_a_title_naming_the_unit_wins_over_list_order(roles: Roles) -> None:
    assert _head(roles, LEGAL) == "Директор по правовому обеспечению и управлению рисками"
    assert _head(roles, "Блок бизнес-директора") == "Бизнес-директор"
    assert _head(roles, "Блок операционного директора", "Департамент закупок") == "Директор по закупкам"
    assert _head(roles, LEGAL, "Управление по информационной безопасности") == "Директор по информационной безопасности"
    assert _head(roles, "Блок исполнительного директора", "Департамент девелопмента") == "Директор департамента"
    assert _head(roles, 'Дирекция "Социальные объекты"', "Экспертно-технический отдел") == "Руководитель отдела"


def test_smaller_kinds_advisers_and_assistants_never_head(org: OrgStructure, roles: Roles) -> None:
    comms = ("Блок бизнес-директора", "Департамент по связям с общественностью")
    assert _head(roles, *comms) == "Директор по коммуникациям"  # not the heads of 'направление' inside it
    assert _head(roles, LEGAL, "Департамент по правовым вопросам") is None  # an adviser and a deputy only
    assert not roles.role(_position(org, (LEGAL,), "Руководитель направления комплаенс")).is_head


def test_the_only_position_heads_even_as_a_deputy(org: OrgStructure, roles: Roles) -> None:
    security = _position(org, ("Блок безопасности",), "Заместитель генерального директора по безопасности")
    role = roles.role(security)
    assert role.is_head and role.category == "senior_manager"
    assert role.direct_reports == 1 and role.subordinate_units == ("Служба безопасности",)
    assert role.headcount_below == org.total_headcount(("Блок безопасности",)) - 1


def test_categories_by_kind_and_place(org: OrgStructure, roles: Roles) -> None:
    heads_of_management = Counter(
        roles.role(p).category for p in org.positions() if p.title == "Руководитель управления"
    )
    assert heads_of_management["line_manager"] == 0, "an Управление head is a middle manager, not a line one"
    assert heads_of_management["middle_manager"] >= 38
    categories = Counter(roles.role(p).category for p in org.positions())
    # A101's scale: heads of отделы are middle, of департаменты top level; deputies take their head's category
    assert categories == {"specialist": 1101, "line_manager": 314, "middle_manager": 243, "senior_manager": 31}
    cfo = roles.role(_position(org, ("Блок операционного директора", "Департамент финансов"), "Финансовый директор"))
    assert cfo.category == "senior_manager" and cfo.manager == "Операционный директор (Блок операционного директора)"


def test_equal_evidence_and_no_head_are_reported(roles: Roles) -> None:
    kinds = Counter(p.kind for p in roles.problems())
    assert kinds["head_tie"] >= 1 and kinds["no_head"] >= 1
    tie = next(p for p in roles.problems() if p.kind == "head_tie")
    assert "set `heads:`" in tie.message


def test_hr_overrides_the_rule(org: OrgStructure) -> None:
    path = ("ГК А101",)
    overridden = Roles(org, heads={path: "Руководитель управления аналитики"})
    assert overridden.head(path) is not None and overridden.head(path).title == "Руководитель управления аналитики"  # type: ignore[union-attr]
    assert overridden.heads[path] is not None and "set by HR" in overridden.heads[path].reason  # type: ignore[union-attr]
    none = Roles(org, heads={path: None})
    assert none.head(path) is None
