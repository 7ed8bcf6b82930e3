"""Records kept in a state folder between commands (the organisation as last parsed, its units' KPI mapping):
each is a key, then what was worked out under it, pickled. A record is taken only when its key is the one
asked for; one that is missing, another's, or cannot be read or written only costs working it out again.
The state folder is profilegen's own (made private), as the check's records are.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from profilegen.collector import paused


def kept(folder: Path, name: str, key: str) -> Any | None:
    """What ``folder``/``name`` holds under ``key`` (None when there is none, another, or it cannot be read)."""
    try:
        with (folder / name).open("rb") as handle:
            if pickle.load(handle) != key:
                return None
            with paused():  # 300,000 objects made at once: the collector's passes over them took half the time
                return pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None


def keep(folder: Path, name: str, key: str, value: Any) -> None:
    """Recorded whole and renamed into place, when ``folder`` exists and takes it."""
    if not folder.is_dir():
        return
    temporary = folder / f".{name}.{os.getpid()}.tmp"
    try:
        with temporary.open("wb") as handle:
            pickle.dump(key, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / name)
    except (OSError, pickle.PicklingError, RecursionError):
        temporary.unlink(missing_ok=True)
