"""Atomic file writes: temp file in the same folder, fsync, os.replace — one file at a time, or a batch made
durable with one flush."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import tempfile
from collections.abc import Callable, Hashable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO


def _umask() -> int:
    """The process umask (read once, at import, before any worker thread could race the read)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()  # what open() would give a new file: profiles are for people to read


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A file written so that ``path`` holds either the old content or the new one, never a part: the
    handle is a temp file beside it, put in its place when the block ends without an exception.

    The file gets the mode the umask gives (mkstemp's temp file is 0600; the result must not be).
    """
    fd, temp = _temp_file(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError) and not exc.filename:  # name the file the user would look for
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise


def _temp_file(path: Path) -> tuple[int, str]:
    """A new temp file beside ``path`` (its folders made when missing) with the mode the umask gives (mkstemp's
    is 0600; a profile is for people to read): its descriptor and name."""
    try:
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
        except FileNotFoundError:  # the folder first (asked only when missing: a run writes thousands of files)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=f".{path.name[:40]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    if hasattr(os, "fchmod"):
        try:
            os.fchmod(fd, FILE_MODE)
        except OSError:
            os.close(fd)
            os.unlink(temp)
            raise
    return fd, temp


class StagedFiles:
    """Files written as one batch: each to a temp file beside it; `commit` flushes them all to disk and only
    then puts each in its place, so a crash leaves every path with its old content or its new one, as
    `atomic_file` does — with one flush of the file system per batch (``syncfs`` on Linux) instead of an
    fsync per file, which cost a run's writer more than rendering (elsewhere each file is fsynced as written).
    Files belong to owners (a position): an owner whose file fails is reported, the others go on."""

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path, Hashable]] = []  # temp file, its place, its owner
        self._file_systems: dict[int, str] = {}  # device → a folder on it (flushed through it)
        self._sync = _syncfs()

    def write_all(self, files: Sequence[tuple[Path, bytes]], owner: Hashable) -> None:
        """Stage an owner's files: all of them or (raising) none."""
        staged = len(self._staged)
        try:
            for path, data in files:
                fd, temp = _temp_file(path)
                self._staged.append((temp, path, owner))
                try:
                    with os.fdopen(fd, "wb") as handle:
                        handle.write(data)
                        handle.flush()
                        if self._sync is None:
                            os.fsync(handle.fileno())
                        else:
                            self._file_systems.setdefault(os.fstat(handle.fileno()).st_dev, str(path.parent))
                except OSError as exc:
                    raise OSError(exc.errno, exc.strerror, str(path)) from exc
        except BaseException:
            for temp, _path, _owner in self._staged[staged:]:
                _remove(temp)
            del self._staged[staged:]
            raise

    def commit(self) -> dict[Hashable, OSError]:
        """Flush the staged files to disk, then put each in its place (an owner's in the order written); the
        owners whose files could not all be placed, with the error. A failed flush places nothing and raises."""
        try:
            if self._sync is not None:
                for folder in self._file_systems.values():
                    fd = os.open(folder, os.O_RDONLY)
                    try:
                        if self._sync(fd) != 0:
                            import ctypes

                            code = ctypes.get_errno()
                            raise OSError(code, os.strerror(code), folder)
                    finally:
                        os.close(fd)
        except BaseException:
            self.discard()
            raise
        failed: dict[Hashable, OSError] = {}
        for temp, path, owner in self._staged:
            if owner in failed:
                _remove(temp)
                continue
            try:
                os.replace(temp, path)
            except OSError as exc:
                failed[owner] = OSError(exc.errno, exc.strerror, str(path))
                _remove(temp)
        self._staged.clear()
        self._file_systems.clear()
        return failed

    def discard(self) -> None:
        """Remove every staged temp file; nothing is put in place."""
        for temp, _path, _owner in self._staged:
            _remove(temp)
        self._staged.clear()
        self._file_systems.clear()


def _remove(temp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temp)


@functools.cache  # looked up once per process (a run's writer starts a batch many times a second)
def _syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2) (every dirty page of one file system to disk, one journal commit), else None. It reports
    a failed writeback since Linux 5.8; before, it returned 0 where an fsync of the file would have failed."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        found: Callable[[int], int] = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # pragma: no cover - a libc without it
        return None
    return found


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either the old content or the new one, never a part."""
    with atomic_file(path) as handle:
        handle.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def remove_stale_temp_files(folder: Path) -> int:
    """Delete temp files a killed writer left in ``folder`` (call only while holding the state lock)."""
    removed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if name.startswith(".") and name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
                removed += 1
    return removed
