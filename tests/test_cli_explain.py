"""``spflint explain``: rule pages, close matches, the list, and pluggable topics."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import spflint.cli.explain as explain_module
from spflint.cli import main
from spflint.report.base import escape_controls
from spflint.rules import registry

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["explain", *args])


def test_by_code_and_by_name() -> None:
    by_code = run("SPF101")
    assert by_code.exit_code == 0
    assert by_code.stdout.startswith("# SPF101 unknown-mechanism\n")
    assert "## What it does" in by_code.stdout
    assert run("unknown-mechanism").stdout == by_code.stdout
    assert run("spf101").stdout == by_code.stdout


def test_pass_all_page() -> None:
    result = run("SPF301")
    assert result.exit_code == 0
    assert result.stdout.startswith("# SPF301 pass-all\n")


@pytest.mark.parametrize("rule", [r.code for r in registry()])
def test_page_matches_generated_docs(rule: str) -> None:
    page = DOCS / f"{rule}.md"
    if not page.exists():
        pytest.skip(f"docs/rules/{rule}.md not generated yet")
    text = page.read_text(encoding="utf-8")
    # The terminal shows control characters escaped (SPF102's example holds a tab); JSON
    # carries the page as it is.
    shown = "\n".join(escape_controls(line) for line in text.rstrip("\n").split("\n")) + "\n"
    assert run(rule).stdout == shown
    assert json.loads(run(rule, "--format", "json").stdout)["page"] == text


def test_unknown_topic_suggests_close_matches() -> None:
    result = run("unknwn-mechanism")
    assert result.exit_code == 2
    assert result.stderr.startswith("spflint: error: no rule or topic 'unknwn-mechanism'; "
                                    "did you mean unknown-mechanism")
    assert result.stdout == ""


def test_unknown_topic_without_matches() -> None:
    result = run("zzzzzzzzzzzz")
    assert result.exit_code == 2
    assert "did you mean" not in result.stderr
    assert "--list" in result.stderr


def test_list() -> None:
    result = run("--list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Rules:"
    for rule in registry():
        assert any(line.split()[:2] == [rule.code, rule.name] for line in lines), rule.code


def test_no_topic_is_usage_error() -> None:
    assert run().exit_code == 2


class _Codes:
    """A second topic family, as mail-server error codes will be."""

    title = "Microsoft 365 errors"

    def lookup(self, key: str) -> str | None:
        return "# 5.7.64\n\nTenantAttribution; relay access denied.\n" if key == "5.7.64" else None

    def topics(self) -> Iterable[str]:
        return ["5.7.64"]

    def table(self) -> list[tuple[str, str]]:
        return [("5.7.64", "relay access denied")]


TOPIC = _Codes()


def test_extra_topic_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(explain_module, "EXTRA_TOPICS", {
        "m365": "tests.test_cli_explain:TOPIC", "absent": "tests.no_such_topics:TOPIC"})
    result = run("5.7.64")
    assert result.exit_code == 0
    assert result.stdout.startswith("# 5.7.64\n")
    listing = run("--list").stdout
    assert "\n\nMicrosoft 365 errors:\n  5.7.64  relay access denied\n" in listing
    near = run("5.7.46")
    assert near.exit_code == 2
    assert "did you mean 5.7.64" in near.stderr


@pytest.mark.parametrize("code", ["5.7.64", "4.4.62", "5.7.750", "5.7.711", "5.7.57"])
def test_microsoft_365_relay_codes_are_explained(code: str) -> None:
    result = run(code)
    assert result.exit_code == 0
    first = result.stdout.splitlines()[0]
    assert first.startswith("# ") and code in first
    assert "## Cause" in result.stdout


def test_shared_formats() -> None:
    doc = json.loads(run("SPF301", "--format", "json").stdout)
    assert doc["diagnostics"] == [] and doc["topic"] == "SPF301"
    assert doc["page"] == run("SPF301").stdout
    listed = json.loads(run("--list", "-f", "json").stdout)
    assert any(t["key"] == "SPF301" and t["family"] == "Rules" for t in listed["topics"])
    assert "no problems found" not in run("--list").stdout
    sarif = run("SPF301", "--format", "sarif")
    assert sarif.exit_code == 0 and json.loads(sarif.stdout)["runs"][0]["results"] == []
