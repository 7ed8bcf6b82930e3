from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profilegen.errors import InputError
from profilegen.export.layout import OutputLayout
from profilegen.export.paths import MAX_PART, folder_names, inside, safe_part
from profilegen.org.model import OrgStructure


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Отдел CRM", "Отдел CRM"),
        ('Дирекция "Социальные объекты"', "Дирекция 'Социальные объекты'"),
        ("A/B\\C", "A_B_C"),
        ("..", "_"),
        (".", "_"),
        ("CON", "_CON"),
        ("-rf", "rf"),
        ("a\x00b\nc", "a_b_c"),
        ("trailing. ", "trailing"),
    ],
)
def test_safe_part(name: str, expected: str) -> None:
    assert safe_part(name) == expected


@given(st.text(min_size=1, max_size=300))
def test_safe_part_is_always_a_single_safe_name(name: str) -> None:
    part = safe_part(name)
    assert part and part not in (".", "..")
    assert "/" not in part and "\\" not in part and "\x00" not in part
    assert len(part) <= MAX_PART
    assert not part.startswith("-")


@given(st.lists(st.text(min_size=1, max_size=40), min_size=2, max_size=8, unique=True))
def test_folder_names_are_injective(names: list[str]) -> None:
    mapped = folder_names(names)
    assert len({v.casefold() for v in mapped.values()}) == len(names)


def test_collision_suffix_is_stable() -> None:
    first = folder_names(["A/B", "A_B"])
    assert first["A_B"] == "A_B"
    assert first["A/B"].startswith("A_B~")
    later = folder_names(["A/B", "A_B", "A:B"])
    assert later["A/B"] == first["A/B"]


def test_long_names_are_bounded_and_distinct() -> None:
    a, b = "x" * 300 + "1", "x" * 300 + "2"
    names = folder_names([a, b])
    assert names[a] != names[b]
    assert all(len(v) <= MAX_PART for v in names.values())


def test_inside_refuses_escapes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert inside(out, out / "a" / "b.json") == (out / "a" / "b.json").resolve()
    with pytest.raises(InputError):
        inside(out, out / ".." / "x")
    os.symlink(tmp_path, out / "link")
    with pytest.raises(InputError):
        inside(out, out / "link" / "x.json")


def test_layout_keeps_script_and_separates_collisions(tmp_path: Path) -> None:
    org = OrgStructure()
    org.add_position(("Блок", "Отдел/продаж"), "Менеджер")
    org.add_position(("Блок", "Отдел_продаж"), "Менеджер")
    org.add_position(("Блок",), "Директор")
    layout = OutputLayout(org, tmp_path)
    first = layout.file(("Блок", "Отдел/продаж"), "Менеджер", "json")
    second = layout.file(("Блок", "Отдел_продаж"), "Менеджер", "json")
    assert first != second
    assert first.parent.parent == tmp_path / "Блок"
    assert layout.file(("Блок",), "Директор", "md", "Анна-Мария О'Нил").name == "Директор (Анна-Мария О'Нил).md"


def test_deep_paths_stay_under_240_characters(tmp_path: Path) -> None:
    from profilegen.export.layout import MAX_PATH

    org = OrgStructure()
    deep = tuple(f"Управление по очень длинному направлению деятельности номер {i}" for i in range(8))
    title = "Ведущий специалист по сопровождению проектов и программ развития " * 2
    org.add_position(deep, title)
    org.add_position(deep[:3], "Руководитель")
    org.add_position(("Отдел кадров и организационного развития компании",), "Руководитель")
    out = tmp_path / ("o" * 40)
    layout = OutputLayout(org, out)
    path = layout.file(deep, title, "docx", "Анна-Мария Константинопольская")
    new = path.with_name(path.name.replace(".docx", ".new.docx"))
    assert len(str(new.resolve())) <= MAX_PATH
    shallow = layout.file(("Отдел кадров и организационного развития компании",), "Руководитель", "json")
    assert shallow.parent.name == "Отдел кадров и организационного развития компании", "short paths stay whole"
    again = OutputLayout(org, out).file(deep, title, "docx", "Анна-Мария Константинопольская")
    assert again == path, "shortening is deterministic"


def test_personal_files_are_the_positions_own_from_one_listing_of_its_folder(tmp_path: Path) -> None:
    from profilegen.export.paths import Listing

    names = [
        "Менеджер.json",
        "Менеджер (Анна Иванова).json",
        "Менеджер (Борис [Б.] Петров).json",  # glob's special characters in a name
        "Менеджер (Анна Иванова).md",
        "Менеджер по продажам (Вера).json",  # another position whose title starts the same
        "Менеджер (проектов) (Глеб).json",  # ours too unless «Менеджер (проектов)» is a position beside it
        "Менеджер ().json",
    ]
    for name in names:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    listing = Listing()
    found = [p.name for p in listing.personal_files(tmp_path / "Менеджер")]
    assert found == sorted(
        [
            "Менеджер (Анна Иванова).json",
            "Менеджер (Борис [Б.] Петров).json",
            "Менеджер (проектов) (Глеб).json",
            "Менеджер ().json",
        ]
    )
    assert [p.name for p in listing.personal_files(tmp_path / "Менеджер (проектов)")] == [
        "Менеджер (проектов) (Глеб).json"
    ]
    assert listing.personal_files(tmp_path / "missing" / "Менеджер") == []
    beside = ["Менеджер", "Менеджер (проектов)", "Менеджер по продажам"]
    assert [p.name for p in listing.personal_files(tmp_path / "Менеджер", beside)] == [
        "Менеджер ().json",
        "Менеджер (Анна Иванова).json",
        "Менеджер (Борис [Б.] Петров).json",
    ]


def test_a_units_folder_as_text_is_its_checked_folder_links_and_all(tmp_path: Path) -> None:
    """`checked_folder` (text, for a check's 100,000 positions) names what `checked_dir` does: a folder that is
    a link inside OUT followed, one leading out refused."""
    org = OrgStructure()
    org.add_position(("Блок", "Отдел", "Группа"), "Инженер")
    org.add_position(("Блок", "Склад"), "Кладовщик")
    org.add_position(("Выход",), "Охранник")
    out = tmp_path / "out"
    layout = OutputLayout(org, out)
    (out / "Блок" / "Отдел настоящий" / "Группа").mkdir(parents=True)
    os.symlink(out / "Блок" / "Отдел настоящий", out / "Блок" / "Отдел")
    for unit in [("Блок",), ("Блок", "Отдел"), ("Блок", "Отдел", "Группа"), ("Блок", "Склад")]:
        assert layout.checked_folder(unit) == str(layout.checked_dir(unit))
    assert layout.checked_folder(("Блок", "Отдел", "Группа")).endswith("Отдел настоящий/Группа")
    os.symlink(tmp_path, out / "Выход")
    with pytest.raises(InputError):
        layout.checked_folder(("Выход",))
