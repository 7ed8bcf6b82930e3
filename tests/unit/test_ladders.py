"""Grades read from titles: the order HR uses, word forms and hyphens ignored, heads and assistants not rungs."""

from __future__ import annotations

import pytest

from profilegen.org.ladders import read_grade

LADDER = [
    "Стажер-архитектор",
    "Младший архитектор",
    "Архитектор",
    "Архитектор 3 категории",
    "Архитектор 2 категории",
    "Архитектор 1 категории",
    "Старший архитектор",
    "Ведущий архитектор 3 категории",
    "Ведущий архитектор 1 категории",
    "Главный специалист архитектор 3 категории",
    "Главный специалист-архитектор 1 категории",
    "Главный архитектор проекта",
    "Главный архитектор проекта 1 категории",
]


def test_a_ladder_in_the_order_hr_uses() -> None:
    grades = [read_grade(title) for title in LADDER]
    assert all(g is not None and g.profession == ("архитектор",) for g in grades), grades
    ranks = [g.rank for g in grades if g is not None]
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)


def test_forms_hyphens_and_the_expert_track() -> None:
    assert read_grade("Главный специалист-архитектор") == read_grade("Главный специалист архитектор")
    assert read_grade("Младший специалист по планированию").rank < read_grade("Специалист по планированию").rank  # type: ignore[union-attr]
    chief = read_grade("Главный специалист архитектор 2 категории")
    assert chief is not None and chief.expert
    assert not read_grade("Главный архитектор проекта").expert  # type: ignore[union-attr]


@pytest.mark.parametrize("title", ["Руководитель группы", "Заместитель директора", "Помощник руководителя", ""])
def test_heads_deputies_and_assistants_are_not_rungs(title: str) -> None:
    assert read_grade(title) is None
