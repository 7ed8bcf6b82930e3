"""Files written as a batch: nothing in place before the batch is on disk, then everything; one owner's
failure is its own."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from profilegen.export.atomic import FILE_MODE, StagedFiles


def test_staged_files_appear_only_when_committed_with_the_mode_a_new_file_gets(tmp_path: Path) -> None:
    old = tmp_path / "unit" / "Аналитик.md"
    old.parent.mkdir()
    old.write_bytes(b"old")
    files = StagedFiles()
    files.write_all([(old, b"new"), (tmp_path / "deep" / "er" / "Аналитик.json", b"{}")], owner=1)
    files.write_all([(tmp_path / "unit" / "Инженер.md", b"second")], owner=2)
    assert old.read_bytes() == b"old"  # staged, not in place
    assert not (tmp_path / "unit" / "Инженер.md").exists()
    assert files.commit() == {}
    assert old.read_bytes() == b"new"
    assert (tmp_path / "deep" / "er" / "Аналитик.json").read_bytes() == b"{}"
    assert (tmp_path / "unit" / "Инженер.md").read_bytes() == b"second"
    assert stat.S_IMODE(os.stat(tmp_path / "unit" / "Инженер.md").st_mode) == FILE_MODE
    assert not [p for p in tmp_path.rglob("*.tmp")]  # no temp file left


def test_an_owner_whose_file_cannot_be_placed_fails_alone(tmp_path: Path) -> None:
    files = StagedFiles()
    blocked = tmp_path / "taken.md"
    files.write_all([(tmp_path / "a.md", b"a")], owner="a")
    files.write_all([(blocked, b"b"), (tmp_path / "b.json", b"b")], owner="b")
    blocked.mkdir()  # a folder where its file goes: the rename fails
    (blocked / "inside").write_text("x")
    failed = files.commit()
    assert list(failed) == ["b"] and str(blocked) in str(failed["b"])
    assert (tmp_path / "a.md").read_bytes() == b"a"
    assert not (tmp_path / "b.json").exists()  # the rest of a failed owner's files stay out
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_an_owner_whose_write_fails_leaves_nothing_staged(tmp_path: Path) -> None:
    files = StagedFiles()
    (tmp_path / "file").write_text("a file where a folder should be")
    with pytest.raises(OSError) as raised:
        files.write_all([(tmp_path / "ok.md", b"ok"), (tmp_path / "file" / "x.md", b"x")], owner=1)
    assert "file" in str(raised.value)
    assert files.commit() == {}
    assert not (tmp_path / "ok.md").exists()
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_discarding_a_batch_removes_its_temp_files(tmp_path: Path) -> None:
    files = StagedFiles()
    files.write_all([(tmp_path / "a.md", b"a")], owner=1)
    files.discard()
    assert not (tmp_path / "a.md").exists() and not [p for p in tmp_path.rglob("*.tmp")]
