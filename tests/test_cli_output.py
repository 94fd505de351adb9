"""What every command prints: one error style, options that would do nothing refused,
--quiet/--statistics/--output-file, colours and width from the environment, and no control
character from a record, a name or a file reaching the terminal or a CI log."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main

ROOT = Path(__file__).resolve().parent.parent
MESSY = ROOT / "fixtures" / "repos" / "messy"
ESC = "\x1b"

HOSTILE_DATA = r"""zonedata:
  bad.example:
    - TXT: "v=spf1 ip4:192.0.2.1 ::error::pwned \e[2J ##[warning]w -all"
  esc.example:
    - TXT: "v=spf1 \e]0;owned\a\r##[error]y ip4:192.0.2.1 -all"
"""


def run(*args: str, env: dict[str, str | None] | None = None) -> Result:
    base: dict[str, str | None] = {"GITHUB_ACTIONS": None, "NO_COLOR": None,
                                   "FORCE_COLOR": None, "COLUMNS": None,
                                   "SPFLINT_NAMESERVER": None}
    return CliRunner().invoke(main, list(args), env={**base, **(env or {})})


def usage_error(result: Result, command: str = "") -> str:
    """The one-line message of a usage error, after checking the style around it."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("spflint: error: ")
    path = f"spflint {command}".strip()
    assert lines[1] == f"run '{path} --help' for usage"
    assert "Usage:" not in result.stderr and "Try '" not in result.stderr
    return lines[0][len("spflint: error: "):]


def control_free(text: str) -> None:
    assert all(ch in "\n\t" or ch.isprintable() for ch in text), repr(text)


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.yml"
    path.write_text(HOSTILE_DATA, encoding="utf-8")
    return path


# --- one error style ----------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "command", "message"), [
    (["--colour", "never", "lint", "v=spf1"], "",
     "no such option '--colour'; did you mean '--color'?"),
    (["lint"], "lint", "missing argument 'RECORD'"),
    (["lint", "--format", "xml", "v=spf1"], "lint", "invalid value for '--format' / '-f': "
                                                    "'xml' is not one of 'text', 'json', "
                                                    "'sarif', 'github'"),
    (["check", "--ip", "1.2.3", "example.com"], "check",
     "invalid value for '--ip': '1.2.3' is not an IPv4 or IPv6 address"),
    (["chek", "example.com"], "", "no such command 'chek'; did you mean check?"),
    (["lint", "v=spf1", "extra"], "lint", "got unexpected extra argument (extra)"),
    (["query", "--batch", "/nonexistent/q.jsonl"], "query", "invalid value for '--batch'"),
    (["--color", "purple", "lint", "v=spf1"], "", "invalid value for '--color'"),
    (["explain"], "explain", "give a rule code or name, or --list"),
])
def test_click_errors_in_spflint_style(argv: list[str], command: str, message: str) -> None:
    assert usage_error(run(*argv), command).startswith(message)


def test_input_error_is_one_line_without_usage() -> None:
    result = run("lint", "--strings", '"unterminated')
    assert result.exit_code == 2
    assert result.stderr == "spflint: error: unterminated quoted string in '\"unterminated'\n"


def test_bare_spflint_prints_the_help() -> None:
    result = run()
    assert "Usage: " in result.output and "Commands:" in result.output
    assert "spflint: error" not in result.output


def test_console_script_style() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    proc = subprocess.run([sys.executable, "-m", "spflint", "lint", "--selct", "SPF1", "x"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2
    assert proc.stderr == ("spflint: error: no such option '--selct'; did you mean one of: "
                           "'--help', '--select'?\nrun 'spflint lint --help' for usage\n")


# --- options that would do nothing ---------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (["check", "--demo", "example.com"], "--demo checks the bundled demo domain"),
    (["fix", "--demo", "example.com"], "--demo checks the bundled demo domain"),
    (["check", "--demo", "--nameserver", "192.0.2.53"], "--nameserver would not be used"),
    (["check", "--offline", "--nameserver", "192.0.2.53", "example.com"],
     "--offline never asks DNS, so --nameserver would not be used"),
    (["query", "--offline", "--nameserver", "192.0.2.53", "--ip", "192.0.2.1",
      "--helo", "a.example"], "--offline never asks DNS"),
    (["check", "--timeout", "nan", "example.com"], "invalid value for '--timeout': 'nan'"),
    (["check", "--timeout", "inf", "example.com"], "invalid value for '--timeout': 'inf'"),
    (["check", "--timeout", "0", "example.com"], "invalid value for '--timeout': '0'"),
    (["check", "--timeout", "-1", "example.com"], "invalid value for '--timeout': '-1'"),
    (["check", "--timeout", "1e9", "example.com"], "at most 86400"),
    (["check", "--require", "include:", "example.com"],
     "invalid value for '--require': 'include:' is not an SPF term: 'include' needs a "
     "domain: 'include:<domain>' (at column 1)"),
    (["check", "--require", "ipv4:1.2.3.4", "example.com"],
     "'ipv4:1.2.3.4' is not an SPF term: unknown mechanism 'ipv4' (at column 1)"),
    (["fix", "--require", "", "example.com"], "invalid value for '--require': '' holds an "
                                              "empty term"),
    (["fix", "--require", "include:a.example,", "example.com"], "holds an empty term"),
    (["check", "--require", "redirect=a.example", "example.com"], "not one SPF mechanism"),
    (["check", "--require", "ip4:192.0.2.1 mx", "example.com"], "not one SPF mechanism"),
    (["check", "--require", "ip4:192.0.2.300", "example.com"],
     "'ip4:192.0.2.300' is not an SPF term: '192.0.2.300' is not an IPv4 address: 300 is "
     "over 255 (at column 5)"),
    (["query", "--fail-on", "info", "--ip", "192.0.2.1", "--helo", "a.example"],
     "--fail-on does nothing with 'spflint query': it prints a result, not findings"),
    (["query", "--select", "SPF1", "--ip", "192.0.2.1", "--helo", "a.example"],
     "--select does nothing with 'spflint query'"),
    (["query", "--batch", "-", "--format", "text"], "--batch always writes JSON lines"),
    (["query", "--batch", "-", "--quiet"], "--quiet does nothing with 'spflint query'"),
    (["explain", "--list", "-q"], "--quiet does nothing with 'spflint explain'"),
    (["lock", "--select", "SPF310"], "--select does nothing with 'spflint lock'"),
    (["diff", "--ignore", "SPF1", "v=spf1 -all", "v=spf1 ~all"],
     "--ignore does nothing with 'spflint diff'"),
    (["diff", "--statistics", "v=spf1 -all", "v=spf1 ~all"],
     "--statistics does nothing with 'spflint diff'"),
    (["diff", "--domain", "a.example", "b.example", "c.example"],
     "--domain is the domain a record text stands for"),
    (["hosts", "--fail-on", "error"], "--fail-on does nothing with 'spflint hosts'"),
    (["hosts", "--offline"], "--offline is for --detect: listing hosts asks no DNS"),
    (["hosts", "cloudflare", "--timeout", "3"], "--timeout is for --detect"),
    (["hosts", "cloudflare", "--detect", "example.com"], "give a HOST to show or --detect"),
    (["explain", "--list", "SPF101"], "give a rule to explain or --list, not both"),
    (["explain", "--select", "SPF1", "SPF101"], "--select does nothing with 'spflint explain'"),
    (["lock", "--format", "json"], "--format does nothing with 'spflint lock'"),
    (["lock", "--fail-on", "warning"], "--fail-on does nothing with 'spflint lock'"),
    (["fix", "--record", "v=spf1 -all", "--host", "cloudflare"], "--host prints steps"),
    (["fix", "--keep", "_spf.example.net", "--flatten", "_SPF.example.net.", "example.com"],
     "--keep and --flatten both name _spf.example.net: choose one"),
    (["zone", "--fix", "--diff"], "--fix writes the fixes and --diff prints them instead"),
    (["zone", "--unsafe-fixes"], "--unsafe-fixes changes what --fix or --diff do"),
    (["zone", "--bump-serial"], "--bump-serial changes what --fix or --diff do"),
    (["zone", "--diff", "--format", "json"], "--format does nothing with --diff"),
    (["zone", "--diff", "--fail-on", "info"], "--fail-on does nothing with --diff"),
    (["zone", "--lock", "x.lock", "--no-lock"], "give --lock FILE or --no-lock, not both"),
    (["lint", "--quiet", "--format", "json", "v=spf1"],
     "--quiet shapes text and github output; --format json always writes the whole document"),
    (["zone", "--statistics", "--format", "sarif"], "--statistics shapes text and github"),
])
def test_options_that_would_do_nothing_are_refused(argv: list[str], message: str) -> None:
    assert message in usage_error(run(*argv), argv[0])


def test_select_and_ignore_of_the_same_rule() -> None:
    result = run("lint", "-s", "SPF304", "-i", "SPF304", "v=spf1")
    assert result.exit_code == 2
    assert result.stderr == ("spflint: error: --select SPF304: every rule it names is skipped "
                             "by --ignore\n")
    # A family selected with one rule left out is what it says.
    assert run("lint", "-s", "SPF3", "-i", "SPF304", "v=spf1").exit_code == 0


@pytest.mark.parametrize("argv", [
    ["check", "--demo", "--offline", "-f", "json"],
    ["check", "--demo", "--ip", "203.0.113.7", "-f", "json"],
    ["lint", "--fail-on", "WARNING", "v=spf1 -all"],
    ["hosts", "cloudflare", "-f", "json"],
])
def test_options_that_count_are_accepted(argv: list[str]) -> None:
    result = run(*argv)
    assert "run 'spflint" not in result.stderr, result.stderr
    assert result.exit_code in (0, 1), result.output


def test_diff_alone_is_accepted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MESSY)
    result = run("zone", "--offline", "--diff", "--select", "SPF", "db.example.com")
    assert result.exit_code == 1  # fixes to show
    assert result.stdout.startswith("--- a/spf/records.inc")


# --- did you mean -----------------------------------------------------------------------------

@pytest.mark.parametrize(("argv", "message"), [
    (["lint", "--select", "SPF21O", "v=spf1"],
     "--select: unknown rule 'SPF21O'; did you mean SPF210 (too-many-dns-lookups)?"),
    (["lint", "--ignore", "too-many-lookups", "v=spf1"],
     "--ignore: unknown rule 'too-many-lookups'; did you mean too-many-dns-lookups (SPF210)"),
    (["lint", "--select", "pass-al", "v=spf1"], "did you mean pass-all (SPF301)?"),
    (["fix", "--record", "v=spf1 -all", "example.com", "--offline", "--host", "clodflare"],
     "unknown DNS host 'clodflare'; did you mean cloudflare"),
    (["hosts", "godady"], "unknown DNS host 'godady'; did you mean godaddy? "
                          "('spflint hosts' lists them all)"),
])
def test_did_you_mean(argv: list[str], message: str) -> None:
    result = run(*argv)
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: error: ")
    assert message in result.stderr


def test_no_suggestion_lists_what_is_known() -> None:
    result = run("hosts", "zzzzqqq")
    assert "(known: cloudflare, " in result.stderr
    assert "did you mean" not in result.stderr
    assert run("lint", "-s", "nonsense", "v=spf1").stderr == (
        "spflint: error: --select: unknown rule 'nonsense'\n")


# --- global options after the command ------------------------------------------------------

def test_global_options_after_the_command(tmp_path: Path) -> None:
    config = tmp_path / "spflint.toml"
    config.write_text('ignore = ["SPF304"]\n')
    before = run("--config", str(config), "--color", "always", "lint", "v=spf1")
    after = run("lint", "v=spf1", "--config", str(config), "--color", "always")
    assert before.exit_code == after.exit_code == 0
    assert after.stdout == before.stdout == f"{ESC}[1mno problems found{ESC}[0m\n"
    # After the command wins over before it.
    both = run("--color", "always", "lint", "v=spf1 -all", "--color", "never")
    assert both.stdout == "no problems found\n"
    missing = run("lint", "v=spf1", "--config", str(tmp_path / "nope.toml"))
    assert "'--config'" in usage_error(missing, "lint")
    config.write_text('ignore = ["SPF210", "SPF314", "SPF501"]\n')
    check = run("check", "--demo", "--config", str(config), "--color", "never")
    assert check.exit_code == 1, check.output  # the printer's address still does not pass
    assert "DNS lookups (limit 10)" in check.stdout and "SPF210" not in check.stdout
    assert ESC not in check.stdout


# --- --quiet, --statistics, --output-file ------------------------------------------------

def test_quiet() -> None:
    assert run("lint", "-q", "v=spf1 -all").stdout == ""
    noisy = run("lint", "-q", "v=spf1 ipv4:192.0.2.1 -all")
    assert noisy.exit_code == 1
    assert noisy.stdout.startswith("SPF101 [error]") and noisy.stdout.endswith("1 error\n")
    demo = run("check", "--demo", "--quiet")
    assert demo.exit_code == 1
    assert "DNS lookups (limit 10)" not in demo.stdout  # the tree is the body
    assert "SPF210" in demo.stdout
    assert "Microsoft 365 relay" not in demo.stdout  # nor the footer


def test_statistics() -> None:
    records = "v=spf1 ptr -all\nv=spf1 ipv4:192.0.2.1 -all\nv=spf1 a ptr -all\n"
    out = CliRunner().invoke(main, ["lint", "--statistics", "-"], input=records).stdout
    assert out.splitlines()[-4:] == ["2  SPF310  ptr-mechanism", "1  SPF101  unknown-mechanism",
                                     "", "1 error, 2 warnings"]
    quiet = CliRunner().invoke(main, ["lint", "--statistics", "-q", "-"],
                               input="v=spf1 -all\n").stdout
    assert quiet == ""


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    result = run("lint", "v=spf1 ipv4:192.0.2.1 -all", "--output-file", str(target))
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == ""
    assert target.read_text().startswith("SPF101 [error] unknown mechanism 'ipv4'")
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    # A run that stops on an error leaves the file as it was, and no temporary file.
    failed = run("lint", "--strings", '"broken', "-o", str(target))
    assert failed.exit_code == 2 and failed.stderr.startswith("spflint: error: unterminated")
    assert target.read_text().startswith("SPF101")
    json_run = run("lint", "-f", "json", "v=spf1 -all", "-o", str(target))
    assert json_run.exit_code == 0 and json_run.stdout == ""
    assert '"diagnostics": []' in target.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.txt"]
    assert run("lint", "v=spf1 -all", "-o", "-").stdout == "no problems found\n"


def test_output_file_keeps_permissions_and_reports_bad_places(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    assert run("lint", "v=spf1 -all", "-o", str(target)).exit_code == 0
    assert target.read_text() == "no problems found\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    missing = run("lint", "v=spf1 -all", "-o", str(tmp_path / "no" / "r.txt"))
    assert missing.exit_code == 2
    assert missing.stderr == (f"spflint: error: cannot write --output-file "
                              f"{tmp_path / 'no' / 'r.txt'}: No such file or directory\n")
    directory = run("lint", "v=spf1 -all", "-o", str(tmp_path))
    assert "'--output-file'" in usage_error(directory, "lint")
    empty = run("lint", "v=spf1 -all", "-o", "")
    assert "'--output-file' / '-o': an empty file name" in usage_error(empty, "lint")


def test_output_file_takes_what_commands_print_themselves(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.chdir(MESSY)
    target = tmp_path / "fixes.diff"
    result = run("zone", "--offline", "--diff", "--select", "SPF", "db.example.com",
                 "-o", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert target.read_text().startswith("--- a/spf/records.inc")


# --- colours and width from the environment (a real process, output to a pipe) ------------

def _spflint(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    return subprocess.run([sys.executable, "-m", "spflint", *args], capture_output=True,
                          text=True, env={**clean, **env}, timeout=60, check=False)


@pytest.mark.parametrize(("env", "args", "coloured"), [
    ({}, (), False),
    ({"FORCE_COLOR": "1"}, (), True),
    ({"FORCE_COLOR": "0"}, (), True),  # any value that is not empty, as force-color.org says
    ({"FORCE_COLOR": ""}, (), False),
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, (), False),
    ({"FORCE_COLOR": "1"}, ("--color", "never"), False),
    ({"NO_COLOR": "1"}, ("--color", "always"), True),
    ({"NO_COLOR": ""}, ("--color", "auto"), False),
])
def test_colour_from_the_environment(env: dict[str, str], args: tuple[str, ...],
                                     coloured: bool) -> None:
    proc = _spflint(*args, "lint", "v=spf1 ipv4:192.0.2.1 -all", env=env)
    assert proc.returncode == 1
    assert (f"{ESC}[1;31m[error]{ESC}[0m" in proc.stdout) is coloured
    if not coloured:
        assert ESC not in proc.stdout


LONG = "v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(30)) + " ptr -all"


@pytest.mark.parametrize("columns", [40, 72, 100, 160])
def test_width_from_columns(columns: int) -> None:
    proc = _spflint("lint", LONG, env={"COLUMNS": str(columns)})
    record_lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("    …")]
    assert record_lines
    assert all(len(ln) <= columns for ln in record_lines)
    assert any(len(ln) >= columns - 2 for ln in record_lines)


def test_width_default_when_not_a_terminal() -> None:
    proc = _spflint("lint", LONG, env={})
    record_lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("    …")]
    assert record_lines and max(len(ln) for ln in record_lines) == 100


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_width_from_the_terminal() -> None:
    import fcntl
    import pty
    import struct
    import termios

    main_fd, child_fd = pty.openpty()
    fcntl.ioctl(child_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 52, 0, 0))
    clean = {k: v for k, v in os.environ.items()
             if k not in ("GITHUB_ACTIONS", "NO_COLOR", "FORCE_COLOR", "COLUMNS")}
    proc = subprocess.run([sys.executable, "-m", "spflint", "lint", "--color", "never", LONG],
                          stdout=child_fd, stderr=subprocess.PIPE, env=clean, timeout=60,
                          check=False)
    os.close(child_fd)
    chunks = []
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main_fd)
    assert proc.returncode == 0  # warnings only
    lines = b"".join(chunks).decode().splitlines()
    record_lines = [ln for ln in lines if ln.startswith("    v=spf1") or ln.startswith("    …")]
    assert record_lines and max(len(ln) for ln in record_lines) == 52


# --- no control character from the data reaches the output -------------------------------

def test_check_tree_and_findings_are_escaped(hostile: Path) -> None:
    result = run("check", "--offline", "--dns-data", str(hostile), "bad.example")
    assert result.exit_code == 1
    control_free(result.stdout)
    assert "  v=spf1 ip4:192.0.2.1 ::error::pwned \\x1b[2J ##[warning]w -all\n" in result.stdout
    coloured = run("check", "--offline", "--dns-data", str(hostile), "bad.example",
                   "--color", "always")
    control_free(re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout))
    assert f"{ESC}[1;32m0 DNS lookups (limit 10){ESC}[0m" in coloured.stdout


def test_query_problem_is_escaped(hostile: Path) -> None:
    result = run("query", "--offline", "--dns-data", str(hostile), "--ip", "192.0.2.9",
                 "--helo", "esc.example")
    assert result.exit_code == 0
    control_free(result.stdout)
    assert ("  problem: esc.example: invalid SPF record: control character U+001B in "
            "'\\x1b]0;owned\\x07\\x0d##[error]y' (at column 8)\n" in result.stdout)
    github = run("query", "--offline", "--dns-data", str(hostile), "--ip", "192.0.2.9",
                 "--helo", "esc.example", "--format", "github")
    lines = github.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::")
    assert lines[-1] == "::" + lines[0].split("::")[2] + "::"
    control_free(github.stdout)


def test_error_messages_are_escaped() -> None:
    result = run("lint", "--select", "\x1b[2Jx", "v=spf1")
    assert result.stderr == "spflint: error: --select: unknown rule '\\x1b[2Jx'\n"
    option = run("lint", "--\x1b[2J", "v=spf1")
    control_free(option.stderr)


@pytest.fixture
def hostile_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A repository with one zone file whose name holds CR LF and a workflow command."""
    (tmp_path / ".git").mkdir()
    name = "db.evil\r\n::error::x.zone"
    (tmp_path / name).write_text(
        "$ORIGIN example.com.\n$TTL 300\n@ IN SOA ns1 host 1 2 3 4 5\n@ IN NS ns1\n"
        '@ IN TXT "v=spf1 ::error::pwned \\027[2J ##[warning]w -all"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return name


def test_zone_text_is_escaped(hostile_repo: str) -> None:
    result = run("zone", "--offline")
    assert result.exit_code == 1
    control_free(result.stdout)
    assert result.stdout.startswith("db.evil\\x0d\\x0a::error::x.zone:5: SPF101 [error]")
    assert "    v=spf1 ::error::pwned \\x1b[2J ##[warning]w -all\n" in result.stdout


def test_zone_github_cannot_inject(hostile_repo: str) -> None:
    result = run("zone", "--offline", "--format", "github")
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::error file=db.evil%0D%0A%3A%3Aerror%3A%3Ax.zone,")
                         for line in lines)
    control_free(result.stdout)


def test_text_in_github_actions_is_fenced(hostile_repo: str) -> None:
    result = run("zone", "--offline", "--format", "text", env={"GITHUB_ACTIONS": "true"})
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::stop-commands::")
    token = lines[0].split("::")[2]
    assert lines[-1] == f"::{token}::"
    assert "1 zone file checked: 3 errors" in lines
    harmless = run("lint", "v=spf1 -all", env={"GITHUB_ACTIONS": "true"}, )
    assert harmless.stdout == ""  # github format by default, nothing to annotate
    plain = run("lint", "-f", "text", "v=spf1 -all", env={"GITHUB_ACTIONS": "true"})
    assert plain.stdout == "no problems found\n"
