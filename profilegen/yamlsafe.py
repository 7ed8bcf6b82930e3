"""YAML reading that refuses aliases (no "billion laughs") and reports errors with line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from profilegen.errors import InputError

# libyaml's loader where PyYAML has it (five times faster on front matter and configs), else the Python one.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, source: str, line_offset: int = 0) -> Any:
    """Parse YAML text; errors become one-line InputErrors naming line and column.

    Anchors and aliases (the "billion laughs") are refused: org and KPI files never need them.
    """
    try:
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.constructor.ConstructorError(None, None, "YAML aliases are not allowed", event.start_mark)  # type: ignore[arg-type]
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            if node is None:  # an empty document
                return None
            _no_key_twice(node)
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _where(text, mark.line, mark.column, line_offset) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML error: {problem}", source=source, where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", source=source) from None


def _no_key_twice(root: yaml.Node) -> None:
    """A key given twice in one mapping is an error at its second place (YAML would take the last silently)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.value in first:
                        line = first[key.value].start_mark.line + 1
                        said = f"duplicate key '{key.value}' (first on line {line})"
                        raise yaml.constructor.ConstructorError(None, None, said, key.start_mark)
                    first[key.value] = key
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def load_yaml(path: Path) -> Any:
    """Read and parse a YAML file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None
    return parse_yaml(text, str(path))


def _where(text: str, line: int, column: int, line_offset: int) -> str:
    """libyaml puts an unexpected end of text on the line after the last; name the end of the last line."""
    lines = text.splitlines() or [""]
    if line >= len(lines):
        line, column = len(lines) - 1, len(lines[-1])
    return f"line {line + 1 + line_offset}, column {column + 1}"
