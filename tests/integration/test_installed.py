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


@pytest.mark.slow
def test_make_demo_on_a_fresh_checkout_says_only_what_it_did(tmp_path: Path) -> None:
    """The README's first command, on a copy of the checkout: it makes its .venv, installs, drafts the sample
    organisation and says where — without setuptools' «Editable installation» warning box, which looked like a
    failure — and a second run regenerates nothing."""
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.skip("make or git not installed")
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True, check=True).stdout
    checkout = tmp_path / "checkout"
    for name in listed.splitlines():
        source = ROOT / name
        if source.is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, checkout / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_PROCESS", "VIRTUAL_ENV"))}

    def demo() -> str:
        done = subprocess.run(
            ["make", "demo", f"PY={sys.executable}"], cwd=checkout, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout + done.stderr

    said = demo()
    assert "generated 120, re-rendered 0, up to date 0, failed 0" in said, said[-2000:]
    assert f"profiles in {checkout / 'profiles'}" in said
    assert "BuildBackendWarning" not in said and "*****" not in said, said[-3000:]
    assert "up to date 120" in demo()
