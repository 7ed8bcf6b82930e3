"""One option means one thing everywhere: every command's options against one table of shared options."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer

from profilegen.cli.app import app

OUT_COMMANDS = {
    "generate",
    "export",
    "prune",
    "freeze",
    "unfreeze",
    "diff",
    "accept",
    "reject",
    "stats",
    "jobs list",
    "jobs show",
    "jobs purge",
}
ORG_COMMANDS = {
    "generate",
    "export",
    "prune",
    "freeze",
    "unfreeze",
    "diff",
    "accept",
    "reject",
    "org show",
    "org validate",
    "kpi map",
    "kpi explain",
}
SHARED = {  # option → the help every command gives it
    "--out": "Profiles folder (default: profiles/).",
    "--state-dir": "Journal folder (default: OUT/.profilegen/), bound to one OUT.",
    "--org": "Org file (.xlsx, .xls, .csv, .yaml, .json), or a folder holding one.",
    "--sheet": "Excel sheet to read.",
    "--kpi-dir": "KPI folder (default: kpi/).",
    "--json": "Machine-readable JSON on stdout.",
    "--employee-name": "The personal profile of this employee (one position).",
}


def _commands() -> Iterator[tuple[str, Any]]:
    root = typer.main.get_command(app)
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            for sub, leaf in command.commands.items():
                yield f"{name} {sub}", leaf
        else:
            yield name, command


def _options(command: Any) -> dict[str, Any]:
    return {opt: p for p in command.params for opt in p.opts if opt.startswith("--")}


def test_commands_on_an_output_folder_take_out_and_state_dir() -> None:
    found = {name: _options(command) for name, command in _commands()}
    assert set(found) >= OUT_COMMANDS and set(found) >= ORG_COMMANDS
    for name in OUT_COMMANDS:
        assert {"--out", "--state-dir"} <= set(found[name]), name
    for name in ORG_COMMANDS:
        assert {"--org", "--sheet"} <= set(found[name]), name
    for name in {"freeze", "unfreeze", "diff", "accept", "reject", "generate"}:
        assert "--employee-name" in found[name], name


def test_a_shared_option_means_the_same_everywhere() -> None:
    for name, command in _commands():
        for option, param in _options(command).items():
            if option in SHARED:
                assert param.help == SHARED[option], f"{name} {option}: {param.help!r}"


def test_flags_read_as_flags_in_help() -> None:
    from typer.testing import CliRunner

    for name, _ in _commands():
        shown = CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "120"}).output
        for artefact in ("<bool>", "<list[str]>", "<int range>", "<str>", "<path>", "[x>="):
            assert artefact not in shown, f"{name}: {artefact}"
