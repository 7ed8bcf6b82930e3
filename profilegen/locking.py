"""The lock a run holds on its state folder, and on OUT, so that two runs never write one journal or folder."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from profilegen.errors import LockedError
from profilegen.journal import make_state_dir, now

OUT_LOCK = ".profilegen.lock"


@dataclass
class StateLock:
    """An exclusive, non-blocking lock on a folder — the state directory, or OUT (portable, via filelock)."""

    state_dir: Path
    taken_over: str | None = None
    lock_name: str = "run.lock"

    def __post_init__(self) -> None:
        from filelock import FileLock

        if self.lock_name == "run.lock":
            make_state_dir(self.state_dir)
        self._lock = FileLock(str(self.state_dir / self.lock_name), timeout=0)
        self._info = self.state_dir / f"{self.lock_name}.info"

    def acquire(self) -> StateLock:
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            info = self._read_info()
            raise LockedError(
                f"another profilegen run (pid {info.get('pid', '?')}, started {info.get('started', '?')}) "
                f"is using {self.state_dir}"
            ) from None
        previous = self._read_info()
        if previous.get("pid") and previous.get("pid") != os.getpid():
            self.taken_over = (
                f"took over a lock left by a dead run (pid {previous['pid']}, started {previous.get('started')})"
            )
        self._info.write_text(json.dumps({"pid": os.getpid(), "started": now()}), encoding="utf-8")
        return self

    def release(self) -> None:
        if self._lock.is_locked:
            self._info.unlink(missing_ok=True)
            self._lock.release()

    def _read_info(self) -> dict[str, Any]:
        try:
            value = json.loads(self._info.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
