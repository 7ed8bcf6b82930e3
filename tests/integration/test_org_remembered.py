"""The organisation as last parsed is kept in the state folder: a night that finds the org file unchanged
takes it from there (parsing 100,000 rows took 2–3 s of a quiet night's 14), and never an org that changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from profilegen.org.loader import load_org_with_problems
from tests.conftest import KPI_DIR, SAMPLE_YAML, invoke

RECORD = Path(".profilegen") / "org-parsed.pickle"
CRM = ["generate", "-d", "Отдел CRM", "--provider", "offline"]


def _setup(tmp_path: Path) -> tuple[list[str], Path, Path]:
    org = tmp_path / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    out = tmp_path / "out"
    return ["--org", str(org), "--kpi-dir", str(KPI_DIR), "--out", str(out)], org, out


def test_an_unchanged_org_is_taken_as_parsed_and_a_changed_one_is_read_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    where, org, out = _setup(tmp_path)
    first = invoke(capsys, *CRM, *where)
    assert first.code == 0 and (out / RECORD).is_file()
    again = invoke(capsys, *CRM, *where)
    assert again.code == 0 and "up to date 6" in again.stdout

    # a position added to the unit: the next run sees it (the record is of the file's bytes, not its name)
    listed = "              - Аналитик\n"
    text = org.read_text(encoding="utf-8").replace(listed, f"{listed}              - Архитектор CRM\n")
    assert "Архитектор CRM" in text
    org.write_text(text, encoding="utf-8")
    changed = invoke(capsys, *CRM, *where)
    assert changed.code == 0, changed.stderr
    assert list(out.rglob("Архитектор CRM.json")), changed.stdout

    # the record damaged or from elsewhere: read past, the org parsed again and the record replaced
    (out / RECORD).write_bytes(b"not a pickle")
    damaged = invoke(capsys, *CRM, *where)
    assert damaged.code == 0 and "up to date 7" in damaged.stdout
    assert (out / RECORD).read_bytes() != b"not a pickle"


def test_the_org_taken_from_the_record_is_the_org_parsed(tmp_path: Path) -> None:
    parsed, problems = load_org_with_problems(SAMPLE_YAML)
    load_org_with_problems(SAMPLE_YAML, remember_in=tmp_path)
    assert (tmp_path / RECORD.name).is_file()
    taken, taken_problems = load_org_with_problems(SAMPLE_YAML, remember_in=tmp_path)
    assert taken.sha256 == parsed.sha256 and taken_problems == problems
    assert sorted(taken.units) == sorted(parsed.units)
    assert [(p.unit_path, p.title, p.headcount) for p in taken.positions()] == [
        (p.unit_path, p.title, p.headcount) for p in parsed.positions()
    ]

    other = tmp_path / "other.yaml"  # another file: its own bytes decide
    other.write_text(SAMPLE_YAML.read_text(encoding="utf-8").replace("Отдел CRM", "Отдел продаж CRM"), encoding="utf-8")
    second, _ = load_org_with_problems(other, remember_in=tmp_path)
    assert any(path[-1] == "Отдел продаж CRM" for path in second.units)


def test_the_same_bytes_in_another_file_are_named_by_that_file(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    shutil.copy(SAMPLE_YAML, first)
    shutil.copy(SAMPLE_YAML, second)
    assert load_org_with_problems(first, remember_in=tmp_path)[0].source == str(first)
    taken, _ = load_org_with_problems(second, remember_in=tmp_path)
    assert taken.source == str(second), "warnings and prune name the file read, not one read before"


def test_facts_in_a_project_take_the_org_as_last_parsed_and_see_an_edit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`facts` in a project whose OUT has a state folder (OUT from profilegen.yaml) keeps the parse there too:
    the same facts as a parse, an edited org seen at once; without a state folder nothing is written."""
    _where, org, out = _setup(tmp_path)
    config = tmp_path / "profilegen.yaml"
    config.write_text(f"org: {org}\nkpi_dir: {KPI_DIR}\nout: {out}\n", encoding="utf-8")
    project = ["--config", str(config)]
    facts = [*project, "facts", "-d", "Отдел CRM", "--json"]
    assert invoke(capsys, *project, *CRM).code == 0
    (out / RECORD).unlink()
    parsed = invoke(capsys, *facts)
    assert parsed.code == 0, parsed.stderr
    assert (out / RECORD).is_file(), "the parse kept for the next command"
    taken = invoke(capsys, *facts)
    assert taken.code == 0 and taken.stdout == parsed.stdout

    listed = "              - Аналитик\n"
    org.write_text(
        org.read_text(encoding="utf-8").replace(listed, f"{listed}              - Архитектор CRM\n"), encoding="utf-8"
    )
    edited = invoke(capsys, *facts)
    assert edited.code == 0 and "Архитектор CRM" in edited.stdout and "Архитектор CRM" not in taken.stdout

    elsewhere = tmp_path / "elsewhere.yaml"  # an OUT never generated: no state folder made for it
    elsewhere.write_text(f"org: {org}\nkpi_dir: {KPI_DIR}\nout: {tmp_path / 'new'}\n", encoding="utf-8")
    alone = invoke(capsys, "--config", str(elsewhere), "facts", "-d", "Отдел CRM", "--json")
    assert alone.code == 0 and alone.stdout == edited.stdout
    assert not (tmp_path / "new").exists()


def test_prune_takes_the_org_as_last_parsed_and_sees_a_position_removed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`prune` keeps and takes the parse in OUT's state folder like a run (100,000 rows: 2 s of its 8), and a
    position removed from the org file is its orphan at once."""
    where, org, out = _setup(tmp_path)
    assert invoke(capsys, *CRM, *where).code == 0
    (out / RECORD).unlink()
    prune = ["prune", "--dry-run", "--org", str(org), "--out", str(out)]
    first = invoke(capsys, *prune)
    assert first.code == 0 and "0 orphan profiles (of 6 in the folder)" in first.stdout, first.stdout
    assert (out / RECORD).is_file(), "the parse kept for the next command"

    listed = "              - Аналитик\n"
    assert listed in org.read_text(encoding="utf-8")
    org.write_text(org.read_text(encoding="utf-8").replace(listed, ""), encoding="utf-8")
    edited = invoke(capsys, *prune)
    assert edited.code == 0 and "1 orphan profile (of 6 in the folder)" in edited.stdout, edited.stdout


def _kpi_project(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the shipped KPI folder and an empty state folder."""
    kpi, state = tmp_path / "kpi", tmp_path / "state"
    shutil.copytree(KPI_DIR, kpi)
    state.mkdir()
    return kpi, state


def test_the_kpi_mapping_is_kept_beside_the_org_and_made_again_when_a_kpi_file_changes(tmp_path: Path) -> None:
    """A read command in a project (`facts`, `check`) takes the units' KPI mapping as last worked out (32,000
    units took about a second to map); a KPI file changed or added maps them again."""
    from profilegen.config import load_settings
    from profilegen.inputs import load_inputs
    from profilegen.kpi.mapping import KpiMapper

    kpi, state = _kpi_project(tmp_path)
    settings = load_settings(None, {"org": SAMPLE_YAML, "kpi_dir": kpi})
    first = load_inputs(settings, remember_in=state)
    assert (state / "kpi-mapping.pickle").is_file()
    taken = load_inputs(settings, remember_in=state)
    assert taken.assignments == first.assignments == KpiMapper(taken.catalog).map_org(taken.org)

    crm = next(path for path in taken.org.units if path[-1] == "Отдел CRM")
    (kpi / "crm.md").write_text(
        "---\ndepartment: Отдел CRM\n---\n# КПЭ Отдела CRM\n\n| КПЭ | Целевое значение | Ед. изм. | Период |\n"
        "|---|---|---|---|\n| Удержание клиентов | 90 | % | квартал |\n",
        encoding="utf-8",
    )
    changed = load_inputs(load_settings(None, {"org": SAMPLE_YAML, "kpi_dir": kpi}), remember_in=state)
    assert changed.assignments == KpiMapper(changed.catalog).map_org(changed.org)
    assert changed.assignments[crm] != taken.assignments[crm], "a KPI file added is mapped at once"


def test_a_kpi_target_edited_keeps_the_mapping_and_a_department_edited_maps_again(tmp_path: Path) -> None:
    """The mapping reads a KPI file's name, department, code and aliases, not its rows: a target edited (HR's
    everyday change) keeps the record (at 32,000 units a second of every command after it), while the inputs'
    `mapping_key` — what a night's plan and the check's records depend on — changes with it."""
    from profilegen.config import load_settings
    from profilegen.inputs import load_inputs
    from profilegen.kpi.mapping import KpiMapper

    kpi, state = _kpi_project(tmp_path)
    settings = load_settings(None, {"org": SAMPLE_YAML, "kpi_dir": kpi})
    first = load_inputs(settings, remember_in=state)
    record = state / "kpi-mapping.pickle"
    made = record.stat().st_ino

    sales = kpi / "sales.md"
    text = sales.read_text(encoding="utf-8")
    edited = text.replace("| Конверсия обращений в сделки | 8 |", "| Конверсия обращений в сделки | 9 |")
    assert edited != text
    sales.write_text(edited, encoding="utf-8")
    target = load_inputs(settings, remember_in=state)
    assert record.stat().st_ino == made, "the record is taken as it is"
    assert target.mapping_key != first.mapping_key
    assert target.assignments == first.assignments == KpiMapper(target.catalog).map_org(target.org)

    moved = edited.replace("department: Коммерческий департамент", "department: Отдел маркетинга")
    assert moved != edited
    sales.write_text(moved, encoding="utf-8")
    again = load_inputs(settings, remember_in=state)
    assert record.stat().st_ino != made, "mapped again"
    assert again.assignments == KpiMapper(again.catalog).map_org(again.org) != first.assignments
