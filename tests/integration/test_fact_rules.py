"""Changing a rule of the facts (category scale, deputies, competencies) regenerates exactly the positions
whose facts it changes: `facts --json` before and after names them, and a dry run plans the same set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, sample_args


def _facts(config: Path, tmp_path: Path) -> dict[tuple[str, ...], dict[str, Any]]:
    shown = run_cli("--config", str(config), "facts", "--all", "--json", *sample_args(tmp_path)[:4])
    assert shown.code == 0, shown.stderr
    return {(*f["position"]["unit_path"], f["position"]["title"]): f for f in json.loads(shown.stdout)}


@pytest.mark.parametrize(
    "rule",
    [
        {"category_labels": {"middle_manager": "Средний уровень"}},
        {"heads": {"Отдел CRM": "Ведущий разработчик"}},
        {"competencies": {"client_words": ["разработ"]}},
        {"unit_kinds": {"отдел": "line_manager"}},
    ],
)
def test_a_rule_change_regenerates_exactly_the_positions_it_changes(tmp_path: Path, rule: dict[str, Any]) -> None:
    config = tmp_path / "profilegen.json"
    config.write_text("{}", encoding="utf-8")
    generate = ["--config", str(config), "generate", "--all", "--provider", "offline", *sample_args(tmp_path)]
    assert run_cli(*generate).code == 0
    before = _facts(config, tmp_path)
    config.write_text(json.dumps(rule), encoding="utf-8")
    after = _facts(config, tmp_path)
    changed = {key for key in before if before[key] != after[key]}
    assert changed, f"{rule} changes no fact of the sample organisation"
    plan = run_cli(*generate, "--dry-run", "--json")
    assert plan.code == 0, plan.stderr
    planned = {(*p["path"], p["position"]) for p in json.loads(plan.stdout)["to_generate"]}
    assert planned == changed
