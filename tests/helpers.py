"""Small writers for real input files used by tests."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl

from profilegen.generation.context import PositionContext, build_context
from profilegen.kpi.catalog import load_catalog
from profilegen.kpi.mapping import KpiMapper
from profilegen.org.facts import OrgFacts
from profilegen.org.loader import load_org
from profilegen.org.roles import Roles
from tests.conftest import KPI_DIR, SAMPLE_YAML


def write_xlsx(path: Path, rows: Iterable[Sequence[object]], sheet: str = "Лист1", extra_sheets: int = 0) -> Path:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for i in range(extra_sheets):
        workbook.create_sheet(f"extra{i}")
    workbook.save(path)
    return path


def sample_contexts(employee_name: str | None = None) -> list[PositionContext]:
    """Every sample position's generation context, built the way the pipeline builds it."""
    org = load_org(SAMPLE_YAML)
    catalog = load_catalog(KPI_DIR)
    mapping = KpiMapper(catalog).map_org(org)
    facts = OrgFacts(Roles(org))
    return [
        build_context(org, p, mapping[p.unit_path], catalog.by_name(mapping[p.unit_path].file), facts, employee_name)
        for p in org.positions()
    ]


def run_on_terminal(command: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 60) -> tuple[int, str]:
    """Run ``command`` with a pseudo-terminal as stdout and stderr: (exit code, everything it showed)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(list(command), stdout=follower, stderr=follower, env=dict(env), cwd=cwd)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(leader)
    return proc.returncode, seen.decode("utf-8", "replace")


def check_profile(document: Mapping[str, object], template_name: str = "a101") -> dict[str, object]:
    """A profile file's profile part, checked against its template: every field present, the written ones
    valid as a model's answer would have to be (enums, limits), the template recorded."""
    from profilegen.template.loader import load_template
    from profilegen.template.schema import answer_model

    template = load_template(template_name)
    recorded = document["template"]
    assert isinstance(recorded, dict) and recorded["name"] == template.name, recorded
    profile = document["profile"]
    assert isinstance(profile, dict)
    assert list(profile) == [f.key for f in template.fields]
    written = {f.key: profile[f.key] for f in template.written}
    for spec in template.written:  # the items every profile starts with are profilegen's, not the model's
        if spec.start_with:
            assert written[spec.key][: len(spec.start_with)] == list(spec.start_with)
            written[spec.key] = written[spec.key][len(spec.start_with) :]
    answer_model(template).model_validate(written)
    return profile
