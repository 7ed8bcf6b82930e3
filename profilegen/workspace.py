"""Which journal vouches for an output folder, and which organisation the folder was generated from.

A folder of profiles carries its own journal in `OUT/.profilegen/`. A state folder named elsewhere
(`--state-dir`) is bound to the one OUT it was first used with: the state records an id that is also
written into that OUT (`OUT/.profilegen-id`), so a moved OUT still matches and another OUT does not.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from profilegen.config import Settings
from profilegen.errors import InputError

STATE_FOLDER = ".profilegen"
OUT_ID_FILE = ".profilegen-id"
BINDING_FILE = "bound-out"
ORG_SOURCE_FILE = "org-source"
LAYOUT_FILE = "layout-base"  # the length of OUT's path when its first profiles were written
Notice = Callable[[str], None]


def state_dir(settings: Settings) -> Path:
    """The journal folder: `--state-dir` / `state_dir` when given, else `OUT/.profilegen/`."""
    return settings.state_dir if settings.state_dir is not None else settings.out / STATE_FOLDER


def layout_base(settings: Settings, record: bool = False) -> int:
    """The length of the OUT path the folder's file names were made for. A deep position's names are shortened
    to keep whole paths under 240 characters, OUT's own path counted: taken from the state folder, where the
    first run that wrote profiles recorded it (``record``), a moved or copied folder keeps its names — copied one
    character deeper, the real org's folder had 220 profiles not found and generated (paid for) again."""
    where = state_dir(settings) / LAYOUT_FILE
    try:
        return int(where.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        base = len(str(settings.out.resolve()))
    if record:
        from profilegen.export.atomic import write_text_atomic

        write_text_atomic(where, f"{base}\n")
    return base


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _write_json(path: Path, value: dict[str, Any]) -> None:
    from profilegen.export.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(value, ensure_ascii=False, indent=1) + "\n")


def prepare(settings: Settings, *, write: bool, notice: Notice, need_org: bool = True) -> Path:
    """The state folder for ``settings.out``, checked to belong to it; fills ``settings.org`` from the journal.

    ``write``: the command changes OUT or the journal, so a moved OUT is followed and an old journal moved in.
    A state folder given without OUT names its OUT; an OUT bound to a state folder elsewhere names it.
    """
    if settings.out.exists() and not settings.out.is_dir():  # else a warning per profile "not found in" a file
        raise InputError("not a folder (--out names the folder the profiles are in)", source=str(settings.out))
    if settings.state_dir is not None and "out" not in settings.model_fields_set:
        bound = _read_json(settings.state_dir / BINDING_FILE)
        if bound is not None and bound.get("out"):
            settings.out = Path(str(bound["out"]))
    if settings.state_dir is None:
        settings.state_dir = _bound_state(settings.out)
    state = state_dir(settings)
    if settings.state_dir is None or _same(state, settings.out / STATE_FOLDER):
        legacy = _adopt_legacy(settings.out, notice, write)
        if legacy is not None:
            state = legacy
    else:
        _check_binding(state, settings.out, write)
    if need_org:
        settings.org = resolve_org(settings, state)
    return state


def _bound_state(out: Path) -> Path | None:
    """The state folder OUT was bound to (`--state-dir` of its first run), so a run that forgets it uses it."""
    lines = _out_id_lines(out)
    if len(lines) < 2 or (out / STATE_FOLDER / "journal").is_dir():
        return None
    state = Path(lines[1])
    binding = _read_json(state / BINDING_FILE)
    if binding is None or binding.get("id") != lines[0]:
        raise InputError(
            f"this folder's journal is {state}, which is missing or belongs to another folder: pass "
            f"--state-dir with the journal's folder, or delete {out / OUT_ID_FILE} to start a new journal",
            source=str(out),
        )
    return state


def _same(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()


def _check_binding(state: Path, out: Path, write: bool) -> None:
    own = out / STATE_FOLDER / "journal"
    if own.is_dir():
        raise InputError(
            f"{out} has its own journal in {out / STATE_FOLDER}; drop --state-dir (or state_dir) to use it",
            source=str(state),
        )
    binding = _read_json(state / BINDING_FILE)
    out_id = _out_id(out)
    if binding is None:
        if (state / "journal").is_dir() and not _vouches_for(state, out):
            raise InputError(
                f"this state folder records no output folder (made by an older profilegen) and vouches for no "
                f"profile in {out}; pass the --out it was used with",
                source=str(state),
            )
        return
    if out_id != binding.get("id"):
        raise InputError(
            f"this state folder is the journal of {binding.get('out')}, not of {out}: use --out "
            f"{binding.get('out')}, or drop --state-dir so {out} keeps its own journal in {out / STATE_FOLDER}",
            source=str(state),
        )
    recorded = Path(str(binding.get("out")))
    same_place = binding.get("inode") in (None, _inode(out))
    if not same_place and recorded != out.resolve() and recorded.is_dir() and _out_id(recorded) == out_id:
        raise InputError(
            f"{out} is a copy of {recorded}, whose journal this is: a copy is a new folder (drop --state-dir to "
            f"give it its own journal, and delete {out / OUT_ID_FILE})",
            source=str(state),
        )
    if write and (recorded != out.resolve() or not same_place):  # the folder was moved (or restored): follow it
        _write_json(state / BINDING_FILE, {**binding, "out": str(out.resolve()), "inode": _inode(out)})


def _out_id_lines(out: Path) -> list[str]:
    """`OUT/.profilegen-id`: the folder's id, then the state folder it is bound to."""
    try:
        return [line.strip() for line in (out / OUT_ID_FILE).read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError):
        return []


def _out_id(out: Path) -> str | None:
    lines = _out_id_lines(out)
    return lines[0] if lines else None


def _inode(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_dev, info.st_ino]


def bind(settings: Settings, state: Path) -> None:
    """Bind a state folder named apart from OUT to this OUT (once; call holding the state lock)."""
    if settings.state_dir is None or _same(state, settings.out / STATE_FOLDER):
        return
    binding = _read_json(state / BINDING_FILE)
    out = settings.out
    lines = _out_id_lines(out)
    if binding is not None and "inode" in binding and lines[1:2] == [str(state.resolve())]:
        return
    out_id = lines[0] if lines else uuid.uuid4().hex
    (out / OUT_ID_FILE).write_text(f"{out_id}\n{state.resolve()}\n", encoding="utf-8")
    _write_json(state / BINDING_FILE, {"id": out_id, "out": str(out.resolve()), "inode": _inode(out)})


def _adopt_legacy(out: Path, notice: Notice, write: bool) -> Path | None:
    """A `.profilegen/` in the working directory (the old default) moves into the OUT it vouches for, holding
    its lock; a command that only reads reads it where it is (returned)."""
    from profilegen.locking import StateLock

    legacy = Path(STATE_FOLDER)
    target = out / STATE_FOLDER
    if not (legacy / "journal").is_dir() or target.exists() or _same(legacy, target):
        return None
    if _read_json(legacy / BINDING_FILE) is not None:  # an explicit state folder of some OUT, not the old default
        return None
    if not _vouches_for(legacy, out):
        notice(
            f"warning: {legacy.resolve()} holds a journal of another output folder; {out} gets its own in "
            f"{target} (use --state-dir {legacy} --out FOLDER to reach the old one)"
        )
        return None
    if not write:
        return legacy
    lock = StateLock(legacy).acquire()  # no run of an older profilegen may be writing it meanwhile
    try:
        out.mkdir(parents=True, exist_ok=True)
        shutil.move(str(legacy), str(target))
        (target / f"{lock.lock_name}.info").unlink(missing_ok=True)  # the lock's note moved with it
    finally:
        lock.release()
    notice(f"moved the journal {legacy.resolve()} into {target}: a folder of profiles now carries its own journal")
    return None


def _vouches_for(legacy: Path, out: Path) -> bool:
    """Whether a profile JSON in OUT is one the legacy journal recorded writing (by content hash)."""
    from profilegen.journal import Journal

    with Journal(legacy) as journal:
        known = {h for _, r in journal.positions() for h in ((r.get("file_hashes") or {}).get(".json") or [])}
    if not known:
        return False
    from profilegen.export.documents import profile_paths

    for path in profile_paths(out):
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() in known:
                return True
        except OSError:
            continue
    return False


# -- the organisation a folder was generated from ----------------------------------------------------


def recorded_org(state: Path) -> dict[str, Any] | None:
    return _read_json(state / ORG_SOURCE_FILE)


def resolve_org(settings: Settings, state: Path) -> Path:
    """`--org` / `org` in the config, else the organisation OUT was generated from, else a clear error."""
    if settings.org is not None:
        return settings.org
    recorded = recorded_org(state)
    if recorded is not None:
        path = Path(str(recorded.get("path")))
        if not path.exists():
            raise InputError(f"{settings.out} was generated from {path}, which no longer exists; pass --org FILE")
        return path
    raise InputError(
        "no organisation: pass --org FILE (.xlsx, .xls, .csv, .yaml, .json) or set org: in profilegen.yaml "
        f"(profilegen config init); no earlier run into {settings.out} named one"
    )


def record_org(state: Path, org: Path, fingerprint: str, notice: Notice) -> str:
    """Remember the organisation this run generates from (``fingerprint``: the sha256 of the bytes parsed);
    say so plainly when it is not the last one. Returns the fingerprint."""
    previous = recorded_org(state)
    if previous is not None and previous.get("sha256") != fingerprint and previous.get("path") != str(org.resolve()):
        notice(
            f"warning: this folder was generated from {previous.get('path')}; this run uses {org.resolve()} — "
            "profiles of positions the new organisation lacks become orphans (see `profilegen prune`)"
        )
    if previous is None or previous.get("sha256") != fingerprint or previous.get("path") != str(org.resolve()):
        _write_json(state / ORG_SOURCE_FILE, {"path": str(org.resolve()), "sha256": fingerprint})
    return fingerprint
