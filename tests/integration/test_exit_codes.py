"""One test per exit code that exists so far (DESIGN.md, "Exit codes")."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from profilegen.errors import ExitCode
from tests.conftest import run_cli, sample_args


def test_codes_are_pinned() -> None:
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 130, 143]


def test_ok_and_usage(tmp_path: Path) -> None:
    assert run_cli("generate", "-d", "Отдел CRM", "--provider", "offline", *sample_args(tmp_path)).code == 0
    assert run_cli("generate", "-d", "Nope", *sample_args(tmp_path)).code == 2
    assert run_cli("nonsense").code == 2


def test_locked_state_dir_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    state = tmp_path / "state"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from profilegen.journal import StateLock;"
            "lock = StateLock(Path(sys.argv[1])).acquire(); print('locked', flush=True); time.sleep(60)",
            str(state),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = run_cli(
            "generate", "--all", "--provider", "offline", "--state-dir", str(state), *sample_args(tmp_path)
        )
        assert result.code == 3
        assert f"another profilegen run (pid {holder.pid}" in result.stderr
        assert not (tmp_path / "out").exists()
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    after = run_cli(
        "generate", "-d", "Отдел CRM", "--provider", "offline", "--state-dir", str(state), *sample_args(tmp_path)
    )
    assert after.code == 0
    assert "took over a lock left by a dead run" in after.stderr
