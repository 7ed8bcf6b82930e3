from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from profilegen.errors import LockedError
from profilegen.journal import Journal
from profilegen.locking import StateLock


def test_values_are_json_text_never_pickles(tmp_path: Path) -> None:
    with Journal(tmp_path / "state") as journal:
        key = journal.position_key(("Блок", "Отдел"), "Инженер")
        journal.save_position(key, {"status": "done", "tokens_in": 5})
        run_id = journal.start_run(selection={"departments": None})
        journal.finish_run(run_id, outcome="completed")
    db = sqlite3.connect(tmp_path / "state" / "journal" / "cache.db")
    rows = db.execute("SELECT key, value, mode FROM Cache").fetchall()
    db.close()
    assert len(rows) == 2
    for _key, value, _mode in rows:
        assert isinstance(value, str)
        json.loads(value)
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700


def test_recover_running_and_runs(tmp_path: Path) -> None:
    with Journal(tmp_path) as journal:
        journal.save_position("a", {"status": "running"})
        journal.save_position("b", {"status": "done"})
        assert journal.recover() == 0, "no run died: nothing to scan"
        journal.start_run()  # ... and the process dies before finish_run
        assert journal.recover() == 1
        assert journal.recover() == 0
        assert journal.position("a") == {"status": "pending", "updated_at": journal.position("a")["updated_at"]}  # type: ignore[index]
        assert journal.update_position("b", attempts=2)["attempts"] == 2
        first = journal.start_run()
        assert journal.runs()[0]["id"] == first
        assert journal.purge_runs(older_than_days=1) == 0
        assert journal.purge_runs(older_than_days=-1) == 2
        journal.delete_position("a")
        assert [k for k, _ in journal.positions()] == ["b"]


def test_lock_is_exclusive_and_names_the_holder(tmp_path: Path) -> None:
    with StateLock(tmp_path):
        with pytest.raises(LockedError) as info:
            StateLock(tmp_path).acquire()
        assert "another profilegen run (pid" in str(info.value)
        assert str(tmp_path) in str(info.value)
    with StateLock(tmp_path) as again:
        assert again.taken_over is None


def test_stale_lock_info_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "run.lock.info").write_text(json.dumps({"pid": 999999, "started": "then"}))
    with StateLock(tmp_path) as lock:
        assert lock.taken_over is not None and "999999" in lock.taken_over


@pytest.mark.parametrize(
    ("path", "title", "name"),
    [
        (("Блок", "Отдел"), "Инженер", None),
        ((), 'Кавычки " и \\ слэш', None),
        (("Tab\there", "Ünïcödé ✓"), "line\nbreak\x01", "Анна Петровна"),
    ],
)
def test_position_keys_are_the_json_they_always_were(
    tmp_path: Path, path: tuple[str, ...], title: str, name: str | None
) -> None:
    """Every journal is keyed by these strings: the fast form must equal the json.dumps it replaced."""
    with Journal(tmp_path) as journal:
        person = f"person:{journal.person_hash(name)}" if name else ""
        assert journal.position_key(path, title, name) == json.dumps([list(path), title, person], ensure_ascii=False)


def test_positions_are_read_page_by_page_and_a_reader_may_write(tmp_path: Path) -> None:
    from profilegen.journal import key_identity

    with Journal(tmp_path / "state") as journal:
        keys = [journal.position_key(("Блок", f"Отдел {n:04d}"), "Юрист") for n in range(1201)]
        with journal.transaction():
            for key in keys:
                journal.save_position(key, {"status": "running"})
        seen = []
        for key, record in journal.positions():  # three pages of 500, each position written back as it is read
            seen.append(key)
            journal.update_position(key, status="pending", seen=record["status"])
        assert seen == sorted(keys) and len(set(seen)) == 1201
        assert {r["status"] for _, r in journal.positions()} == {"pending"}
        assert key_identity(keys[7]) == (("Блок", "Отдел 0007"), "Юрист")
