"""The command-line group: lazy commands, global options, error handling, exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from spflint import __version__
from spflint.cli import LAZY_COMMANDS, LazyGroup, main
from spflint.cli.common import exit_code, terminal_width, use_color
from spflint.errors import SpflintError
from spflint.findings import Finding, Severity

ROOT = Path(__file__).resolve().parent.parent


class FakeDNSTrouble(SpflintError):
    """Stands in for a DNS failure until the DNS commands exist."""

    exit_code = 3


class FakeInputTrouble(SpflintError):
    fmt = "cannot use {what}"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def group() -> LazyGroup:
    """A group like ``main`` with one present, one absent lazy command, and two that raise."""

    @click.group(cls=LazyGroup, lazy_commands={
        "lint": "spflint.cli.lint:lint",
        "ghost": "spflint.cli.no_such_module_here:ghost",
    })
    def cli() -> None:
        """Test group."""

    @cli.command()
    def boom() -> None:
        raise FakeDNSTrouble("example.com: timed out after 5.0 s")

    @cli.command()
    def bad() -> None:
        raise FakeInputTrouble(what="that")

    assert isinstance(cli, LazyGroup)
    return cli


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"spflint {__version__}\n"


def test_help_lists_present_commands_only(runner: CliRunner, group: LazyGroup) -> None:
    result = runner.invoke(group, ["--help"])
    assert result.exit_code == 0
    assert "lint" in result.output
    assert "boom" in result.output
    assert "ghost" not in result.output


def test_absent_command_is_no_such_command(runner: CliRunner, group: LazyGroup) -> None:
    result = runner.invoke(group, ["ghost"])
    assert result.exit_code == 2
    assert result.stderr == ("spflint: error: no such command 'ghost'\n"
                             "run 'spflint --help' for usage\n")


def test_main_lists_lint_and_explain(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1]
    assert "lint" in commands and "explain" in commands
    for name, target in LAZY_COMMANDS.items():
        module = target.partition(":")[0]
        present = (ROOT / (module.replace(".", "/") + ".py")).exists()
        assert (f"  {name} " in commands) == present, name


def test_lazy_table_names_every_planned_command() -> None:
    for name in ("lint", "explain", "query", "check", "fix", "diff", "zone", "hosts", "lock"):
        assert name in LAZY_COMMANDS


def test_spflint_error_becomes_message_and_exit_code(runner: CliRunner, group: LazyGroup) -> None:
    result = runner.invoke(group, ["boom"])
    assert result.exit_code == 3
    assert result.stderr == "spflint: error: example.com: timed out after 5.0 s\n"
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_input_error_exits_2(runner: CliRunner, group: LazyGroup) -> None:
    result = runner.invoke(group, ["bad"])
    assert result.exit_code == 2
    assert result.stderr == "spflint: error: cannot use that\n"


def test_error_handler_on_main(runner: CliRunner) -> None:
    @click.command("test-boom")
    def boom() -> None:
        raise FakeDNSTrouble("SERVFAIL from 127.0.0.1")

    main.add_command(boom)
    try:
        result = runner.invoke(main, ["test-boom"])
    finally:
        main.commands.pop("test-boom")
    assert result.exit_code == 3
    assert result.stderr == "spflint: error: SERVFAIL from 127.0.0.1\n"


def test_file_error_is_exit_2_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "out.txt"

    @click.command("test-write")
    def write() -> None:
        target.write_text("x")

    main.add_command(write)
    try:
        result = runner.invoke(main, ["test-write"])
    finally:
        main.commands.pop("test-write")
    assert result.exit_code == 2
    assert result.stderr == f"spflint: error: {target}: No such file or directory\n"


def test_unknown_option_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--colour", "never", "lint", "v=spf1 -all"])
    assert result.exit_code == 2


def test_missing_config_file_is_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["--config", str(tmp_path / "nope.toml"), "lint", "v=spf1"])
    assert result.exit_code == 2


def test_invalid_config_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("select = 'SPF1'\n")
    result = runner.invoke(main, ["--config", str(bad), "lint", "v=spf1 -all"])
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: error: ")
    assert "select" in result.stderr


def _finding(level: Severity) -> Finding:
    return Finding("SPF999", "x", level, "m")


def test_exit_code_levels() -> None:
    warn = [_finding(Severity.WARNING)]
    assert exit_code([], "error") == 0
    assert exit_code(warn, "error") == 0
    assert exit_code(warn, "warning") == 1
    assert exit_code(warn, Severity.INFO) == 1
    assert exit_code([_finding(Severity.INFO)], "warning") == 0
    assert exit_code([_finding(Severity.ERROR)], "error") == 1
    assert exit_code([], "error", requirements_met=False) == 1


class _Tty:
    def isatty(self) -> bool:
        return True


class _Pipe:
    def isatty(self) -> bool:
        return False


def test_use_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color("auto", _Tty()) is True  # type: ignore[arg-type]
    assert use_color("auto", _Pipe()) is False  # type: ignore[arg-type]
    assert use_color("never", _Tty()) is False  # type: ignore[arg-type]
    assert use_color("always", _Pipe()) is True  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", _Tty()) is False  # type: ignore[arg-type]
    assert use_color("always", _Tty()) is True  # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "")
    assert use_color("auto", _Tty()) is True  # type: ignore[arg-type]


@pytest.mark.parametrize(("no_color", "force_color", "setting", "expected"), [
    (None, "1", "auto", True),
    (None, "false", "auto", True),  # set and not empty, whatever the value
    (None, "", "auto", False),
    ("1", "1", "auto", False),  # NO_COLOR wins over FORCE_COLOR
    ("", "1", "auto", True),
    (None, "1", "never", False),  # the command line wins over both
    ("1", None, "always", True),
])
def test_force_color(monkeypatch: pytest.MonkeyPatch, no_color: str | None,
                     force_color: str | None, setting: str, expected: bool) -> None:
    for name, value in (("NO_COLOR", no_color), ("FORCE_COLOR", force_color)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert use_color(setting, _Pipe()) is expected  # type: ignore[arg-type]


def test_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    assert terminal_width(_Pipe()) == 100  # type: ignore[arg-type]
    monkeypatch.setenv("COLUMNS", "132")
    assert terminal_width(_Pipe()) == 132  # type: ignore[arg-type]
    for junk in ("0", "-5", "wide", ""):
        monkeypatch.setenv("COLUMNS", junk)
        assert terminal_width(_Pipe()) == 100  # type: ignore[arg-type]


def _run_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True,
                          env=full_env, timeout=60, check=False)


def test_python_dash_m_version() -> None:
    proc = _run_module("-m", "spflint", "--version")
    assert proc.returncode == 0
    assert proc.stdout == f"spflint {__version__}\n"


def test_python_dash_m_lint_exit_codes() -> None:
    clean = _run_module("-m", "spflint", "lint", "v=spf1 ip4:93.184.216.0/24 -all")
    assert (clean.returncode, clean.stderr) == (0, "")
    assert clean.stdout == "no problems found\n"
    bad = _run_module("-m", "spflint", "lint", "v=spf1 ipv4:192.0.2.1 -all")
    assert bad.returncode == 1
    assert "SPF101" in bad.stdout
    usage = _run_module("-m", "spflint", "lint", "--format", "xml", "v=spf1 -all")
    assert usage.returncode == 2
    assert "Traceback" not in usage.stderr


_PROBE = """
import sys
from spflint.cli import main
try:
    main(sys.argv[1:], prog_name="spflint")
except SystemExit:
    pass
heavy = sorted(m for m in ("asyncio", "dns", "dns.resolver", "json", "difflib", "yaml")
               if m in sys.modules)
print("loaded:", ",".join(heavy), file=sys.stderr)
"""


def _loaded(*argv: str) -> list[str]:
    proc = _run_module("-c", _PROBE, *argv)
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("loaded:")][-1]
    return [m for m in line.split(":", 1)[1].strip().split(",") if m]


def test_version_imports_little() -> None:
    assert _loaded("--version") == []


def test_lint_imports_no_dns_and_no_asyncio() -> None:
    loaded = _loaded("lint", "v=spf1 ip4:93.184.216.0/24 -all")
    assert "asyncio" not in loaded
    assert "dns" not in loaded
    assert "yaml" not in loaded
