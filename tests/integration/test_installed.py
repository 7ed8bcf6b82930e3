"""profilegen installed from its wheel, run in an empty folder: no path of the checkout is needed (issue 15)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_YAML, Result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout (offline: no build isolation), unpacked as its own site folder."""
    work = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q", "-w", str(work)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:
        pytest.fail(f"building the wheel failed: {build.stderr[-2000:]}")
    (wheel,) = work.glob("profilegen-*.whl")
    site = work / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    shutil.rmtree(work / "build", ignore_errors=True)
    return site


def _run(site: Path, cwd: Path, *args: str) -> Result:
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONSAFEPATH": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "profilegen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def test_the_wheel_carries_prompts_and_templates(installed: Path) -> None:
    names = {p.relative_to(installed).as_posix() for p in installed.rglob("*.md")}
    assert {"profilegen/kpi/templates/generic.md", "profilegen/generation/prompts/profile_ru.md"} <= names


def test_an_empty_folder_needs_only_an_org(installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    where = subprocess.run(
        [sys.executable, "-c", "import profilegen; print(profilegen.__file__)"], env=env, capture_output=True, text=True
    )
    assert where.stdout.startswith(str(installed)), "the wheel's copy runs, not the checkout"
    none = _run(installed, empty, "generate", "--all", "--provider", "offline")
    assert none.code == 2 and "no organisation: pass --org FILE" in none.stderr
    assert "site-packages" not in none.stderr and "org_structure" not in none.stderr
    assert list(empty.iterdir()) == [], "nothing created before the inputs are valid"
    org = empty / "org.yaml"
    shutil.copy(SAMPLE_YAML, org)
    ran = _run(installed, empty, "generate", "-d", "Отдел CRM", "--provider", "offline", "--org", "org.yaml")
    assert ran.code == 0, ran.stderr
    assert "templates shipped with profilegen" in ran.stderr
    profile = json.loads(next((empty / "profiles").rglob("Аналитик.json")).read_text(encoding="utf-8"))
    assert profile["meta"]["kpi_source"] == "template" and profile["profile"]["kpis"], "the template's KPIs apply"
    assert str(ROOT) not in json.dumps(profile, ensure_ascii=False)
    mapped = json.loads(_run(installed, empty, "kpi", "map", "--org", "org.yaml", "--json").stdout)
    assert {u["file"] for u in mapped["units"]} <= {
        "templates/generic.md",
        "templates/security.md",
        "templates/construction.md",
    }
    missing = _run(installed, empty, "generate", "--all", "--org", "org.yaml", "--kpi-dir", "nope")
    assert missing.code == 2 and "nope: KPI folder not found" in missing.stderr
