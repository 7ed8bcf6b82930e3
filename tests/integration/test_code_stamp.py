"""What a run remembers (the last plan, the org as parsed, the check's records) is tied to the code that made it —
by what that code says, not by when its files were written. A reinstall of the same version (a new venv, a
container rebuilt, `pip install --force-reinstall`) writes every file anew: it planned every position in full and
checked every profile cold (31 s at 100,000) for nothing changed. A change to any file's content still counts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from profilegen.journal import Journal
from tests.conftest import ROOT, SAMPLE_YAML


def _reinstalled(code: Path) -> None:
    """Every file of the copy written anew: the same bytes, a new modification time."""
    later = time.time() + 60
    for path in code.rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes())
            os.utime(path, (later, later))


def test_a_reinstall_of_the_same_code_keeps_the_plan_and_the_checks_records(tmp_path: Path) -> None:
    code = tmp_path / "code"
    shutil.copytree(ROOT / "profilegen", code / "profilegen", ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_PROCESS")}  # a copy: not measured
    env["PYTHONPATH"] = str(code)
    out = tmp_path / "out"
    where = ["--org", str(SAMPLE_YAML), "--out", str(out)]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "profilegen", *args, *where],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode in (0, 1), done.stderr
        return done

    def planned() -> str:
        with Journal(out / ".profilegen") as journal:
            return str(journal.runs()[0]["planned"])

    def check() -> dict[str, object]:
        answer: dict[str, object] = json.loads(run("check", "-d", "Отдел CRM", "--json").stdout)
        return answer

    run("generate", "-d", "Отдел CRM", "--provider", "offline")
    old = time.time() - 3600  # the drafts written an hour ago: their stamps are trusted by the records
    for path in out.rglob("*"):
        if ".profilegen" not in path.parts:
            os.utime(path, (old, old))
    first = check()
    # a profile garbled under its own stamp: only a check that trusts its records does not read it
    (head,) = out.rglob("Руководитель отдела.json")
    stat = head.stat()
    head.write_bytes(b"\0" * stat.st_size)
    os.utime(head, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    _reinstalled(code)
    run("generate", "-d", "Отдел CRM", "--provider", "offline")
    assert planned() == "from the last plan", "the same code, reinstalled, plans from the last plan"
    assert check() == first, "the same code, reinstalled, answers from the check's records"

    rules = code / "profilegen" / "checking" / "rules.py"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    again = check()
    assert again != first and "Руководитель отдела" in str(again["summary"]), "changed code checks afresh"
    run("generate", "-d", "Отдел CRM", "--provider", "offline")
    assert planned() == "in full", "changed code plans in full"
