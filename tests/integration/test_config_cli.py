"""`config show` with sources, `config init`, and the docs test: every command documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from profilegen.cli.app import app
from profilegen.config import load_settings
from tests.conftest import ROOT, SAMPLE_YAML, invoke, run_cli


def test_config_show_names_each_source(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (Path.cwd() / "profilegen.yaml").write_text("model: from-file\nconcurrency: 3\n", encoding="utf-8")
    monkeypatch.setenv("PROFILEGEN_CONCURRENCY", "7")
    monkeypatch.setenv("PROFILEGEN_API_KEY", "sk-secret-value-123")
    data = json.loads(invoke(capsys, "config", "show", "--json").stdout)
    assert data["settings"]["model"] == "from-file" and data["sources"]["model"].startswith("file (")
    assert data["settings"]["concurrency"] == 7
    assert data["sources"]["concurrency"] == "environment (PROFILEGEN_CONCURRENCY)"
    assert data["sources"]["language"] == "default"
    assert data["settings"]["api_key"] == "*** (set in PROFILEGEN_API_KEY)"
    text = invoke(capsys, "config", "show")
    assert "sk-secret-value-123" not in text.stdout + text.stderr


def test_unknown_key_in_config_file_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    (Path.cwd() / "profilegen.yaml").write_text("modle: x\n", encoding="utf-8")
    result = invoke(capsys, "config", "show")
    assert result.code == 2
    assert "profilegen.yaml: unknown key 'modle'. Did you mean 'model'?" in result.stderr


def test_config_init_writes_a_valid_commented_starter(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "profilegen.yaml"
    assert invoke(capsys, "config", "init", str(target)).code == 0
    text = target.read_text(encoding="utf-8")
    assert "PROFILEGEN_API_KEY" in text and "# concurrency: 4" in text
    assert load_settings(target).concurrency == 4
    again = invoke(capsys, "config", "init", str(target))
    assert again.code == 2 and "already exists" in again.stderr
    # every commented key in the starter is a real setting once uncommented
    uncommented = "\n".join(
        line[2:]
        for line in text.splitlines()
        if line.startswith("# ")
        and ":" in line
        and not line.startswith("# profilegen")
        and not line.startswith("# The API")
        and not line.startswith("#   ")
    )
    keys = [line.split(":")[0] for line in uncommented.splitlines() if line and not line.startswith(" ")]
    from profilegen.config import Settings

    assert keys and all(k in Settings.model_fields for k in keys), keys
    assert invoke(capsys, "config", "init", str(target), "--force").code == 0


def _commands(group: typer.Typer) -> list[tuple[str, object]]:
    command = typer.main.get_command(group)
    found: list[tuple[str, object]] = []

    def walk(cmd: object, prefix: str) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found.append((prefix, cmd))

    walk(command, "")
    return found


def test_every_command_has_help_an_example_and_a_readme_line() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _commands(app)
    assert len(commands) >= 13
    for name, command in commands:
        assert getattr(command, "help", None), f"{name} has no help text"
        assert "Example" in (getattr(command, "epilog", None) or ""), f"{name} has no example in its help"
        assert f"profilegen {name}" in readme, f"README does not mention `profilegen {name}`"


def test_the_command_lists_show_each_summary_whole(tmp_path: Path) -> None:
    """`profilegen --help` (and each group's) lists every command with its summary as a whole sentence, never
    cut off at the end of its docstring's first line."""
    listed: dict[str, str] = {}
    for group in ([], ["org"], ["kpi"], ["jobs"], ["template"], ["config"]):
        shown = run_cli(*group, "--help", cwd=tmp_path, env={"COLUMNS": "100"})
        assert shown.code == 0, shown.stderr
        lines = shown.stdout.split("Commands:", 1)[1].splitlines()
        name = ""
        for line in lines:
            if line.startswith("  ") and not line.startswith("    "):  # a command and its summary's start
                name, _, said = line.strip().partition(" ")
                listed[" ".join([*group, name])] = said.strip()
            elif line.strip() and name:  # the summary wrapped onto the next line
                listed[" ".join([*group, name])] += " " + line.strip()
    assert {"check", "report", "approve", "template", "org show", "jobs list", "config init"} <= set(listed)
    for name, said in listed.items():
        assert said.endswith((".", ")")) and not said.endswith("..."), f"`{name}` is listed as «{said}»"


def test_a_key_said_twice_is_one_error_naming_both_lines(tmp_path: Path) -> None:
    """A setting given twice in profilegen.yaml (a `model:` added at the bottom of a file that has one at the top),
    or a unit's `name` twice in an org YAML: exit 2 naming the line, never the last one silently taking effect."""
    config = tmp_path / "profilegen.yaml"
    config.write_text("model: openai/gpt-4o\nconcurrency: 8\n# ...\nmodel: anthropic/claude\n", encoding="utf-8")
    result = run_cli("config", "show", cwd=tmp_path)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        f"error: {config.name}, line 4, column 1: YAML error: duplicate key 'model' (first on line 1)"
    ]
    config.unlink()
    org = tmp_path / "org.yaml"
    org.write_text(
        "units:\n  - name: Отдел продаж\n    positions: [Менеджер]\n    name: Отдел закупок\n", encoding="utf-8"
    )
    shown = run_cli("org", "show", "--org", str(org), cwd=tmp_path)
    assert shown.code == 2
    assert "line 4, column 5: YAML error: duplicate key 'name' (first on line 2)" in shown.stderr
    # the same key in two mappings is no repeat
    org.write_text("units:\n  - name: А\n    positions: [X]\n  - name: Б\n    positions: [Y]\n", encoding="utf-8")
    assert run_cli("org", "show", "--org", str(org), cwd=tmp_path).code == 0


def test_a_bad_environment_variable_is_not_blamed_on_the_file(tmp_path: Path) -> None:
    """With a profilegen.yaml beside it, a bad PROFILEGEN_* variable is named as the variable alone (the line
    read "error: profilegen.yaml: PROFILEGEN_CONCURRENCY: …", sending HR to a file that holds no such thing)."""
    (tmp_path / "profilegen.yaml").write_text("model: openai/gpt-4o-mini\n", encoding="utf-8")
    result = run_cli("config", "show", cwd=tmp_path, env={"PROFILEGEN_CONCURRENCY": "много"})
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "error: PROFILEGEN_CONCURRENCY: Input should be a valid integer, unable to parse string as an integer"
    ]
    (tmp_path / "profilegen.yaml").write_text("concurrency: много\n", encoding="utf-8")
    from_file = run_cli("config", "show", cwd=tmp_path)
    assert from_file.code == 2 and from_file.stderr.startswith("error: profilegen.yaml: setting 'concurrency'")


def test_an_empty_path_in_the_config_is_an_error(tmp_path: Path) -> None:
    """`out: ""` in profilegen.yaml is said as an empty setting, exit 2: it was the current folder, which got
    the profiles, their unit folders and a journal."""
    here = tmp_path / "project"
    here.mkdir()
    (here / "profilegen.yaml").write_text('out: ""\n', encoding="utf-8")
    result = run_cli("generate", "-d", "Отдел CRM", "--provider", "offline", "--org", str(SAMPLE_YAML), cwd=here)
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "error: profilegen.yaml: setting 'out': empty (name a file or folder, or leave the line out for the default)"
    ]
    assert sorted(p.name for p in here.iterdir()) == ["profilegen.yaml"]


def test_config_init_names_every_setting_in_its_present_form(tmp_path: Path) -> None:
    """The starter is where a newcomer learns the settings: it names every one (the company's documents as
    `context:`, not the older `context_files`; `check:`, the categories, the run's limits), and the whole file,
    every line uncommented, is a valid config that `config show` reads back with its values."""
    import re

    from profilegen.config import Settings
    from tests.conftest import run_cli

    target = tmp_path / "profilegen.yaml"
    assert run_cli("config", "init", str(target), cwd=tmp_path).code == 0
    text = target.read_text(encoding="utf-8")
    assert "context_files" not in text
    keys = set(re.findall(r"^# (\w+):", text, re.M))
    assert set(Settings.model_fields) - {"context_files"} - keys == set()
    setting = re.compile(r'^# ((?: {2,}\S|[\w"]+:).*)$')  # a key, or a line inside one
    uncommented = "\n".join(
        match.group(1) if (match := setting.match(line)) and not line.startswith(("# profilegen", "# The API")) else ""
        for line in text.splitlines()
    )
    (tmp_path / "all.yaml").write_text(uncommented, encoding="utf-8")
    shown = run_cli("--config", str(tmp_path / "all.yaml"), "config", "show", "--json", cwd=tmp_path)
    assert shown.code == 0, shown.stderr
    values = json.loads(shown.stdout)["settings"]
    assert values["context"]["company"]["name"] == "ГК А101"
    assert values["check"]["near_duplicate"] == 0.8 and values["max_duration"] == "6h"
    assert values["category_labels"]["specialist"] == "Специалист"
    assert values["competencies"]["base"][3] == "Работа в команде"


def test_config_show_prints_yaml_a_config_file_takes(tmp_path: Path) -> None:
    """`config show` prints the settings in effect as YAML, each with where it came from as a comment, so it can be
    read back as a config file giving the same settings (it printed Python's reprs: None, False, ['json', 'md'])."""
    import yaml

    (tmp_path / "profilegen.yaml").write_text("formats: [json, docx]\nconcurrency: 3\n", encoding="utf-8")
    shown = run_cli("config", "show", cwd=tmp_path, env={"PROFILEGEN_MAX_COST": "5"})
    assert shown.code == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert (
        lines[0]
        == f"# the settings in effect: {tmp_path / 'profilegen.yaml'}, the environment and flags over the defaults"
    )
    assert "formats: [json, docx]  # file (profilegen.yaml)" in lines
    assert "max_cost: 5.0  # environment (PROFILEGEN_MAX_COST)" in lines
    assert "rpm: null  # default" in lines and "send_employee_name: false  # default" in lines
    assert "# api_key: not set (never read from a file)" in lines
    assert not [line for line in lines if "None" in line or "False" in line or "['" in line]
    assert yaml.safe_load(shown.stdout)["context"]["budget_tokens"] == 6000
    # read back as a config file: the same settings
    (tmp_path / "shown.yaml").write_text(shown.stdout, encoding="utf-8")
    again = run_cli("--config", str(tmp_path / "shown.yaml"), "config", "show", "--json", cwd=tmp_path / "..")
    first = run_cli("config", "show", "--json", cwd=tmp_path, env={"PROFILEGEN_MAX_COST": "5"})
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["settings"] == json.loads(first.stdout)["settings"]


def test_every_commands_usage_names_its_arguments_in_capitals(capsys: pytest.CaptureFixture[str]) -> None:
    """A usage line names an argument the way it names an option's value, in capitals (`template check FILE`),
    never as a lowercase choice-like `{file}` or `[name]`."""
    import re

    for name, _command in _commands(app):
        shown = invoke(capsys, *name.split(), "--help")
        assert shown.code == 0, (name, shown.stderr)
        usage = next(line for line in shown.stdout.splitlines() if line.startswith("Usage:"))
        assert not re.search(r"[{\[][a-z_]+[}\]]", usage), usage


def test_the_command_list_follows_the_work(tmp_path: Path) -> None:
    """`profilegen --help` lists the commands in the order the work goes: generate and what shows its input first,
    then check, report and export, then review, then the journal's; the groups last."""
    shown = run_cli("--help", cwd=tmp_path, env={"COLUMNS": "100"})
    listed = [
        line.split()[0]
        for line in shown.stdout.split("Commands:", 1)[1].splitlines()
        if line.startswith("  ") and not line.startswith("    ")
    ]
    assert listed == [
        *("generate", "facts", "check", "report", "export"),
        *("diff", "accept", "reject", "approve", "unapprove", "freeze", "unfreeze", "prune"),
        *("stats", "schema", "org", "kpi", "jobs", "template", "config"),
    ], listed


def test_the_org_option_names_every_kind_of_file_it_reads(capsys: pytest.CaptureFixture[str]) -> None:
    """`--org`'s help lists the kinds of file the loader reads (it named .xlsx, .yaml and .json alone, while a
    payroll system's CSV export or an old .xls reads as well)."""
    from profilegen.org.loader import SUPPORTED

    shown = " ".join(invoke(capsys, "generate", "--help").stdout.split())
    said = shown.split("--org FILE", 1)[1].split(" --", 1)[0]
    assert all(kind in said for kind in (".xlsx", ".xls", ".csv", ".yaml", ".json")), said
    assert set(SUPPORTED) >= {".xlsx", ".xls", ".csv", ".yaml", ".json"}
