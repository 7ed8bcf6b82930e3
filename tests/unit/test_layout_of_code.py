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


def _imports() -> dict[str, set[str]]:
    """Each module and the modules of profilegen it imports anywhere (lazily and for typing too)."""
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] when the imports form a DAG."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        trail.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        trail.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_no_import_cycle_not_even_a_lazy_one() -> None:
    graph = _imports()
    assert graph.get("profilegen.pipeline")
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_lower_packages_never_import_upwards() -> None:
    graph = _imports()
    below = {"profilegen.words": {"profilegen.org", "profilegen.kpi", "profilegen.generation"}}
    below["profilegen.org"] = {"profilegen.kpi", "profilegen.generation", "profilegen.export"}
    for package, uppers in below.items():
        for name, targets in graph.items():
            if name.startswith(package):
                assert not {t for t in targets if t.startswith(tuple(uppers))}, name


def test_providers_and_batch_shapes_have_rooms() -> None:
    generation = PACKAGE / "generation"
    assert {"base", "offline", "openai_compatible", "retry", "choice"} <= {
        p.stem for p in (generation / "providers").glob("*.py")
    }
    assert {"api", "batcher", "cost", "run"} <= {p.stem for p in (generation / "batch").glob("*.py")}
