"""`source: documents` fields keep only what the sections sent say — short names included."""

from __future__ import annotations

from profilegen.company.choosing import Picked
from profilegen.company.documents import Section
from profilegen.company.grounding import ground, grounded, vocabulary


def _known(text: str) -> frozenset[str]:
    section = Section("it_systems.md", "12. Информационные технологии", (), text, 1)
    return vocabulary([Picked(section, section.tokens, False, 5.0)])


def test_short_names_the_documents_give_are_kept() -> None:
    known = _known("- **CI/CD платформа** - сборка\n- **1С:ERP** - учет\n- **BI-система** - отчеты")
    items = ["CI/CD платформа", "1С:ERP", "Power BI", "Jira", "1С"]
    kept, dropped = ground(items, known, "требует уточнения HR")
    assert kept == ["CI/CD платформа", "1С:ERP", "1С"] and dropped == ["Power BI", "Jira"]


def test_words_of_no_meaning_ground_nothing() -> None:
    known = _known("Работа за компьютером из офиса, по графику")
    assert not grounded("Опыт работы от 3 лет", known), "generic words and numbers are not a ground"
    assert not grounded("за, из, по", known)
    assert ground("", known, "—") == ("—", [])
    assert ground(["Jira"], frozenset(), "—") == (["—"], ["Jira"]), "no documents: nothing is grounded"
