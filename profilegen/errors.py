"""Exit codes and the exceptions that carry them: one place for both."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit statuses; DESIGN.md pins every value."""

    OK = 0
    FAILED = 1
    USAGE = 2
    LOCKED = 3
    LIMIT = 4
    INTERRUPTED = 130
    TERMINATED = 143


class ProfilegenError(Exception):
    """A known failure with a one-line message meant for the user."""

    exit_code: ExitCode = ExitCode.FAILED


class InputError(ProfilegenError):
    """Bad input (file, row, option): the user must fix something; exit 2."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None) -> None:
        parts = [p for p in (source, where) if p]
        prefix = ", ".join(parts)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SelectionError(InputError):
    """A department or position the user named does not resolve to exactly one thing."""


class LockedError(ProfilegenError):
    """Another run holds the state directory."""

    exit_code = ExitCode.LOCKED


class RunAborted(ProfilegenError):
    """The provider refused the whole run (bad key, no credits, unknown model)."""

    exit_code = ExitCode.FAILED
