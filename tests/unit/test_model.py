from __future__ import annotations

from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure
from profilegen.org.roles import Roles
from tests.conftest import SAMPLE_YAML


def test_subordinates_come_from_the_graph() -> None:
    org = load_org(SAMPLE_YAML)
    roles = Roles(org)
    dit = ("Блок информационных технологий", "Департамент информационных технологий")
    head = roles.head(dit)
    assert head is not None and head.title == "Директор департамента"
    role = roles.role(head)
    assert "Отдел CRM" in role.subordinate_units
    # own unit minus itself (1 business analyst) + heads of the four child units
    assert role.direct_reports == 1 + len(org.units[dit].children)
    assert role.headcount_below == org.total_headcount(dit) - 1
    analyst = next(p for p in org.units[dit].positions if p.title == "Бизнес-аналитик")
    assert roles.role(analyst).direct_reports == 0
    assert roles.role(analyst).manager == "Директор департамента (Департамент информационных технологий)"


def test_headcount_and_subtree() -> None:
    org = OrgStructure()
    org.add_position(("A",), "Head", 1)
    org.add_position(("A", "B"), "X", 2)
    org.add_position(("A", "B"), "X", 3)
    assert org.units[("A", "B")].positions[0].headcount == 5
    assert org.total_headcount(("A",)) == 6
    assert [u.path for u in org.subtree(("A",))] == [("A",), ("A", "B")]
    assert Roles(org).head(("A",)) is not None
