"""One test per exit code that exists so far (DESIGN.md, "Exit codes")."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

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
            "import sys, time; from pathlib import Path; from profilegen.locking import StateLock;"
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


def test_an_out_that_is_a_file_is_one_clear_error(tmp_path: Path) -> None:
    """OUT naming a file (a typo, a path swapped with another): one line naming it and exit 2 from every command
    that reads or writes OUT, never a warning per position or a check that found nothing (exit 0)."""
    out = tmp_path / "profiles.txt"
    out.write_text("not a folder\n", encoding="utf-8")
    org = ["--org", str(sample_args(tmp_path)[1])]
    for command in (
        ["check", "--all", *org],
        ["report", "--to", str(tmp_path / "r.html"), *org],
        ["generate", "--all", "--provider", "offline", *org],
        ["prune", "--dry-run", *org],
        ["export", "md"],
        ["stats"],
    ):
        result = run_cli(*command, "--out", str(out), cwd=tmp_path)
        assert result.code == 2, (command, result.stdout, result.stderr[-500:])
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and str(out) in lines[0] and "not a folder" in lines[0], (command, lines[:3])
    assert not (tmp_path / "r.html").exists()
    assert out.read_text(encoding="utf-8") == "not a folder\n"


def test_ctrl_c_in_any_command_says_so_and_exits_130(tmp_path: Path) -> None:
    """Ctrl-C while a command runs: exit 130 and a line saying it was interrupted (on stderr and in the log file),
    never a silent 130 (the CLI library turns the interrupt into its own exit code)."""
    import select
    import signal

    from tests.conftest import SAMPLE_YAML

    log = tmp_path / "profilegen.log"
    facts = ["facts", "--all", "--json", "--org", str(SAMPLE_YAML)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "profilegen", "--log-file", str(log), *facts],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    # its answer (400 KB) fills the pipe nobody reads yet: the command waits on it when the signal comes
    ready, _, _ = select.select([proc.stdout], [], [], 60)
    assert ready, "no answer began"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    # nothing of a read command's is kept to go on from: it says no more than that it was stopped
    assert err.decode().strip().splitlines()[-1] == "error: interrupted", err.decode()[-500:]
    (logged,) = [line for line in log.read_text(encoding="utf-8").splitlines() if "interrupted" in line]
    assert "error" in logged


def test_a_log_file_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    """`--log-file` naming a folder, or a file in a folder that is not there (a cron line with a typo): one line
    naming it and exit 2 before anything runs — never a traceback (the error was written to the same log)."""
    from tests.conftest import sample_args

    for log in (tmp_path, tmp_path / "missing" / "profilegen.log"):
        for command in (["generate", "-d", "Отдел CRM", "--provider", "offline", *sample_args(tmp_path)], ["stats"]):
            result = run_cli("--log-file", str(log), *command, cwd=tmp_path)
            assert result.code == 2, (log, command, result.stderr[-300:])
            assert result.stderr.strip().splitlines() == [
                f"error: {log}: cannot write the log file ({'a folder' if log.is_dir() else 'no such folder'})"
            ], result.stderr[-300:]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["--out", "--org", "--state-dir", "--kpi-dir", "--log-file", "--config"])
def test_an_empty_path_is_an_error_not_the_current_folder(tmp_path: Path, option: str) -> None:
    """`--out "$OUT"` in a script whose OUT is unset: an empty path is said as such, exit 2 — it was read as the
    current folder, and profiles, unit folders and a journal were written into wherever cron stood."""
    from tests.conftest import SAMPLE_YAML

    args = ["generate", "--all", "--provider", "offline", "--org", str(SAMPLE_YAML), "--out", str(tmp_path / "out")]
    if option in ("--log-file", "--config"):
        args = [option, "", *args]
    else:
        at = args.index(option) + 1 if option in args else len(args)
        args = [*args[:at], "", *args[at + 1 :]] if option in args else [*args, option, ""]
    here = tmp_path / "cron"  # where the script stands
    here.mkdir()
    result = run_cli(*args, cwd=here)
    assert result.code == 2, result.stderr[-300:]
    assert result.stderr.strip().splitlines() == [f"error: {option} is empty (an unset variable in a script?)"]
    assert list(here.iterdir()) == [] and not (tmp_path / "out").exists()
