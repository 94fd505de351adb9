"""The ``spflint`` command line: a group whose commands are imported only when they run."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .. import __version__
from .common import GlobalSettings, handle_errors, unexpected_error, usage_error_lines

# command name -> "module:attribute". A command whose module is not present is not listed.
LAZY_COMMANDS: dict[str, str] = {
    "lint": "spflint.cli.lint:lint",
    "check": "spflint.cli.check:check",
    "query": "spflint.cli.query:query",
    "fix": "spflint.cli.fix:fix",
    "diff": "spflint.cli.diff:diff",
    "zone": "spflint.cli.zone:zone",
    "hosts": "spflint.cli.hosts:hosts",
    "lock": "spflint.cli.lock:lock",
    "explain": "spflint.cli.explain:explain",
}


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


class LazyGroup(click.Group):
    """A group that imports a command's module on first use, and maps spflint errors to
    ``spflint: error: ...`` with the error's exit code."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def _available(self) -> list[str]:
        return [name for name, target in self.lazy_commands.items()
                if _module_exists(target.partition(":")[0])]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self._available()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        if not _module_exists(module_name):
            return None
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from ..suggest import close_matches, did_you_mean

            close = did_you_mean(close_matches(name, self.list_commands(ctx)))
            raise click.UsageError(f"no such command '{name}'{close}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        with handle_errors(ctx):
            return super().invoke(ctx)

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> Any:
        """Run the command line; in standalone mode (the console script) every click error
        is printed in spflint's style (``spflint: error: ...``, no usage block)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as exc:  # bare ``spflint``: the help, as click prints it
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            for line in usage_error_lines(exc):
                click.echo(line, err=True)
            # A file click could not open is an input error, like any other (exit 2).
            sys.exit(2 if isinstance(exc, click.FileError) else exc.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except Exception as exc:  # outside any command (argument parsing, loading one)
            unexpected_error(exc)
            sys.exit(2)
        sys.exit(code if isinstance(code, int) else 0)


EPILOG = """\b
Exit codes: 0 clean, 1 findings at or above --fail-on (or a requirement not met),
2 usage or input error, 3 DNS failure. Run 'spflint COMMAND --help' for a command's options."""


@click.group(cls=LazyGroup, lazy_commands=LAZY_COMMANDS, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="spflint",
                      message="%(prog)s %(version)s")
@click.option("--config", "config_path", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Configuration file (default: nearest .spflint.toml or pyproject.toml "
                   "with [tool.spflint]).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True,
              help="Colour text output; auto means a terminal and NO_COLOR unset.")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, color: str) -> None:
    """Lint, explain and repair SPF (RFC 7208) records."""
    ctx.obj = GlobalSettings(config_path=config_path, color=color)


# click 8.2 and later raise this for a bare group name, to show the group's help.
_NO_ARGS_IS_HELP: type[click.ClickException] = getattr(
    click.exceptions, "NoArgsIsHelpError", type("_NeverRaised", (click.ClickException,), {}))


def run() -> None:
    """The ``spflint`` console script and ``python -m spflint``."""
    main(prog_name="spflint")


