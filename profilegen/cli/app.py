"""The Typer application: global options, command groups, and the one place errors become exit codes."""

from __future__ import annotations

import contextlib
import gc
import signal
import sys
import traceback
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from profilegen import __version__
from profilegen.cli import (
    check_cmd,
    export_cmd,
    facts_cmd,
    generate_cmd,
    help,
    jobs_cmd,
    kpi_cmd,
    misc_cmd,
    org_cmd,
    report_cmd,
    review_cmd,
    stats_cmd,
    template_cmd,
)
from profilegen.cli.output import error, warn
from profilegen.cli.state import OPTIONS
from profilegen.errors import ExitCode, InputError, ProfilegenError
from profilegen.forking import settle

help.install()
app = typer.Typer(
    name="profilegen",
    help="Job profiles for every position of an organisation, from its structure and KPIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# listed as the work goes: generate and the facts it is told, check, report, export; review; the journal; groups
app.command(name="generate", epilog=generate_cmd.EPILOG)(generate_cmd.generate)
app.command(name="facts", epilog=facts_cmd.EPILOG)(facts_cmd.facts)
app.command(name="check", epilog=check_cmd.EPILOG)(check_cmd.check)
app.command(name="report", epilog=report_cmd.EPILOG)(report_cmd.report)
app.command(name="export", epilog=export_cmd.EPILOG)(export_cmd.export)
review_cmd.register(app)
app.command(name="stats", epilog="Example: profilegen stats --json")(stats_cmd.stats)
app.add_typer(org_cmd.app, name="org")
app.add_typer(kpi_cmd.app, name="kpi")
app.add_typer(jobs_cmd.app, name="jobs")
app.add_typer(template_cmd.app, name="template")
misc_cmd.register(app)


def _whole_short_help(typer_app: typer.Typer) -> None:
    """The command list shows each command's summary (its docstring's first paragraph) whole: neither cut at 45
    characters nor at the end of the docstring's first line."""
    for info in typer_app.registered_commands:
        if info.short_help is None and info.callback is not None and info.callback.__doc__:
            info.short_help = " ".join(info.callback.__doc__.strip().split("\n\n", 1)[0].split())
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            said = group.typer_instance.info.help
            if isinstance(said, str):  # a group's own help, given to its Typer (else a default placeholder)
                group.short_help = said
            _whole_short_help(group.typer_instance)


_whole_short_help(app)


def _version(value: bool) -> None:
    if value:
        print(f"profilegen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Annotated[Path | None, typer.Option("--config", help="Settings file (default: ./profilegen.yaml).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More detail; tracebacks on errors.")] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Nothing on success; on failure one summary line and the errors.")
    ] = False,
    log_format: Annotated[str, typer.Option("--log-format", help="text or json.")] = "text",
    log_file: Annotated[Path | None, typer.Option("--log-file", help="Append log lines to FILE.")] = None,
    no_color: Annotated[bool, typer.Option("--no-color", help="No colour in output.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Job profiles for every position of an organisation, from its structure and KPIs."""
    if log_format not in ("text", "json"):
        raise typer.BadParameter("must be 'text' or 'json'", param_hint="--log-format")
    OPTIONS.config = config
    OPTIONS.verbose = verbose
    OPTIONS.quiet = quiet
    OPTIONS.log_format = log_format
    OPTIONS.no_color = no_color
    if log_file is not None:  # a cron line's typo is said before anything runs, not as a traceback at its end
        reason = "a folder" if log_file.is_dir() else None if log_file.parent.is_dir() else "no such folder"
        if reason is not None:
            raise InputError(f"cannot write the log file ({reason})", source=str(log_file))
    OPTIONS.log_file = log_file


class Terminated(BaseException):
    """SIGTERM, raised where the process is so that cleanup runs."""


def _on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise Terminated()


_INTERRUPTED: list[bool] = []  # Ctrl-C came: the CLI library returns its own 130 for it, and says nothing


def _on_sigint(_signum: int, _frame: FrameType | None) -> None:
    _INTERRUPTED.append(True)
    raise KeyboardInterrupt


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every known failure becomes one line on stderr. Records a command
    left to a forked copy to write are written before it returns."""
    try:
        return _run(argv)
    finally:
        with contextlib.suppress(KeyboardInterrupt, Terminated):  # a stop while waiting: the copy finishes alone
            if settle():
                warn("the check's records could not be written: the next check reads every profile again")


def _run(argv: list[str] | None) -> int:
    for name in ("SIGTERM", "SIGHUP"):  # a closed terminal stops a run cleanly, as SIGTERM does
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored (`cmd &`)
        signal.signal(signal.SIGINT, _on_sigint)
    OPTIONS.argv = list(sys.argv[1:] if argv is None else argv)  # the command as typed, for the run record
    _INTERRUPTED.clear()
    empty = _empty_path(OPTIONS.argv)
    if empty is not None:  # read as Path(""), the current folder: where cron stood would be written into
        return _failed(f"{empty} is empty (an unset variable in a script?)", ExitCode.USAGE)
    try:
        result = app(args=argv, prog_name="profilegen", standalone_mode=False)
        if _INTERRUPTED and result == ExitCode.INTERRUPTED:
            raise KeyboardInterrupt
        return int(result) if isinstance(result, int) else 0
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            error(exc.format_message())
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        return _failed(f"interrupted{_going_on()}", ExitCode.INTERRUPTED)
    except Terminated:
        return _failed(f"terminated{_going_on()}", ExitCode.TERMINATED)
    except ProfilegenError as exc:
        if OPTIONS.verbose:
            traceback.print_exc()
        return _failed(str(exc), int(exc.exit_code))
    except OSError as exc:  # a disk or permission problem outside a run's own handling
        if OPTIONS.verbose:
            traceback.print_exc()
        where = f"{exc.filename}: " if exc.filename else ""
        return _failed(f"{where}{exc.strerror or exc}", ExitCode.FAILED)
    except Exception as exc:
        if OPTIONS.verbose:
            traceback.print_exc()
        message = f"unexpected error: {type(exc).__name__}: {exc} (run with -v for the traceback)"
        return _failed(message, ExitCode.FAILED)


# the options that name a file or folder
_PATH_OPTIONS = frozenset(
    {"--config", "--log-file", "--org", "--out", "--state-dir", "--kpi-dir", "--template", "--to", "--xlsx"}
)


def _empty_path(argv: list[str]) -> str | None:
    """The first path option given an empty value (`--out ""`, `--out=`), if any."""
    for at, arg in enumerate(argv):
        name, equals, value = arg.partition("=")
        if name in _PATH_OPTIONS and ((equals and not value.strip()) or (not equals and argv[at + 1 : at + 2] == [""])):
            return name
    return None


# the commands a run of which goes on from where a stopped one left off (the journal, the check's records)
_RESUMING = frozenset({"generate", "check", "report"})


def _going_on() -> str:
    """What a stopped command leaves to go on from, said after "interrupted" (nothing for one that keeps none)."""
    args = iter(OPTIONS.argv)
    for arg in args:
        if arg in ("--config", "--log-format", "--log-file"):  # the global options that take a value
            next(args, None)
        elif not arg.startswith("-"):
            return "; what was done is kept: run the same command again" if arg in _RESUMING else ""
    return ""


def _failed(message: str, code: int) -> int:
    """Say it on stderr, and in the log file when there is one (cron reads the log, not the terminal)."""
    error(message)
    if OPTIONS.log_file is not None:
        from profilegen.observability import EventLog

        try:
            log = EventLog(OPTIONS.log_format, OPTIONS.log_file)
        except OSError:  # a log file that cannot be opened (its folder's permissions): the error is on stderr
            return code
        try:
            log("error", {"message": message, "exit_code": code})
        finally:
            log.close()
    return code


def main() -> None:
    code = run()
    # What the command built is left to the operating system: the interpreter's last collections would walk
    # every object (0.3 s after a live run over 1,689 positions, the run itself 10 s). Nothing is skipped —
    # exit handlers, flushes and finalizers all run as before; only the collector no longer looks at these.
    gc.freeze()
    sys.exit(code)
