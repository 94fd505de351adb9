"""Shared command plumbing: global settings, output, exit codes and error handling."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from ..errors import InputError, SpflintError
from ..findings import Finding, Severity
from ..report.base import DEFAULT_WIDTH, Display, Report, escape_controls, get_formatter

if TYPE_CHECKING:
    from ..config import Config
    from .options import FormatSettings

# Where the running command's FormatSettings are kept (click's context meta, shared by the
# command's context and its parents).
FORMAT_SETTINGS_KEY = "spflint.format"


@dataclass(frozen=True)
class GlobalSettings:
    """Options given before the command name."""

    config_path: Path | None = None
    color: str = "auto"  # auto | always | never


def global_settings(ctx: click.Context) -> GlobalSettings:
    """The group's settings (defaults when a command is invoked on its own, as in tests)."""
    obj = ctx.find_object(GlobalSettings)
    return obj if obj is not None else GlobalSettings()


def use_color(setting: str, stream: TextIO | None = None) -> bool:
    """Whether to emit ANSI colours.

    ``always`` and ``never`` (the command line) win over the environment; with ``auto``,
    ``NO_COLOR`` set and not empty turns colour off (https://no-color.org), else
    ``FORCE_COLOR`` set and not empty, whatever its value, turns it on even when the output is
    not a terminal (https://force-color.org), else colour is on when it is a terminal.
    """
    if setting == "always":
        return True
    if setting == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def terminal_width(stream: TextIO | None = None) -> int:
    """The columns text output may use: ``COLUMNS`` when it is a positive number, else the
    terminal's width when ``stream`` (standard output) is a terminal, else 100."""
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    columns = os.environ.get("COLUMNS", "").strip()
    if not (columns.isdigit() and int(columns) > 0) and not (isatty and isatty()):
        return DEFAULT_WIDTH
    import shutil

    return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns or DEFAULT_WIDTH


def current_format_settings() -> FormatSettings | None:
    """The running command's ``--quiet``, ``--statistics`` ... (None outside a command)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None
    settings: FormatSettings | None = ctx.meta.get(FORMAT_SETTINGS_KEY)
    return settings


def emit(report: Report, fmt: str, color: str | bool = "auto") -> None:
    """Write ``report`` to standard output in format ``fmt``, laid out for the terminal and
    the running command's ``--quiet`` and ``--statistics``."""
    colored = (use_color(color) if isinstance(color, str) else color) and fmt == "text"
    settings = current_format_settings()
    display = Display(terminal_width(),
                      quiet=settings is not None and settings.quiet,
                      statistics=settings is not None and settings.statistics)
    text = get_formatter(fmt, display).format(report, color=colored)
    if fmt == "text" and in_github_actions():
        text = _guarded(text)
    click.echo(text, nl=False, color=colored)


def in_github_actions() -> bool:
    """Whether a GitHub Actions runner reads what spflint prints (and takes workflow commands
    from it)."""
    return os.environ.get("GITHUB_ACTIONS", "").lower() == "true"


def _guarded(text: str) -> str:
    """Text output fenced against the runner when a line of it could be a workflow command
    (the text is escaped already)."""
    from ..report.github import could_be_command, guard_commands

    lines = text.split("\n")
    if not any(could_be_command(line) for line in lines):
        return text
    end = lines.pop() if lines and not lines[-1] else None
    return "\n".join(guard_commands(lines)) + ("\n" if end is not None else "")


def echo_text(text: str, *, nl: bool = True, err: bool = False) -> None:
    """Print text a command writes itself (a diff, a lock file's changes) as the formatters
    print theirs: control characters escaped (a line may end in CR LF), and fenced in GitHub
    Actions when a line could be taken for a workflow command."""
    lines = text.split("\n")
    shown = [escape_controls(line[:-1]) + "\r" if line.endswith("\r")
             else escape_controls(line) for line in lines]
    out = "\n".join(shown)
    if in_github_actions():
        out = _guarded(out)
    click.echo(out, nl=nl, err=err)


def exit_code(findings: Iterable[Finding], fail_on: Severity | str,
              requirements_met: bool = True) -> int:
    """1 when a finding is at or above ``fail_on`` or a requirement is not met, else 0."""
    level = Severity.parse(fail_on) if isinstance(fail_on, str) else fail_on
    if not requirements_met:
        return 1
    return 1 if any(f.severity >= level for f in findings) else 0


def load_settings_config(ctx: click.Context, fmt: FormatSettings) -> Config:
    """The configuration file (``--config`` or found upwards) with ``--select``/``--ignore``/
    ``--fail-on`` applied on top.

    :raises ConfigError: the file is invalid or a selected rule is unknown.
    """
    from ..config import load_config

    config = load_config(explicit=global_settings(ctx).config_path)
    return config.with_selection(fmt.select, fmt.ignore, fmt.fail_on)


# A word of an error message longer than this (a 100 KB argument quoted back) is shown cut,
# and so is a whole message longer than MAX_SHOWN_MESSAGE.
MAX_SHOWN_WORD = 200
MAX_SHOWN_MESSAGE = 2000
_LONG_WORD = re.compile(rf"\S{{{MAX_SHOWN_WORD + 1},}}")


def shorten_words(message: str) -> str:
    """``message`` with every word over :data:`MAX_SHOWN_WORD` characters cut in the middle
    and its length said, and the whole cut in the middle past :data:`MAX_SHOWN_MESSAGE`, so
    an error quoting a huge argument stays one readable line."""
    def cut(match: re.Match[str]) -> str:
        word = match.group()
        return f"{word[:80]}…{word[-20:]} ({len(word)} characters)"

    message = _LONG_WORD.sub(cut, message)
    if len(message) > MAX_SHOWN_MESSAGE:
        message = (f"{message[:MAX_SHOWN_MESSAGE - 300]} … ({len(message):,} characters) … "
                   f"{message[-200:]}")
    return message


def error(message: str) -> None:
    """Write ``spflint: error: message`` on standard error (the command goes on)."""
    line = f"spflint: error: {escape_controls(shorten_words(message))}"
    click.echo(_guarded(line) if in_github_actions() else line, err=True)


def usage_error_lines(exc: click.ClickException) -> list[str]:
    """A click error in spflint's style: ``spflint: error: ...`` on one line and, for a usage
    error, where to read the command's usage."""
    message = " ".join(exc.format_message().split())
    message = re.sub(r"\.\s+\(?Did you mean (.*?)\)?$", r"; did you mean \1", message)
    if message[:2].istitle():  # click's sentences ("Missing argument 'X'."), not 'SPF...'
        message = message[0].lower() + message[1:]
    lines = [f"spflint: error: {escape_controls(shorten_words(message.rstrip('.')))}"]
    if isinstance(exc, click.UsageError):
        lines.append(f"run '{command_path(exc.ctx)} --help' for usage")
    return lines


def command_path(ctx: click.Context | None) -> str:
    """``spflint`` and the subcommand names leading to ``ctx``, as a user types them."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or ctx.command.name or "")
        ctx = ctx.parent
    return " ".join(["spflint", *reversed(names)])


def os_error_message(exc: OSError, path: object = None) -> str:
    """``path: reason`` for a file that cannot be read or written (``path`` when the error
    does not name the file)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename or path
    return f"{where}: {reason}" if where else reason


@contextmanager
def handle_errors(ctx: click.Context) -> Iterator[None]:
    """Turn any ``SpflintError`` into its message on standard error and its exit code, and a
    file that cannot be read or written into exit 2."""
    try:
        yield
    except SpflintError as exc:
        error(str(exc))
        ctx.exit(exc.exit_code)
    except OSError as exc:
        error(os_error_message(exc))
        ctx.exit(2)
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        unexpected_error(exc)
        ctx.exit(2)


def unexpected_error(exc: Exception) -> None:
    """An exception no part of spflint raised on purpose: a path holding NUL (which no file
    system call accepts, and no command line can pass) is an input error, anything else goes
    to :func:`internal_error`."""
    if isinstance(exc, ValueError) and "null byte" in str(exc):
        error("a file name cannot hold a NUL character")
    else:
        internal_error(exc)


def internal_error(exc: BaseException) -> None:
    """The last net: an unexpected exception is one line and exit 2, not a traceback (which
    would show the user's input raw and bury what went wrong). ``SPFLINT_DEBUG=1`` re-raises
    it for a bug report."""
    if os.environ.get("SPFLINT_DEBUG", "") not in ("", "0"):
        raise exc
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:300] + "…"
    line = (f"spflint: internal error: {type(exc).__name__}"
            f"{': ' + text if text else ''} (please report this; set SPFLINT_DEBUG=1 for "
            "the traceback)")
    line = escape_controls(line)
    click.echo(_guarded(line) if in_github_actions() else line, err=True)


@contextmanager
def report_file(path: Path | None) -> Iterator[None]:
    """While the command runs, send standard output to a temporary file beside ``path``;
    when the command ends with its report (whatever its exit code), the file takes the place
    of ``path`` at once, and when it stops on an error first, ``path`` is left as it was.

    :raises InputError: the file cannot be created or put in place.
    """
    if path is None:
        yield
        return
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                    dir=str(path.parent) or ".")
    except OSError as exc:
        raise InputError(_output_file_error(exc, path)) from None
    handle = os.fdopen(fd, "w", encoding="utf-8")
    finished = False
    try:
        with contextlib.redirect_stdout(handle):
            try:
                yield
                finished = True
            except click.exceptions.Exit:
                finished = True
                raise
    finally:
        if finished:
            _put_in_place(handle, temp, path)
        else:
            with contextlib.suppress(OSError):
                handle.close()
            with contextlib.suppress(OSError):
                os.unlink(temp)


def _put_in_place(handle: TextIO, temp: str, path: Path) -> None:
    """Flush ``temp`` to disk and rename it to ``path``.

    :raises InputError: it could not be written or renamed (``temp`` is removed).
    """
    try:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            handle.close()
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise InputError(_output_file_error(exc, path)) from None


def _output_file_error(exc: OSError, path: Path) -> str:
    # The error names the temporary file; the user knows the file they named.
    return f"cannot write --output-file {path}: {exc.strerror or exc}"


def _file_mode(path: Path) -> int:
    """The permissions ``path`` has, or a new file's (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
