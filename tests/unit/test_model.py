from __future__ import annotations

from profilegen.org.loader import load_org
from profilegen.org.model import OrgStructure, is_head_title
from tests.conftest import SAMPLE_YAML


def test_head_titles() -> None:
    assert is_head_title("Руководитель отдела")
    assert is_head_title("Финансовый директор")
    assert is_head_title("Head of Sales")
    assert not is_head_title("Заместитель директора")
    assert not is_head_title("Ведущий специалист")
    assert not is_head_title("")


def test_subordinates_come_from_the_graph() -> None:
    org = load_org(SAMPLE_YAML)
    dit = ("Блок информационных технологий", "Департамент информационных технологий")
    head = org.head_of(dit)
    assert head is not None and head.title == "Директор департамента"
    subs = org.subordinates(head)
    assert "Отдел CRM" in subs.units
    # own unit minus itself (1 business analyst) + heads of the four child units
    assert subs.people == 1 + len(org.units[dit].children)
    analyst = next(p for p in org.units[dit].positions if p.title == "Бизнес-аналитик")
    assert org.subordinates(analyst).people == 0


def test_headcount_and_subtree() -> None:
    org = OrgStructure()
    org.add_position(("A",), "Head", 1)
    org.add_position(("A", "B"), "X", 2)
    org.add_position(("A", "B"), "X", 3)
    assert org.units[("A", "B")].positions[0].headcount == 5
    assert org.total_headcount(("A",)) == 6
    assert [u.path for u in org.subtree(("A",))] == [("A",), ("A", "B")]
    assert org.head_of(("Z",)) is None
