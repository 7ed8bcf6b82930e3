"""The last check's answer, given again when nothing it read has changed since.

A check records its whole answer with the stamps (size, modification time, inode) of every file and
folder it read: each profile, each unit folder (a profile written, added or removed there changes the
folder's stamp), the organisation file, every file under the KPI folder, the template and the company's
documents; and with what decides the answer besides them (the selection, every setting, profilegen's code,
the morphology dictionary's version). When all are as recorded, the answer is the recorded one: nothing is
loaded, read or compared (100,000 profiles: the organisation alone takes seconds to load). Anything
else checks as usual, file by file from the check cache. A stamp of a file modified moments before the
check is not trusted (see `cache.SETTLED_NS`): such an answer is not recorded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pickle
from collections.abc import Sequence
from importlib import metadata
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from profilegen.checking.cache import PART, Stamp, file_stamp, settled
from profilegen.checking.findings import Located, as_rows, of_rows
from profilegen.config import Settings, settings_key
from profilegen.inputs import Selection
from profilegen.jsontext import payload_digest

Answer = TypeVar("Answer")
REPLAY_FILE = "check-last.pickle"


def answer_key(settings: Settings, selection: Selection, code: str, approvals: Any = None) -> str:
    """What decides a check's answer besides the files it reads (and the approvals `--unapproved` follows)."""
    try:
        dictionary = metadata.version("pymorphy3-dicts-ru")
    except metadata.PackageNotFoundError:
        dictionary = "?"
    payload = {
        "code": code,
        "dictionary": dictionary,
        "settings": settings_key(settings),
        "selection": [selection.departments, selection.position, selection.subunits, selection.employee_name],
        "approvals": approvals,
    }
    return payload_digest(payload)


def input_files(settings: Settings) -> list[Path]:
    """The files a check's inputs are loaded from (a folder's files each; the folder itself too)."""
    found: list[Path] = []
    template = Path(settings.template) if settings.template else None
    for path in [settings.org, settings.resolved_kpi_dir(), template, *settings.documents]:
        if path is None:
            continue
        found.append(path)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*"))
    return found


def replayed(state: Path, key: str, kind: type[Answer]) -> Answer | None:
    """The recorded answer when it was made under ``key`` and every file it read is as it was."""
    try:
        with (state / REPLAY_FILE).open("rb") as handle:
            load = functools.partial(pickle.load, handle)  # each part a pickle of its own
            if load() != {"key": key}:
                return None
            while (part := load()) is not None:  # the stamps, a part at a time: the first change stops
                for path, stamp in part:
                    if file_stamp(path) != stamp:
                        return None
            result = load()
            groups = [{**group, "positions": [label.decode() for label in group["positions"]]} for group in load()]
            findings: list[Located] = []
            while (part := load()) is not None:
                findings += of_rows(*part)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError, KeyError):
        return None
    if not isinstance(result, kind):
        return None
    result.findings = findings  # type: ignore[attr-defined]
    result.groups = groups  # type: ignore[attr-defined]
    return result


def record(
    state: Path,
    key: str,
    read: Sequence[str],
    stamps: Sequence[Stamp | None],
    others: Sequence[str],
    result: Any,
    started_ns: int,
) -> None:
    """The answer kept with the stamps of what was ``read`` (as they were taken before reading) and of the
    ``others`` (taken now); not when one of them changed moments before the check began or during it (its stamp
    could hide a later change). A folder that cannot take it is left. Pickled a part at a time (one pickle of
    100,000 profiles' findings and 300,000 stamps held a memo of every object in it: 100 MB at its end)."""
    where = state / REPLAY_FILE
    temporary = where.with_name(f".{where.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as handle:
            dump = functools.partial(pickle.dump, file=handle, protocol=pickle.HIGHEST_PROTOCOL)
            dump({"key": key})
            # the others stamped as the parts reach them; paths and labels as UTF-8 bytes (pickling a str keeps
            # its UTF-8 form on it for as long as it lives)
            items = chain(zip(read, stamps, strict=True), ((path, file_stamp(path)) for path in others))
            while part := [(path.encode(), stamp) for path, stamp in islice(items, PART)]:
                if not all(settled(stamp, started_ns) for _path, stamp in part):
                    raise _Unsettled
                dump(part)
            dump(None)
            dump(dataclasses.replace(result, findings=[], groups=[]))
            dump([{**group, "positions": [label.encode() for label in group["positions"]]} for group in result.groups])
            for start in range(0, len(result.findings), PART):  # plain rows, not objects
                dump(as_rows(result.findings[start : start + PART]))
            dump(None)
        os.replace(temporary, where)
    except (OSError, _Unsettled):
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
            where.unlink(missing_ok=True)


class _Unsettled(Exception):
    """A file read was modified moments before the check or during it."""
