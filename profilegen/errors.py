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


class GenerationError(ProfilegenError):
    """One position could not be generated; ``error_type`` is a stable label for stats and logs."""

    def __init__(
        self,
        error_type: str,
        message: str,
        *,
        tokens_in: int | None = 0,
        tokens_out: int | None = 0,
        cost_usd: float | None = 0.0,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.tokens_in = tokens_in
        self.tokens_out = tokens_out
        self.cost_usd = cost_usd
        self.attempts = attempts


class ProviderAbort(RunAborted):
    """The provider refuses every request (bad key, no credits, unknown model): stop the run."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
