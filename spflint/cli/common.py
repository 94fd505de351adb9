"""Shared command plumbing: global settings, output, exit codes and error handling."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from ..errors import SpflintError
from ..findings import Finding, Severity
from ..report.base import Report, get_formatter

if TYPE_CHECKING:
    from ..config import Config
    from .options import FormatSettings


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
    """Whether to emit ANSI colours: ``always``, ``never``, or ``auto`` (a terminal and
    ``NO_COLOR`` unset or empty, as https://no-color.org asks)."""
    if setting == "always":
        return True
    if setting == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def emit(report: Report, fmt: str, color: str | bool = "auto") -> None:
    """Write ``report`` to standard output in format ``fmt``."""
    colored = use_color(color) if isinstance(color, str) else color
    formatter = get_formatter(fmt)
    text = formatter.format(report, color=colored and fmt == "text")
    click.echo(text, nl=False, color=colored)


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


def error(message: str) -> None:
    """Write ``spflint: error: message`` on standard error (the command goes on)."""
    click.echo(f"spflint: error: {message}", err=True)


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
