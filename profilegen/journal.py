"""The task journal: runs and per-position records in diskcache (JSON text only); the locks are in `locking`."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

from profilegen.errors import InputError
from profilegen.jsontext import sorted_text

PositionKey = str
_RUN = "run:"
_POS = "pos:"
_DOC = "doc:"
_META = "meta:"
_BATCH = "batch:"
_SPEND = "spend:"
_ACTIVE = "meta:active-run"


# The fields of a position record that planning reads (the rest is read only for the few that need work).
SUMMARY_FIELDS: tuple[str, ...] = ("status", "fingerprint", "frozen", "quarantined", "generator", "raw_answer")
SUMMARY_FIELDS += ("edited_kept", "generated_ts", "batch_id")


SECRET_FILE = "secret"


def person_hash(employee_name: str, secret: bytes) -> str:
    """A short, stable stand-in for an employee's name in keys and logs (the name is personal data).

    Keyed with the state folder's own secret, so a staff list cannot be hashed to find who is who.
    """
    return hmac.new(secret, employee_name.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def make_state_dir(state_dir: Path) -> None:
    try:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(state_dir, 0o700)
    except OSError as exc:
        raise InputError(f"cannot create the state folder ({exc.strerror or exc})", source=str(state_dir)) from None


def state_secret(state_dir: Path) -> bytes:
    """The state folder's random secret: created 0600 on first use, written whole or not at all."""
    path = state_dir / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        make_state_dir(state_dir)
        fd, temp = tempfile.mkstemp(prefix=".secret.", suffix=".tmp", dir=state_dir)  # mkstemp: mode 0600
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != 32:
        raise InputError("the state folder's secret is damaged; restore it from a backup", source=str(path))
    return secret


_json_string: Callable[[str], str] = json.encoder.encode_basestring


class Journal:
    """Runs and positions, stored as JSON strings (never pickles) under ``state_dir/journal``."""

    def __init__(self, state_dir: Path) -> None:
        import diskcache

        make_state_dir(state_dir)
        self.state_dir = state_dir
        try:
            journal = str(state_dir / "journal")  # SQLite's page cache at 4 MB, not 32: 100,000 records filled it
            self._cache = diskcache.Cache(journal, eviction_policy="none", sqlite_mmap_size=0, sqlite_cache_size=1024)
        except sqlite3.OperationalError as exc:
            raise _disk_error(exc, state_dir) from None
        except sqlite3.DatabaseError as exc:  # a file that is no SQLite database (a disk fault, a bad copy)
            raise self.damaged(exc) from None
        self._secret = state_secret(state_dir)

    def damaged(self, exc: sqlite3.DatabaseError) -> InputError:
        """The journal's file found damaged (at its opening or by a query): which, and what to do."""
        return InputError(
            f"the journal is damaged ({exc}): restore {self.state_dir} from a backup, or move it aside to start a new"
            " journal",
            source=str(self.state_dir / "journal"),
        )

    def person_hash(self, employee_name: str) -> str:
        return person_hash(employee_name, self._secret)

    def position_key(self, unit_path: tuple[str, ...], title: str, employee_name: str | None = None) -> PositionKey:
        """A stable key for a position (and employee, by keyed hash, when a profile is personal)."""
        person = f"person:{self.person_hash(employee_name)}" if employee_name else ""
        # json.dumps([list(unit_path), title, person], ensure_ascii=False), by the C string encoder alone
        return f"[[{', '.join(map(_json_string, unit_path))}], {_json_string(title)}, {_json_string(person)}]"

    def close(self) -> None:
        self._cache.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        self.close()
        # a query that met a damaged page (the file opened sound): said as a damaged journal, not an unexpected error
        # (SQLite says so with a DatabaseError of its own: its kinds — a lock, a constraint, a closed connection — are
        # not damage)
        if type(exc) is sqlite3.DatabaseError:
            raise self.damaged(exc) from None

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        """Group writes into one commit (all or nothing)."""
        return cast(contextlib.AbstractContextManager[Any], self._cache.transact())

    # -- raw JSON access ------------------------------------------------------------
    def _get(self, key: str) -> dict[str, Any] | None:
        raw = self._cache.get(key)
        if raw is None:
            return None
        value = json.loads(raw)
        return value if isinstance(value, dict) else None

    def _put(self, key: str, value: dict[str, Any]) -> None:
        try:
            self._cache.set(key, sorted_text(value))
        except sqlite3.OperationalError as exc:
            raise _disk_error(exc, self.state_dir) from None

    def _items(self, prefix: str, page: int = 500) -> Iterator[tuple[str, dict[str, Any]]]:
        """The records under ``prefix`` in key order, ``page`` rows per query over the key index (memory of one
        page; a caller may write as it goes)."""
        import diskcache.core

        query = "SELECT key, mode, value FROM Cache WHERE raw = 1 AND key {} ? AND key < ? ORDER BY key LIMIT ?"
        rows = self._cache._sql(query.format(">="), (prefix, _after(prefix), page)).fetchall()
        while rows:
            for key, mode, raw in rows:
                if not isinstance(key, str):
                    continue
                value = json.loads(raw) if mode == diskcache.core.MODE_RAW and isinstance(raw, str) else None
                if value is None:  # a record in a file of its own (or an odd row): read it the usual way
                    value = self._get(key)
                if isinstance(value, dict):
                    yield key[len(prefix) :], value
            if len(rows) < page:
                return
            rows = self._cache._sql(query.format(">"), (rows[-1][0], _after(prefix), page)).fetchall()

    # -- positions ------------------------------------------------------------------
    def position(self, key: PositionKey) -> dict[str, Any] | None:
        return self._get(_POS + key)

    def save_position(self, key: PositionKey, record: dict[str, Any]) -> None:
        record["updated_at"] = now()
        self._put(_POS + key, record)

    def update_position(self, key: PositionKey, **fields: Any) -> dict[str, Any]:
        record = self.position(key) or {}
        record.update(fields)
        self.save_position(key, record)
        return record

    def positions(self) -> Iterator[tuple[PositionKey, dict[str, Any]]]:
        return self._items(_POS)

    def position_summaries(self) -> dict[PositionKey, dict[str, Any]]:
        """What planning needs of every position record (``SUMMARY_FIELDS``), read in one query."""
        return self.position_fields(SUMMARY_FIELDS)

    def position_fields(self, fields: Sequence[str], having: str | None = None) -> dict[PositionKey, dict[str, Any]]:
        """The named fields of every position record (``having``: those with that field set) by SQLite's JSON
        functions in one query (no record decoded whole; a status one string for all); else read."""
        import diskcache.core

        paths = ", ".join(f"'$.{name}'" for name in (*fields, "-"))  # two paths or more: always an array
        query = f"SELECT key, mode, json_extract(value, {paths}) FROM Cache WHERE raw = 1 AND key >= ? AND key < ?"
        if having is not None:  # a record in a file of its own has no value here: read below, as always
            query += f" AND (mode != {diskcache.core.MODE_RAW} OR json_extract(value, '$.{having}') IS NOT NULL)"
        try:
            rows = self._cache._sql(query, (_POS, _after(_POS))).fetchall()
        except sqlite3.OperationalError:  # no JSON functions in this SQLite
            records = ((key, record) for key, record in self.positions() if having is None or record.get(having))
            return {key: {n: record.get(n) for n in fields} for key, record in records}
        found: dict[PositionKey, dict[str, Any]] = {}
        for key, mode, values in rows:
            if isinstance(key, str) and mode == diskcache.core.MODE_RAW and isinstance(values, str):
                picked = [sys.intern(v) if type(v) is str and len(v) < 16 else v for v in json.loads(values)[:-1]]
                found[sys.intern(key[len(_POS) :])] = dict(zip(fields, picked, strict=True))
            elif isinstance(key, str):
                record = self._get(key) or {}
                found[key[len(_POS) :]] = {n: record.get(n) for n in fields}
        return found

    def delete_position(self, key: PositionKey) -> None:
        self._cache.delete(_POS + key)
        self._cache.delete(_DOC + key)

    # -- small named values (cached mappings, lists) -------------------------------------------------
    def meta(self, name: str) -> dict[str, Any] | None:
        return self._get(_META + name)

    def set_meta(self, name: str, value: dict[str, Any]) -> None:
        self._put(_META + name, value)

    def delete_meta(self, name: str) -> None:
        self._cache.delete(_META + name)

    # -- last generated documents (kept apart: planning reads every record, diffs need few documents) --
    def save_document(self, key: PositionKey, document: dict[str, Any]) -> None:
        self._put(_DOC + key, document)

    def document(self, key: PositionKey) -> dict[str, Any] | None:
        return self._get(_DOC + key)

    def recover(self) -> int:
        """Positions left `running` by a dead run become `pending` again, and that run is closed as `crashed`;
        returns how many positions. Only a run that died before `finish_run` can leave any (after a clean finish
        it costs nothing)."""
        active = self._cache.get(_ACTIVE)
        if active is None:
            return 0
        run = self.run(str(active))
        count = written = 0
        for key, record in self.positions():
            if record.get("status") == "running":
                record["status"] = "pending"
                self.save_position(key, record)
                count += 1
            elif record.get("status") == "done" and record.get("run_id") == active:
                written += 1
        if run is not None and run.get("outcome") == "running":  # its process died (the lock was free)
            run.update(outcome="crashed", finished_at=now(), counts={**(run.get("counts") or {}), "generated": written})
            self._put(_RUN + str(active), run)
        self._cache.delete(_ACTIVE)
        return count

    # -- runs ---------------------------------------------------------------------------
    def start_run(self, **info: Any) -> str:
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
        record = {
            "id": run_id,
            "started_at": now(),
            "started_ts": time.time(),
            "outcome": "running",
            "spend_ledger": True,  # its cost is what the journal recorded per answer (`spending`)
            **info,
        }
        self._put(_RUN + run_id, record)
        self._cache.set(_ACTIVE, run_id)  # cleared by finish_run; still there after a crash
        return run_id

    def finish_run(self, run_id: str, **info: Any) -> None:
        record = self.run(run_id) or {"id": run_id}
        record.update(info, finished_at=now())
        self._put(_RUN + run_id, record)
        self._cache.delete(_ACTIVE)

    def run(self, run_id: str) -> dict[str, Any] | None:
        return self._get(_RUN + run_id)

    def runs(self) -> list[dict[str, Any]]:
        """All runs, newest first."""
        return sorted((r for _, r in self._items(_RUN)), key=lambda r: float(r.get("started_ts") or 0), reverse=True)

    # -- what was paid ------------------------------------------------------------------
    def record_spend(
        self, entry: str, run_id: str, mode: str, tokens_in: int | None, tokens_out: int | None, cost: float | None
    ) -> None:
        """What one position's requests cost (``entry``: the run or batch and the position; written again
        with the new totals when the same entry paid for more, so nothing is counted twice)."""
        record = {
            "ts": time.time(),
            "run_id": run_id,
            "mode": mode,
            "tokens_in": int(tokens_in or 0),
            "tokens_out": int(tokens_out or 0),
            "cost_usd": cost,
        }
        self._put(_SPEND + entry, record)

    def spending(self) -> list[dict[str, Any]]:
        """Every recorded payment (live answers and collected batch answers)."""
        return [record for _, record in self._items(_SPEND)]

    # -- provider batches -------------------------------------------------------------------------
    def batch(self, batch_id: str) -> dict[str, Any] | None:
        return self._get(_BATCH + batch_id)

    def save_batch(self, record: dict[str, Any]) -> None:
        self._put(_BATCH + str(record["id"]), record)

    def batches(self) -> list[dict[str, Any]]:
        """Every batch submitted from this state folder, newest first."""
        found = (r for _, r in self._items(_BATCH))
        return sorted(found, key=lambda r: float(r.get("submitted_ts") or 0), reverse=True)

    def purge_runs(self, older_than_days: float) -> int:
        cutoff = time.time() - older_than_days * 86400
        removed = 0
        for run_id, record in list(self._items(_RUN)):
            if float(record.get("started_ts") or 0) < cutoff:
                self._cache.delete(_RUN + run_id)
                removed += 1
        return removed


def key_identity(key: PositionKey) -> tuple[tuple[str, ...], str]:
    """The unit path and title a position key names (its third part is the keyed hash of a person)."""
    unit_path, title, _person = json.loads(key)
    return tuple(unit_path), title


def _after(prefix: str) -> str:  # the first key past every key that starts with ``prefix``
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _disk_error(exc: sqlite3.OperationalError, state_dir: Path) -> Exception:
    """A full disk under SQLite, said the way every other write says it (other errors unchanged)."""
    if "full" not in str(exc):
        return exc
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(state_dir / "journal"))


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
