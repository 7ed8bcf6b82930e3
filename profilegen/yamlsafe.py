"""YAML reading that refuses aliases (no "billion laughs") and reports errors with line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from profilegen.errors import InputError


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that rejects anchors and aliases, which org and KPI files never need."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.constructor.ConstructorError(None, None, "YAML aliases are not allowed", mark)
        return super().compose_node(parent, index)


def parse_yaml(text: str, source: str, line_offset: int = 0) -> Any:
    """Parse YAML text; errors become one-line InputErrors naming line and column."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1 + line_offset}, column {mark.column + 1}" if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"YAML error: {problem}", source=source, where=where) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", source=source) from None


def load_yaml(path: Path) -> Any:
    """Read and parse a YAML file."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", source=str(path)) from None
    return parse_yaml(text, str(path))
