"""Shared fixtures: an isolated state dir and working dir for every test, and helpers to run the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
A101 = ROOT.parent / "shared" / "fixtures" / "a101"
SAMPLE_YAML = ROOT / "org_structure" / "sample.yaml"
SAMPLE_XLSX = ROOT / "org_structure" / "sample.xlsx"
KPI_DIR = ROOT / "kpi"

needs_a101 = pytest.mark.skipif(not A101.is_dir(), reason="../shared/fixtures/a101 is not beside the checkout")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """No test touches a real state dir, a real config or a real API key (the journal lives in each OUT)."""
    names = ("PROFILEGEN_STATE_DIR", "PROFILEGEN_API_KEY", "OPENROUTER_API_KEY", "OPENAI_API_KEY", "PROFILEGEN_CONFIG")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run the real `profilegen` in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "profilegen", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def kpi_copy(tmp_path: Path) -> Path:
    """A copy of the shipped KPI folder that a test may change."""
    import shutil

    target = tmp_path / "kpi"
    shutil.copytree(KPI_DIR, target)
    return target


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run the CLI in-process (same entry point as the console script)."""
    from profilegen.cli.app import run

    code = run(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def sample_args(tmp: Path, *, org: Path = SAMPLE_YAML, kpi: Path = KPI_DIR, out: Path | None = None) -> list[str]:
    """--org, --kpi-dir and --out for a run: the sample organisation and KPI files, OUT under ``tmp``."""
    return ["--org", str(org), "--kpi-dir", str(kpi), "--out", str(out or tmp / "out")]
