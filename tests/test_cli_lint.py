"""``spflint lint``: inputs, formats and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint import __version__
from spflint.cli import main
from spflint.cli.lint import parse_txt_strings
from spflint.errors import InputError

CLEAN = "v=spf1 ip4:93.184.216.0/24 -all"
SYNTAX = "v=spf1 ipv4:192.0.2.1 -all"  # SPF101 unknown-mechanism at column 8
PASS_ALL = "v=spf1 +all"  # SPF301 pass-all


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("GITHUB_ACTIONS", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    # No configuration file is found above an empty directory.
    monkeypatch.chdir(tmp_path)


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
        ) -> Result:
    return CliRunner().invoke(main, list(args), input=input, env=env)


def codes(result: Result) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_clean_record_exits_0() -> None:
    result = run("lint", CLEAN)
    assert result.exit_code == 0
    assert result.stdout == "no problems found\n"


def test_syntax_error_is_a_finding_exit_1() -> None:
    result = run("lint", SYNTAX)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("SPF101 [error] ")
    assert lines[1] == "    " + SYNTAX
    assert lines[2] == "           ^~~~"
    assert lines[-1] == "1 error"
    assert result.stderr == ""


def test_pass_all_exit_1() -> None:
    result = run("lint", "-f", "json", PASS_ALL)
    assert result.exit_code == 1
    assert "SPF301" in codes(result)


def test_json_keys() -> None:
    result = run("lint", "--format", "json", SYNTAX)
    doc = json.loads(result.stdout)
    assert list(doc)[:4] == ["spflint", "diagnostics", "record", "canonical"]
    assert doc["spflint"] == __version__
    assert doc["record"] == SYNTAX
    assert doc["canonical"] is None
    diag = doc["diagnostics"][0]
    assert {k: diag[k] for k in ("code", "name", "severity", "column", "term")} == {
        "code": "SPF101", "name": "unknown-mechanism", "severity": "error", "column": 8,
        "term": "ipv4:192.0.2.1"}
    clean = json.loads(run("lint", "-f", "json", "v=spf1 IP4:192.0.2.0/24 -all").stdout)
    assert clean["canonical"] == "v=spf1 ip4:192.0.2.0/24 -all"


def test_sarif_from_registry() -> None:
    from spflint.rules import registry

    result = run("lint", "-f", "sarif", SYNTAX)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in registry()]
    res = log["runs"][0]["results"][0]
    assert res["ruleId"] == "SPF101"
    assert driver["rules"][res["ruleIndex"]]["name"] == "unknown-mechanism"
    # A record given on the command line is no file: it is the result's logical location,
    # and its columns are the result's properties.
    assert res["locations"][0]["logicalLocations"] == [{"name": SYNTAX, "kind": "resource"}]
    assert res["properties"]["column"] == 8


def test_github_format() -> None:
    result = run("lint", "-f", "github", SYNTAX)
    assert result.exit_code == 1
    assert result.stdout.startswith("::error title=SPF101 unknown-mechanism::")


def test_github_actions_environment_selects_github() -> None:
    result = run("lint", SYNTAX, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("::error ")
    result = run("lint", "-f", "text", SYNTAX, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.startswith("SPF101 [error]")


def test_color_option() -> None:
    assert "\x1b[" in run("--color", "always", "lint", SYNTAX).stdout
    assert "\x1b[" not in run("--color", "never", "lint", SYNTAX).stdout
    # Not a terminal: auto means no colour.
    assert "\x1b[" not in run("lint", SYNTAX).stdout
    assert "\x1b[" not in run("lint", SYNTAX, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" in run("--color", "always", "lint", SYNTAX, env={"NO_COLOR": "1"}).stdout
    # JSON is never coloured.
    assert "\x1b[" not in run("--color", "always", "lint", "-f", "json", SYNTAX).stdout


def test_ignore_and_select() -> None:
    assert run("lint", "--ignore", "SPF101", SYNTAX).exit_code == 0
    assert run("lint", "--ignore", "unknown-mechanism", SYNTAX).exit_code == 0
    assert run("lint", "--select", "SPF3", SYNTAX).exit_code == 0
    assert run("lint", "--select", "SPF1", SYNTAX).exit_code == 1


def test_unknown_rule_in_select_exits_2() -> None:
    result = run("lint", "--select", "SPF-nope", CLEAN)
    assert result.exit_code == 2
    assert result.stderr == "spflint: error: --select: unknown rule 'SPF-nope'\n"


def test_fail_on_and_configured_severity(tmp_path: Path) -> None:
    config = tmp_path / "spflint.toml"
    config.write_text('[severity]\nSPF101 = "warning"\n')
    result = run("--config", str(config), "lint", SYNTAX)
    assert result.exit_code == 0
    assert "SPF101 [warning]" in result.stdout
    assert run("--config", str(config), "lint", "--fail-on", "warning", SYNTAX).exit_code == 1
    assert run("--config", str(config), "lint", "--fail-on", "info", SYNTAX).exit_code == 1


def test_config_found_in_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".spflint.toml").write_text('ignore = ["SPF101"]\n')
    assert run("lint", SYNTAX).exit_code == 0


def test_stdin_lines() -> None:
    text = f"{CLEAN}\n\n   \n{SYNTAX}\r\n"
    result = run("lint", "-f", "json", "-", input=text)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert [(d["code"], d["file"], d["line"]) for d in doc["diagnostics"]] == [
        ("SPF101", "<stdin>", 4)]
    assert doc["record"] is None
    assert [(r["line"], r["record"]) for r in doc["records"]] == [(1, CLEAN), (4, SYNTAX)]


def test_stdin_text_shows_each_record() -> None:
    result = run("lint", "-", input=f"{SYNTAX}\nv=spf1 ip4:192.0.2.1 foo -all\n")
    assert result.exit_code == 1
    out = result.stdout
    assert "<stdin>:1: SPF101" in out
    assert "<stdin>:2: SPF101" in out
    assert "    v=spf1 ip4:192.0.2.1 foo -all\n                         ^~~\n" in out
    assert out.endswith("2 errors\n")


def test_stdin_single_record_clean() -> None:
    result = run("lint", "-f", "json", "-", input=CLEAN + "\n")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["record"] == CLEAN
    assert doc["canonical"] == CLEAN


def test_empty_stdin_exits_2() -> None:
    result = run("lint", "-", input="\n \n")
    assert result.exit_code == 2
    assert result.stderr == "spflint: error: no record on standard input\n"


def test_undecodable_stdin_is_reported_at_its_column() -> None:
    result = run("lint", "-f", "json", "-", input=b"v=spf1 \xff\xfe -all\n")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["column"]) for d in found] == [("SPF109", 8), ("SPF109", 9)]


def test_strings_are_joined_without_spaces() -> None:
    result = run("lint", "-f", "json", "--strings", '"v=spf1 ip4:93.184.216.0/24" " -all"')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["record"] == CLEAN
    glued = run("lint", "-f", "json", "--strings", '"v=spf1 ip4:93.184.216.0/24" "-all"')
    assert glued.exit_code == 1
    assert json.loads(glued.stdout)["record"] == "v=spf1 ip4:93.184.216.0/24-all"


def test_strings_from_stdin() -> None:
    result = run("lint", "-f", "json", "--strings", "-",
                 input='"v=spf1 " "-all"\n"v=spf1 ipv4:192.0.2.1" " -all"\n')
    doc = json.loads(result.stdout)
    assert [r["record"] for r in doc["records"]] == ["v=spf1 -all", SYNTAX]
    assert result.exit_code == 1


def test_strings_unterminated_exits_2() -> None:
    result = run("lint", "--strings", '"v=spf1 -all')
    assert result.exit_code == 2
    assert "unterminated" in result.stderr


def test_missing_argument_and_bad_option_exit_2() -> None:
    assert run("lint").exit_code == 2
    assert run("lint", "--format", "xml", CLEAN).exit_code == 2
    assert run("lint", "--fail-on", "fatal", CLEAN).exit_code == 2


@pytest.mark.parametrize(("text", "expected"), [
    ('"v=spf1 -all"', (b"v=spf1 -all",)),
    ('"v=spf1 " "-all"', (b"v=spf1 ", b"-all")),
    ("v=spf1 -all", (b"v=spf1", b"-all")),
    (r'"say \"hi\"" "a\\b"', (b'say "hi"', b"a\\b")),
    (r'"\118=spf1"', (b"v=spf1",)),
    ('""', (b"",)),
    ('"a""b"', (b"a", b"b")),
])
def test_parse_txt_strings(text: str, expected: tuple[bytes, ...]) -> None:
    assert parse_txt_strings(text) == expected


@pytest.mark.parametrize("text", ['"abc', r'"\25x"', r'"\300"', "", "  ", '"abc\\'])
def test_parse_txt_strings_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_txt_strings(text)


def test_execute_is_separate_from_option_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    import spflint.cli.lint as lint_module

    seen: list[Any] = []
    original = lint_module.execute

    def spy(inputs: list[Any], config: Any) -> Any:
        seen.append((inputs, config))
        return original(inputs, config)

    monkeypatch.setattr(lint_module, "execute", spy)
    run("lint", "--strings", "--ignore", "SPF101", '"v=spf1 " "-all"')
    (inputs, config), = seen
    assert inputs[0].text == "v=spf1 -all"
    assert inputs[0].strings == (b"v=spf1 ", b"-all")
    assert "SPF101" in config.ignore
