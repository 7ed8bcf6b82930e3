from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from profilegen.errors import InputError
from profilegen.org.loader import load_org, load_org_with_problems
from tests.conftest import A101, SAMPLE_XLSX, SAMPLE_YAML, needs_a101
from tests.helpers import write_xlsx


def _shape(path: Path) -> list[tuple[object, ...]]:
    org = load_org(path)
    return [(u.path, u.code, [(p.title, p.headcount) for p in u.positions]) for u in org.units.values()]


def test_sample_yaml_and_xlsx_are_the_same_organisation() -> None:
    assert _shape(SAMPLE_YAML) == _shape(SAMPLE_XLSX)
    org = load_org(SAMPLE_YAML)
    assert 35 <= len(org.units) <= 50
    assert 100 <= sum(1 for _ in org.positions()) <= 140
    assert max(len(p) for p in org.units) == 5
    names = Counter(p[-1] for p in org.units)
    assert any(count > 1 for count in names.values()), "a unit name under two parents"
    assert any('"' in name or "«" in name for name in names)


@needs_a101
def test_real_spreadsheet_facts() -> None:
    org, problems = load_org_with_problems(A101 / "Structure.xlsx")
    assert len(org.units) == 567
    depths = Counter(len(p) for p in org.units)
    assert [depths[d] for d in range(1, 7)] == [9, 27, 91, 177, 171, 92]
    names = Counter(p[-1] for p in org.units)
    assert len(names) == 510
    assert sum(1 for c in names.values() if c >= 2) == 35
    positions = list(org.positions())
    assert len(positions) == 1689
    assert len({p.title for p in positions}) == 605
    assert sum(p.headcount for p in positions) == 2844
    assert max(p.headcount for p in positions) == 27
    assert org.units[("Блок безопасности",)].code == "024001190"
    quoted = {n for n in names if any(q in n for q in '"«»“”')}
    assert 'Дирекция "Социальные объекты"' in quoted
    assert problems == []


@needs_a101
def test_real_spreadsheet_keeps_46_quoted_names_exactly() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(A101 / "Structure.xlsx", read_only=True)
    raw = {str(v).strip() for row in wb["выгрузка"].iter_rows(min_row=2, values_only=True) for v in row[1:7] if v}
    wb.close()
    quoted_raw = {n for n in raw if any(q in n for q in "\"«»“”'")}
    org = load_org(A101 / "Structure.xlsx")
    names = {p[-1] for p in org.units}
    assert quoted_raw <= names
    assert len({n for n in names if any(q in n for q in "\"«»“”'")}) == len(quoted_raw)


@needs_a101
def test_old_json_gives_the_same_paths() -> None:
    xlsx = load_org(A101 / "Structure.xlsx")
    old = load_org(A101 / "structure.json")
    assert set(old.units) == set(xlsx.units)


def test_header_found_below_title_rows(tmp_path: Path) -> None:
    rows = [["Штатное расписание"], [], ["на 01.01.2026"], [], ["Номер", "Уровень 1", "Уровень 2", "Должность"]]
    rows += [
        ["007", "Блок", "Отдел", "Инженер"],
        ["007", "Блок", "Отдел", "Инженер"],
        ["001", "Блок", "Блок", "Директор"],
    ]
    org = load_org(write_xlsx(tmp_path / "h.xlsx", rows))
    assert org.units[("Блок", "Отдел")].positions[0].headcount == 2
    assert org.units[("Блок", "Отдел")].code == "007"
    assert org.units[("Блок",)].positions[0].title == "Директор"


def test_english_headers_and_headcount_column(tmp_path: Path) -> None:
    rows = [["Level 1", "Level 2", "Title", "Headcount"], ["HQ", "IT", "Engineer", 3], ["HQ", "IT", "Head of IT", 1]]
    org = load_org(write_xlsx(tmp_path / "en.xlsx", rows))
    assert [(p.title, p.headcount) for p in org.units[("HQ", "IT")].positions] == [("Engineer", 3), ("Head of IT", 1)]


def test_path_layout(tmp_path: Path) -> None:
    rows = [["Path", "Position", "Headcount"], ["A / B / C", "Analyst", 2], ["A/B", "Head", 1]]
    org = load_org(write_xlsx(tmp_path / "p.xlsx", rows))
    assert set(org.units) == {("A",), ("A", "B"), ("A", "B", "C")}
    assert org.units[("A", "B", "C")].positions[0].headcount == 2


def test_unit_parent_layout_and_cycle(tmp_path: Path) -> None:
    rows = [["Unit", "Parent", "Position"], ["Sales", "HQ", "Manager"], ["HQ", "", "CEO"], ["East", "Sales", "Rep"]]
    org = load_org(write_xlsx(tmp_path / "u.xlsx", rows))
    assert ("HQ", "Sales", "East") in org.units
    cyc = [["Unit", "Parent", "Position"], ["A", "B", "x"], ["B", "A", "y"]]
    with pytest.raises(InputError):
        load_org(write_xlsx(tmp_path / "c.xlsx", cyc))
    _, problems = load_org_with_problems(write_xlsx(tmp_path / "c2.xlsx", [*cyc, ["C", "", "z"]]))
    assert {p.kind for p in problems} == {"cycle"}


def test_validation_problems_name_sheet_and_row(tmp_path: Path) -> None:
    rows = [
        ["Номер", "Уровень 2", "Уровень 3", "Уровень 4", "Должность"],
        ["1", "A", None, "C", "Инженер"],
        ["2", "A", "B", "B", ""],
        ["2", "X", "Y", "Y", "Инженер"],
        ["3", "Z" * 301, "Z" * 301, "Z" * 301, "Инженер"],
    ]
    _, problems = load_org_with_problems(write_xlsx(tmp_path / "v.xlsx", rows, sheet="выгрузка"))
    kinds = {p.kind: p for p in problems}
    assert set(kinds) == {"level_gap", "empty_title", "duplicate_code", "long_name"}
    assert "sheet 'выгрузка', row 2" in str(kinds["level_gap"])
    assert "A, –, C" in str(kinds["level_gap"])
    assert "row 3" in str(kinds["empty_title"])


def test_chooses_the_sheet_with_headers(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    pivot = wb.active
    assert pivot is not None
    pivot.title = "Сводная"
    pivot.append([None, None, "Названия строк", "Количество"])
    data = wb.create_sheet("выгрузка")
    data.append(["Уровень 2", "Должность"])
    data.append(["Блок", "Директор"])
    wb.save(tmp_path / "two.xlsx")
    assert list(load_org(tmp_path / "two.xlsx").units) == [("Блок",)]
    with pytest.raises(InputError, match="no sheet 'Nope'"):
        load_org(tmp_path / "two.xlsx", sheet="Nope")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "the file is empty"),
        ("garbage.xlsx", b"\x00\x01 not a zip at all", "not a workbook"),
        ("org.docx", b"hello", "unsupported file type"),
        ("org.txt", b"hello", "no header row found"),
        ("bad.yaml", b"units:\n  - name: A\n   positions: [x]\n", "line 3"),
        ("shape.yaml", b"units:\n  - name: A\n    positions: 5\n", "units[0].positions"),
        ("list.yaml", b"- a\n- b\n", "expected a mapping"),
        ("bomb.yaml", b"a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n", "aliases are not allowed"),
        ("tabs.yaml", b"units:\n\t- name: A\n", "line 2"),
        ("bad.json", b"{not json", "invalid JSON"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        load_org(path)
    text = str(info.value)
    assert message in text
    assert str(path) in text
    assert "\n" not in text


def test_missing_file_and_no_header(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_org(tmp_path / "nope.xlsx")
    path = write_xlsx(tmp_path / "nohdr.xlsx", [["a", "b"], ["c", "d"]])
    with pytest.raises(InputError, match=r"no header row .* \(found: a, b\); expected"):
        load_org(path)


def test_column_names_from_config(tmp_path: Path) -> None:
    rows = [["Ур1", "Ур2", "Роль"], ["A", "B", "Инженер"]]
    path = write_xlsx(tmp_path / "custom.xlsx", rows)
    org = load_org(path, columns={"levels": ["Ур1", "Ур2"], "position": "Роль"})
    assert org.units[("A", "B")].positions[0].title == "Инженер"


def test_yaml_position_shorthand_and_headcount(tmp_path: Path) -> None:
    path = tmp_path / "o.yaml"
    path.write_text(
        "units:\n  - name: A\n    code: 7\n    positions: [X, {title: Y, headcount: 3}]\n", encoding="utf-8"
    )
    org = load_org(path)
    assert [(p.title, p.headcount) for p in org.units[("A",)].positions] == [("X", 1), ("Y", 3)]
    assert org.units[("A",)].code == "7"


def test_level_rows_round_trip(tmp_path: Path) -> None:
    from profilegen.org.rows import level_rows

    org = load_org(SAMPLE_YAML)
    rows = list(level_rows(org))
    assert rows[0][0] == "Номер" and rows[0][-2:] == ["Должность", "Руководитель"]
    assert len(rows) - 1 == sum(p.headcount for p in org.positions())
    again = load_org(write_xlsx(tmp_path / "rt.xlsx", rows))
    assert [(u.path, u.positions) for u in again.units.values()] == [(u.path, u.positions) for u in org.units.values()]
    assert (
        again.marked_heads
        == org.marked_heads
        == {("Блок операционного директора", "Департамент финансов", "Отдел бухгалтерского учета"): "Главный бухгалтер"}
    )


def test_empty_sheet_and_header_without_rows(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="the sheet is empty"):
        load_org(write_xlsx(tmp_path / "empty.xlsx", []))
    with pytest.raises(InputError, match="header but no data rows"):
        load_org(write_xlsx(tmp_path / "hdr.xlsx", [["Уровень 1", "Должность"]]))


def test_the_delimiter_is_found_from_the_first_lines_without_splitting_the_whole_file() -> None:
    """A 100,000-row CSV was split into lines whole to look at its first twenty: 180 MB more at load."""
    import tracemalloc

    from profilegen.org.csv_reader import delimiter_of

    text = "Подразделение;Должность\n" + "Блок продаж / Отдел CRM;Аналитик, старший\n" * 100_000
    assert delimiter_of(text) == ";"
    assert delimiter_of("a,b\rc,d\r") == ","
    tracemalloc.start()
    try:
        delimiter_of(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(text) // 10
