"""The code stays findable: modules small enough to read, the pipeline free of the command line."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

PACKAGE = ROOT / "profilegen"
MAX_LINES = 400


def test_no_module_over_the_limit() -> None:
    sizes = {p.relative_to(ROOT): len(p.read_text(encoding="utf-8").splitlines()) for p in PACKAGE.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_engine_rooms_exist_by_name() -> None:
    rooms = {p.stem for p in (PACKAGE / "generation").glob("*.py")}
    assert {"planning", "limits", "engine", "document", "report"} <= rooms


def test_the_library_reads_neither_argv_nor_typer() -> None:
    for path in PACKAGE.rglob("*.py"):
        if "cli" in path.relative_to(PACKAGE).parts or path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}
        imported = {
            a.name.split(".")[0]
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in (n.names if isinstance(n, ast.Import) else [ast.alias(n.module or "")])
        }
        assert "argv" not in names, path
        assert not imported & {"typer", "rich"}, path
